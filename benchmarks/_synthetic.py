"""A synthetic 10,000,000-activity warehouse, generated inside DuckDB in seconds.

Shared by the metric and sync benchmarks. Values come from :func:`r` (high bits of a hash of
the row number), so the data is the same on every run without storing it: 20 teams of 10 reps
and a manager, 50,000 accounts, 500,000 deals over the default pipeline, activities spread
over 2024-2025 with the default types, statuses (85 % done, 10 % planned, 5 % cancelled),
outcomes and logging delays of 0-47 h.
"""

from __future__ import annotations

import time
from pathlib import Path

from salestrack.analytics.warehouse import RUN_MARK, STATE_TABLE, Warehouse, synced_tables
from salestrack.domain.vocab import DEFAULT_ACTIVITY_TYPES, DEFAULT_STAGES

TEAMS = 20
REPS_PER_TEAM = 10
ACCOUNTS = 50_000
DEALS = 500_000
EPOCH = "TIMESTAMP '2024-01-01'"
SPAN_S = 2 * 365 * 86_400


def r(k: int) -> str:
    """A pseudo-random 47-bit number per row ``i`` and stream ``k``, as SQL.

    The high bits are kept: the low bits of DuckDB's hash of nearby integers are skewed.
    """
    return f"(hash(i + {k} * 1000003) >> 17)"


OUTCOMES = (
    "CASE {t} "
    + " ".join(
        f"WHEN {i} THEN {list(spec.outcomes)!r}[1 + ({r(5)} % {len(spec.outcomes)})::INT]"
        for i, spec in enumerate(DEFAULT_ACTIVITY_TYPES, start=1)
    )
    + " END"
)


def _reference(duck: object) -> None:
    run = duck.execute  # type: ignore[attr-defined]
    stamp = f"{EPOCH} AS created_at, {EPOCH} AS updated_at, 0 AS change_seq"
    run(f"INSERT INTO pipelines BY NAME SELECT 1 AS id, {stamp}, 'Sales' AS name")
    for i, s in enumerate(DEFAULT_STAGES, start=1):
        run(
            f"INSERT INTO stages BY NAME SELECT {i} AS id, {stamp}, 1 AS pipeline_id, "
            f"'{s.name}' AS name, {i} AS position, '{s.kind}' AS kind, "
            f"{s.probability} AS probability"
        )
    for i, t in enumerate(DEFAULT_ACTIVITY_TYPES, start=1):
        run(
            f"INSERT INTO activity_types BY NAME SELECT {i} AS id, {stamp}, '{t.key}' AS key, "
            f"'{t.label}' AS label, '{t.category}' AS category, '[]' AS outcomes, "
            f"{t.has_result} AS has_result, true AS is_active"
        )
    run(
        f"INSERT INTO teams BY NAME SELECT i AS id, {stamp}, 'Team ' || i AS name, "
        f"i AS manager_id, 'UTC' AS time_zone, '[]' AS holidays FROM range(1, {TEAMS + 1}) r(i)"
    )
    run(
        f"INSERT INTO users BY NAME SELECT i AS id, {stamp}, 'u' || i || '@example.com' AS email, "
        f"'User ' || i AS name, CASE WHEN i <= {TEAMS} THEN 'manager' ELSE 'rep' END AS role, "
        f"CASE WHEN i <= {TEAMS} THEN i ELSE 1 + (i - {TEAMS} - 1) % {TEAMS} END AS team_id, "
        f"'UTC' AS time_zone, 'en' AS locale, true AS is_active "
        f"FROM range(1, {TEAMS * (REPS_PER_TEAM + 1) + 1}) r(i)"
    )
    run(
        f"INSERT INTO accounts BY NAME SELECT i AS id, {stamp}, 'Account ' || i AS name, "
        f"CASE WHEN i % 3 = 0 THEN 'customer' ELSE 'prospect' END AS status, "
        f"['smb', 'mid', 'enterprise'][1 + (i % 3)::INT] AS segment, 'UTC' AS time_zone, "
        f"{TEAMS + 1} + {r(1)} % {TEAMS * REPS_PER_TEAM} AS owner_id, 'sim' AS source "
        f"FROM range(1, {ACCOUNTS + 1}) r(i)"
    )
    run(
        "INSERT INTO deals BY NAME SELECT i AS id, c AS created_at, c AS updated_at, "
        "0 AS change_seq, 'Deal ' || i AS name, "
        f"CASE WHEN i % 10 = 0 THEN NULL ELSE 1 + {r(2)} % {ACCOUNTS} END AS account_id, "
        f"{TEAMS + 1} + {r(3)} % {TEAMS * REPS_PER_TEAM} AS owner_id, 1 AS pipeline_id, "
        f"s AS stage_id, 1000 + {r(4)} % 50000 AS amount, 'USD' AS currency, "
        f"CASE WHEN s >= 5 THEN c + INTERVAL ({r(6)} % (90 * 86400)) SECOND END AS closed_at, "
        "false AS is_repeat, 'sim' AS source "
        f"FROM (SELECT i, 1 + ({r(7)} % 6)::INT AS s, "
        f"{EPOCH} + INTERVAL ({r(8)} % {SPAN_S}) SECOND AS c FROM range(1, {DEALS + 1}) r(i))"
    )


def insert_activities(duck: object, first: int, count: int) -> None:
    """Activities ``first .. first + count - 1`` (ids and change_seq alike)."""
    duck.execute(  # type: ignore[attr-defined]
        "INSERT INTO activities (id, created_at, updated_at, change_seq, type_id, purpose, "
        "direction, status, due_at, started_at, duration_s, completed_at, logged_at, outcome, "
        "owner_id, account_id, deal_id, source) "
        "SELECT i, ts, ts, i, t, 'follow_up', 'outbound', st, "
        "CASE WHEN st <> 'done' THEN ts END, CASE WHEN st = 'done' THEN ts END, "
        f"CASE WHEN st = 'done' THEN 60 + {r(9)} % 3600 END, CASE WHEN st = 'done' THEN ts END, "
        f"CASE WHEN st = 'done' THEN ts + INTERVAL ({r(10)} % 48) HOUR END, "
        f"CASE WHEN st = 'done' THEN {OUTCOMES.format(t='t')} END, "
        f"{TEAMS + 1} + {r(11)} % {TEAMS * REPS_PER_TEAM}, 1 + {r(12)} % {ACCOUNTS}, "
        f"CASE WHEN {r(13)} % 2 = 0 THEN 1 + {r(14)} % {DEALS} END, 'sim' "
        f"FROM (SELECT i, 1 + ({r(15)} % 8)::INT AS t, "
        f"CASE WHEN {r(16)} % 100 < 85 THEN 'done' WHEN {r(16)} % 100 < 95 "
        "THEN 'planned' ELSE 'cancelled' END AS st, "
        f"{EPOCH} + INTERVAL ({r(17)} % {SPAN_S}) SECOND AS ts "
        f"FROM range({first}, {first + count}) r(i))"
    )


def build(path: Path, activities: int = 10_000_000, last_seq: int = 0) -> Warehouse:
    """Create the warehouse file; sync state says everything up to ``last_seq`` is copied."""
    started = time.perf_counter()
    warehouse = Warehouse(path)
    with warehouse.connect() as duck:
        warehouse.ensure_schema(duck)
        _reference(duck)
        insert_activities(duck, 1, activities)
        for table in [*synced_tables(), "deletions"]:
            name = table if isinstance(table, str) else table.name
            duck.execute(f"INSERT INTO {STATE_TABLE} VALUES (?, ?, now())", [name, last_seq])
        duck.execute(f"INSERT INTO {STATE_TABLE} VALUES (?, 0, now())", [RUN_MARK])
        duck.execute("CHECKPOINT")
    print(f"generated {activities:,} activities in {time.perf_counter() - started:.1f} s")
    return warehouse
