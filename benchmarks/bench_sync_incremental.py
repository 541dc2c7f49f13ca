"""Incremental sync of 100,000 new activities into a 10,000,000-activity warehouse.

The warehouse is generated directly in DuckDB (see ``_synthetic``) and marked as synced up to
the store's current change number; the store (SQLite) then receives 100,000 activities through
the bulk path, and ``sync`` copies them. Baseline, same run: only reading those rows from the
store (the floor any sync pays). Target: under 2 seconds.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

import _synthetic
from salestrack.analytics.sync import sync
from salestrack.services.setup import init_store
from salestrack.store import change_seq
from salestrack.store.bulk import bulk_insert
from salestrack.store.engine import make_engine

NEW = 100_000


def _store(path: Path) -> tuple[Engine, int]:
    """A store holding the warehouse's teams and users; returns it and its change number."""
    engine = make_engine(f"sqlite:///{path}")
    init_store(engine)
    teams = _synthetic.TEAMS
    people = teams * (_synthetic.REPS_PER_TEAM + 1)
    bulk_insert(engine, "teams", pd.DataFrame({"id": range(1, teams + 1),
                                               "name": [f"Team {i}" for i in range(1, teams + 1)],
                                               "time_zone": "UTC", "holidays": "[]"}))  # fmt: skip
    ids = np.arange(1, people + 1)
    bulk_insert(
        engine,
        "users",
        pd.DataFrame({
            "id": ids, "email": [f"u{i}@example.com" for i in ids],
            "name": [f"User {i}" for i in ids],
            "role": np.where(ids <= teams, "manager", "rep"),
            "team_id": np.where(ids <= teams, ids, 1 + (ids - teams - 1) % teams),
            "time_zone": "UTC", "locale": "en", "is_active": True,
        }),
    )  # fmt: skip
    with engine.connect() as conn:
        seq = change_seq.current(conn)
    return engine, seq


def _new_activities(first_id: int) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    at = pd.Timestamp("2026-01-05", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 30 * 86_400, NEW), unit="s"
    )
    return pd.DataFrame({
        "id": np.arange(first_id, first_id + NEW), "type_id": rng.integers(1, 9, NEW),
        "status": "done", "direction": "outbound", "purpose": "follow_up",
        "started_at": at, "completed_at": at, "logged_at": at,
        "duration_s": rng.integers(60, 3600, NEW), "outcome": "connected",
        "owner_id": rng.integers(_synthetic.TEAMS + 1, 221, NEW), "source": "api",
    })  # fmt: skip


def main(existing: int = 10_000_000) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        engine, seq = _store(Path(tmp) / "store.db")
        warehouse = _synthetic.build(Path(tmp) / "w.duckdb", existing, last_seq=seq)
        bulk_insert(engine, "activities", _new_activities(existing + 1))

        started = time.perf_counter()
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"select * from activities where change_seq > {seq} order by change_seq"
            ).fetchall()
        floor = time.perf_counter() - started
        assert len(rows) == NEW

        started = time.perf_counter()
        report = sync(engine, warehouse)
        seconds = time.perf_counter() - started
        with warehouse.connect(read_only=True) as duck:
            total = duck.execute("select count(*) from activities").fetchone()
        engine.dispose()
    assert report.copied["activities"] == NEW and total == (existing + NEW,), (report, total)
    print(
        f"incremental sync: {NEW:,} new activities into {existing:,} in {seconds:.2f} s "
        f"(reading them from the store alone: {floor:.2f} s; target < 2 s) "
        f"at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    return seconds


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
