"""The manager dashboard over 10,000,000 activities: the metrics registry vs hand-written SQL.

One manager's team (10 reps and the manager), one month, per rep: activities done, calls,
connect rate, meetings held, logging coverage, selling hours, overdue work, deals won, win rate,
won amount, open deals and the weighted forecast. The baseline is the SQL an analyst would
write for the same numbers on the same DuckDB file (same visibility rule, same definitions);
the benchmark checks both answers are equal, then times each (median of warm runs,
interleaved; the registry compiles a request once per scope and re-runs its SQL, so the first
call, printed apart, also pays for building the Ibis expression and compiling it).
Targets: registry <= 1.5 x the SQL, and under 1 second.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

import _synthetic
from salestrack.analytics.metrics import compute
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import open_warehouse
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import Role

DASHBOARD = [
    "activities_done",
    "calls_made",
    "connect_rate",
    "meetings_held",
    "logging_coverage",
    "selling_hours",
    "overdue",
    "deals_won",
    "win_rate",
    "won_amount",
    "open_deals",
    "forecast",
]
TEAM = 7
START = datetime(2025, 6, 1, tzinfo=UTC)
END = datetime(2025, 7, 1, tzinfo=UTC)
NOW = datetime(2025, 7, 1, tzinfo=UTC)
RUNS = 7

SQL = f"""
WITH members AS (SELECT id FROM users WHERE team_id = {TEAM}),
team_accounts AS (SELECT id FROM accounts WHERE owner_id IN (SELECT id FROM members)),
acts AS (
  SELECT a.*, t.key AS type_key, t.category,
         coalesce(a.started_at, a.due_at, a.created_at) AS ts
  FROM activities a JOIN activity_types t ON t.id = a.type_id
  WHERE a.owner_id IN (SELECT id FROM members) OR a.account_id IN (SELECT id FROM team_accounts)
),
act AS (
  SELECT owner_id AS rep,
    count(*) FILTER (WHERE status = 'done') AS activities_done,
    count(*) FILTER (WHERE status = 'done' AND type_key = 'call') AS calls_made,
    count(*) FILTER (WHERE status = 'done' AND type_key = 'call' AND outcome = 'connected')
      AS calls_connected,
    count(*) FILTER (WHERE status = 'done' AND type_key IN ('meeting', 'visit', 'demo')
      AND outcome = 'held') AS meetings_held,
    count(*) FILTER (WHERE status = 'done' AND outcome IS NOT NULL
      AND epoch(logged_at) - epoch(coalesce(started_at, completed_at))
          - coalesce(duration_s, 0) <= 86400) AS logged_on_time,
    sum(duration_s / 3600.0) FILTER (WHERE status = 'done' AND category = 'selling')
      AS selling_hours
  FROM acts WHERE ts >= TIMESTAMP '2025-06-01' AND ts < TIMESTAMP '2025-07-01'
  GROUP BY ALL
),
overdue AS (
  SELECT owner_id AS rep, count(*) AS overdue FROM acts
  WHERE status = 'planned' AND due_at < TIMESTAMP '2025-07-01' GROUP BY ALL
),
d AS (
  SELECT d.*, s.kind, s.probability FROM deals d JOIN stages s ON s.id = d.stage_id
  WHERE d.owner_id IN (SELECT id FROM members) OR d.account_id IN (SELECT id FROM team_accounts)
),
closed AS (
  SELECT owner_id AS rep, count(*) FILTER (WHERE kind = 'won') AS deals_won,
    count(*) AS deals_closed,
    sum(amount) FILTER (WHERE kind = 'won' AND currency = 'USD') AS won_amount
  FROM d WHERE kind IN ('won', 'lost')
    AND closed_at >= TIMESTAMP '2025-06-01' AND closed_at < TIMESTAMP '2025-07-01'
  GROUP BY ALL
),
open AS (
  SELECT owner_id AS rep, count(*) AS open_deals,
    sum(amount * probability) FILTER (WHERE currency = 'USD') AS forecast
  FROM d WHERE kind = 'open' GROUP BY ALL
),
reps AS (SELECT id AS rep FROM users WHERE team_id = {TEAM} AND is_active)
SELECT rep,
  coalesce(activities_done, 0) AS activities_done, coalesce(calls_made, 0) AS calls_made,
  calls_connected / nullif(calls_made, 0) AS connect_rate,
  coalesce(meetings_held, 0) AS meetings_held,
  logged_on_time / nullif(activities_done, 0) AS logging_coverage,
  coalesce(selling_hours, 0) AS selling_hours, coalesce(overdue, 0) AS overdue,
  coalesce(deals_won, 0) AS deals_won, deals_won / nullif(deals_closed, 0) AS win_rate,
  coalesce(won_amount, 0) AS won_amount, coalesce(open_deals, 0) AS open_deals,
  coalesce(forecast, 0) AS forecast
FROM reps FULL JOIN act USING (rep) FULL JOIN overdue USING (rep) FULL JOIN closed USING (rep)
  FULL JOIN open USING (rep)
ORDER BY rep
"""


def _same(registry: pd.DataFrame, sql: pd.DataFrame) -> None:
    left = registry.astype("float64").to_numpy()
    right = sql.astype("float64").to_numpy()
    assert left.shape == right.shape, (left.shape, right.shape)
    assert np.allclose(left, right, equal_nan=True, rtol=1e-9), "registry and SQL disagree"


def main(activities: int = 10_000_000) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = _synthetic.build(Path(tmp) / "w.duckdb", activities)
        manager = Actor(id=TEAM, role=Role.MANAGER, team_id=TEAM, label="manager")
        with open_warehouse(warehouse) as source:
            scope = Scope(manager, source)
            duck = source.backend.con

            def registry() -> pd.DataFrame:
                answer = compute(DASHBOARD, scope, by=["rep"], start=START, end=END, now=NOW)
                return answer.frame

            def handwritten() -> pd.DataFrame:
                return duck.execute(SQL).df()

            started = time.perf_counter()
            first = registry()  # cold: builds and compiles the query, then caches its SQL
            cold = time.perf_counter() - started
            _same(first, handwritten())
            timings: dict[str, list[float]] = {"registry": [], "sql": []}
            for _ in range(RUNS):
                for name, run in (("registry", registry), ("sql", handwritten)):
                    started = time.perf_counter()
                    run()
                    timings[name].append(time.perf_counter() - started)
    ours, base = (statistics.median(timings[k]) for k in ("registry", "sql"))
    print(
        f"manager dashboard ({len(DASHBOARD)} metrics x 11 people, {activities:,} activities): "
        f"registry {ours * 1000:.0f} ms, hand-written SQL {base * 1000:.0f} ms, "
        f"ratio {ours / base:.2f} (target <= 1.5 and < 1 s); first call with compile "
        f"{cold * 1000:.0f} ms"
    )
    return ours, base


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
