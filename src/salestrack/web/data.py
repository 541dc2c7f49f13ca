"""The numbers behind the manager pages, read from the DuckDB warehouse.

Every page asks this module, never DuckDB directly. The pipeline figures (open deals and
pipeline, win rate, average won amount, cycle length, velocity) come from the metrics registry
(``analytics.metrics.compute``), so the page and the CLI share one definition of each; the
per-rep breakdowns below are still SQL of this module's own. The rule of who sees what follows
:mod:`salestrack.store.scope`: a rep's own rows, a manager's team, an admin everything, applied
here as the set of owner ids a query may count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from salestrack.analytics.metrics import compute
from salestrack.analytics.metrics.core import DEFAULT_CURRENCY
from salestrack.analytics.reader import WarehouseReader as WarehouseReader  # pages import it
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import IbisSource
from salestrack.domain.actor import SYSTEM, Actor

STALLED_DAYS = 14


def naive(value: datetime) -> datetime:
    """The warehouse keeps naive UTC timestamps."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


@dataclass(frozen=True)
class Window:
    """A half-open period [start, end) and the one before it, of the same length."""

    start: datetime
    end: datetime

    @property
    def previous(self) -> Window:
        return Window(self.start - (self.end - self.start), self.start)

    def params(self) -> dict[str, Any]:
        return {"start": naive(self.start), "end": naive(self.end)}


def scope_ids(reader: WarehouseReader, actor: Actor, team_id: int | None = None) -> list[int]:
    """Owner ids whose rows ``actor`` may count; an admin may narrow to one team."""
    params: dict[str, Any]
    if actor.is_admin:
        where, params = ("team_id = $team", {"team": team_id}) if team_id else ("TRUE", {})
    elif actor.is_manager and actor.team_id is not None:
        where, params = "team_id = $team", {"team": actor.team_id}
    else:
        where, params = "id = $me", {"me": actor.id}
    found = reader.frame(f"SELECT id FROM users WHERE {where}", params)
    return [int(x) for x in found["id"]]


def data_end(reader: WarehouseReader, now: datetime) -> datetime:
    """The end of the data: now, or the last activity when the store stops earlier (a demo)."""
    row = reader.frame(
        "SELECT max(started_at) AS last FROM activities WHERE started_at <= $now",
        {"now": naive(now)},
    )
    last = row["last"].iloc[0]
    if pd.isna(last):
        return now
    return min(now, pd.Timestamp(last).to_pydatetime().replace(tzinfo=UTC) + timedelta(seconds=1))


REPS_SQL = """
SELECT u.id AS rep_id, u.name AS rep FROM users u
WHERE list_contains($ids, u.id) AND u.role = 'rep' ORDER BY u.name
"""

ACTIVITY_SQL = """
SELECT a.started_at >= $start AS current, a.owner_id AS rep_id, t.key AS type, t.category,
       count(*) AS n,
       count(*) FILTER (WHERE a.outcome IN ('connected', 'replied', 'held', 'completed')) AS good,
       sum(coalesce(a.duration_s, 0)) / 3600.0 AS hours,
       count(*) FILTER (WHERE a.logged_at - a.started_at <= INTERVAL 24 HOUR) AS same_day,
       count(*) FILTER (WHERE a.next_step IS NOT NULL OR a.deal_id IS NULL) AS next_step
FROM activities a JOIN activity_types t ON t.id = a.type_id
WHERE a.status = 'done' AND a.started_at >= $before AND a.started_at < $end
  AND list_contains($ids, a.owner_id)
GROUP BY ALL
"""
OUTCOME_TYPES = ("call", "email", "meeting", "visit", "demo")

DEALS_SQL = """
SELECT d.closed_at >= $start AS current, d.owner_id AS rep_id,
       count(*) FILTER (WHERE s.kind = 'won') AS won,
       count(*) FILTER (WHERE s.kind IN ('won', 'lost')) AS closed,
       coalesce(sum(d.amount) FILTER (WHERE s.kind = 'won' AND d.currency = $currency), 0)::DOUBLE
         AS won_amount,
       avg(date_diff('second', d.created_at, d.closed_at) / 86400.0)
         FILTER (WHERE s.kind = 'won') AS cycle_days
FROM deals d JOIN stages s ON s.id = d.stage_id
WHERE d.closed_at >= $before AND d.closed_at < $end AND list_contains($ids, d.owner_id)
GROUP BY ALL
"""

FUNNEL_SQL = """
SELECT s.name AS stage, s.position, s.kind, count(DISTINCT c.deal_id) AS deals
FROM stage_changes c JOIN stages s ON s.id = c.to_stage_id JOIN deals d ON d.id = c.deal_id
WHERE c.at >= $start AND c.at < $end AND list_contains($ids, d.owner_id)
GROUP BY ALL ORDER BY s.position
"""

STALLED_SQL = """
SELECT d.id, d.name, d.amount::DOUBLE AS amount, d.currency, s.name AS stage, u.name AS rep,
       max(a.started_at) AS last_touch
FROM deals d JOIN stages s ON s.id = d.stage_id JOIN users u ON u.id = d.owner_id
LEFT JOIN activities a ON a.deal_id = d.id AND a.status = 'done' AND a.started_at < $end
WHERE s.kind = 'open' AND list_contains($ids, d.owner_id) AND d.created_at < $end
GROUP BY ALL
HAVING coalesce(max(a.started_at), min(d.created_at)) < $end - to_days($stalled)
ORDER BY amount DESC LIMIT 15
"""

GOALS_SQL = """
WITH g AS (
  SELECT user_id AS rep_id, metric, period_start AS gs,
         period_start + CASE period WHEN 'week' THEN INTERVAL 7 DAY
                                    WHEN 'month' THEN INTERVAL 1 MONTH
                                    ELSE INTERVAL 3 MONTH END AS ge,
         CASE metric WHEN 'calls' THEN 'call' ELSE 'demo' END AS type,
         target::DOUBLE AS target
  FROM goals
  WHERE list_contains($ids, user_id) AND period_start < $end AND period_start >= $start
    AND metric IN ('calls', 'demos')
), per_goal AS (
  SELECT g.rep_id, g.metric, g.gs, g.target, count(a.id) AS actual
  FROM g LEFT JOIN (
    SELECT a.id, a.owner_id, t.key, a.started_at FROM activities a
    JOIN activity_types t ON t.id = a.type_id
    WHERE a.status = 'done' AND t.key IN ('call', 'demo') AND list_contains($ids, a.owner_id)
      AND a.started_at >= $start AND a.started_at < $end + INTERVAL 3 MONTH
  ) a ON a.owner_id = g.rep_id AND a.key = g.type AND a.started_at >= g.gs AND a.started_at < g.ge
  GROUP BY ALL
)
SELECT rep_id, metric, sum(target) AS target, sum(actual) AS actual FROM per_goal GROUP BY ALL
"""


def _frame(reader: WarehouseReader, sql: str, ids: Sequence[int], **params: Any) -> pd.DataFrame:
    """Run ``sql`` with the scope's ids and only the parameters it names (DuckDB insists)."""
    given = {"ids": list(ids), **params}
    return reader.frame(sql, {k: v for k, v in given.items() if f"${k}" in sql})


@dataclass
class Overview:
    """Everything the team overview shows, as small frames (one row per rep or per stage)."""

    window: Window
    reps: pd.DataFrame
    mix: pd.DataFrame
    outcomes: pd.DataFrame
    time: pd.DataFrame
    coverage: pd.DataFrame
    goals: pd.DataFrame
    leaderboard: pd.DataFrame
    funnel: pd.DataFrame
    velocity: dict[str, float | None]
    stalled: pd.DataFrame


def _activity_facts(reader: WarehouseReader, ids: Sequence[int], window: Window) -> pd.DataFrame:
    """One scan of the activities of this window and the previous one, by rep, type, category."""
    return _frame(reader, ACTIVITY_SQL, ids, before=naive(window.previous.start), **window.params())


def leaderboard(
    reader: WarehouseReader,
    ids: Sequence[int],
    window: Window,
    facts: pd.DataFrame | None = None,
    currency: str = DEFAULT_CURRENCY,
) -> pd.DataFrame:
    """Reps ranked by a composite score, with its change against the previous period.

    The score averages each rep's share of the team's best on won amount (in ``currency``),
    deals won, win rate and selling activities (0-100): no single number can be gamed by volume
    alone.
    """
    facts = _activity_facts(reader, ids, window) if facts is None else facts
    reps = _frame(reader, REPS_SQL, ids)
    deals = _frame(
        reader,
        DEALS_SQL,
        ids,
        before=naive(window.previous.start),
        currency=currency,
        **window.params(),
    )
    selling = (
        facts[facts["category"] == "selling"]
        .groupby(["current", "rep_id"], as_index=False)[["n"]]
        .sum()
        .rename(columns={"n": "selling"})
    )
    now, before = (_score(reps, deals, selling, current) for current in (True, False))
    board = now.merge(before[["rep_id", "score"]], on="rep_id", suffixes=("", "_prev"))
    board["change"] = board["score"] - board["score_prev"]
    board = board.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    board["rank"] = board.index + 1
    return board


def _score(
    reps: pd.DataFrame, deals: pd.DataFrame, selling: pd.DataFrame, current: bool
) -> pd.DataFrame:
    def part(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["current"] == current].drop(columns="current")

    out = reps.merge(part(deals), on="rep_id", how="left")
    out = out.merge(part(selling), on="rep_id", how="left")
    for col in ("won", "closed", "won_amount", "selling"):
        out[col] = out[col].fillna(0).astype(float)
    out["win_rate"] = (out["won"] / out["closed"]).where(out["closed"] > 0)
    parts = []
    for col in ("won_amount", "won", "win_rate", "selling"):
        best = out[col].max()
        parts.append((out[col] / best).fillna(0) if best and best > 0 else out[col] * 0)
    out["score"] = 100 * sum(parts) / len(parts)
    return out


def _coverage(cur: pd.DataFrame) -> pd.DataFrame:
    """Per rep: activities done, and the shares logged within a day and with a next step."""
    sums = cur.groupby("rep_id", as_index=False)[["n", "same_day", "next_step"]].sum()
    sums["same_day"] = sums["same_day"] / sums["n"]
    sums["next_step"] = sums["next_step"] / sums["n"]
    return sums.rename(columns={"n": "done"})


VELOCITY_METRICS = {
    "open_deals": "open_deals",
    "open_amount": "open_amount",
    "win_rate": "win_rate",
    "avg_won": "avg_won_amount",
    "cycle_days": "cycle_days",
    "per_day": "velocity",
}
"""The overview's pipeline numbers, each a registry metric (web key -> metric): one definition
of "open" (in an open stage now) and of money (added up in the org's currency only)."""


def velocity_metrics(
    reader: WarehouseReader, ids: Sequence[int], window: Window, currency: str = DEFAULT_CURRENCY
) -> dict[str, float | None]:
    """Pipeline velocity and its parts for the owners ``ids``: open deals and pipeline now, and
    win rate, average won amount and cycle length over ``window``, in one registry query."""
    with reader.cursor() as cur:
        source = IbisSource("duckdb", reader.warehouse.ibis(cur), {})
        result = compute(
            list(VELOCITY_METRICS.values()),
            Scope(SYSTEM, source),  # ``ids`` already hold only the reps the viewer may see
            start=window.start,
            end=window.end,
            filters={"rep": list(ids)},
            currency=currency,
        )
    row = result.frame.iloc[0] if len(result.frame) else None
    found: dict[str, float | None] = {}
    for key, name in VELOCITY_METRICS.items():
        value = None if row is None else row.get(name)
        found[key] = None if value is None or pd.isna(value) else float(value)
    return found


def overview(
    reader: WarehouseReader,
    ids: Sequence[int],
    window: Window,
    *,
    stalled_days: int = STALLED_DAYS,
    currency: str = DEFAULT_CURRENCY,
) -> Overview:
    """The team overview for the owners ``ids`` over ``window``; money in ``currency``."""
    p = window.params()
    facts = _activity_facts(reader, ids, window)
    cur = facts[facts["current"]].drop(columns="current")
    funnel = _frame(reader, FUNNEL_SQL, ids, **p)
    board = leaderboard(reader, ids, window, facts, currency)
    velocity = velocity_metrics(reader, ids, window, currency)
    return Overview(
        window=window,
        reps=board[["rep_id", "rep"]].sort_values("rep"),
        mix=cur.groupby(["rep_id", "type"], as_index=False)[["n"]].sum(),
        outcomes=cur[cur["type"].isin(OUTCOME_TYPES)]
        .groupby(["rep_id", "type"], as_index=False)[["n", "good"]]
        .sum(),
        time=cur.groupby(["rep_id", "category"], as_index=False)[["hours"]].sum(),
        coverage=_coverage(cur),
        goals=_frame(reader, GOALS_SQL, ids, **p),
        leaderboard=board,
        funnel=funnel,
        velocity=velocity,
        stalled=_frame(reader, STALLED_SQL, ids, stalled=stalled_days, **p),
    )
