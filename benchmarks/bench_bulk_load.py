"""Bulk load path versus raw ``sqlite3.executemany`` for the same ~1,000,000 activity rows.

Both stores are fresh and migrated (``init_store``) with the same schema; the rows the activities
reference are loaded first in both, untimed. The raw side gets the rows already converted to
plain tuples in SQLite storage format (what ``bulk_insert`` must produce itself), so the ratio
is the whole overhead of the bulk path: Arrow conversion, change numbers, audit. Target <= 2.0.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Engine

from salestrack.services.setup import init_store
from salestrack.simulate import SimulatedOrg, SimulationParams, simulate
from salestrack.simulate.load import load_into_store
from salestrack.store.bulk import bulk_insert
from salestrack.store.engine import make_engine

ACTIVITIES = 1_000_000


def _store(path: Path, org: SimulatedOrg) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    init_store(engine)
    others = {k: v for k, v in org.tables.items() if k != "activities"}
    load_into_store(engine, SimulatedOrg(params=org.params, tables=others))  # untimed
    return engine


def _activity_frame(engine: Engine, org: SimulatedOrg) -> pd.DataFrame:
    """The activities as bulk_insert takes them (type_key mapped to the store's type ids)."""
    with engine.connect() as conn:
        ids = dict(conn.exec_driver_sql("select key, id from activity_types").fetchall())
    frame = org.tables["activities"]
    type_id = frame["type_key"].cat.rename_categories(lambda k: ids[k]).astype("int64")
    frame = frame.assign(type_id=type_id).drop(columns=["type_key"])
    return frame.drop(columns=[c for c in frame.columns if frame[c].isna().all()])


def _plain_rows(frame: pd.DataFrame) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Rows as tuples in SQLite storage format, with created_at/updated_at/change_seq filled."""
    n = len(frame)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    stamp = "2026-01-01 00:00:00"
    columns = []
    for column in table.columns:
        if pa.types.is_timestamp(column.type):
            column = pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
        elif pa.types.is_boolean(column.type):
            column = column.cast(pa.int8())
        columns.append(column.to_pylist())
    names = list(table.column_names)
    if "created_at" not in names:
        names.append("created_at")
        columns.append([stamp] * n)
    names += ["updated_at", "change_seq"]
    columns += [[stamp] * n, list(range(1_000_000, 1_000_000 + n))]
    return names, list(zip(*columns, strict=True))


def main(activities: int = ACTIVITIES) -> float:
    org = simulate(SimulationParams.for_activities(activities, reps=24, months=12))
    with tempfile.TemporaryDirectory() as tmp:
        bulk_engine = _store(Path(tmp) / "bulk.db", org)
        raw_engine = _store(Path(tmp) / "raw.db", org)
        frame = _activity_frame(bulk_engine, org)
        names, rows = _plain_rows(frame)
        raw_engine.dispose()
        sql = "INSERT INTO activities ({}) VALUES ({})".format(
            ", ".join(f'"{c}"' for c in names), ", ".join("?" for _ in names)
        )
        started = time.perf_counter()
        bulk_insert(bulk_engine, "activities", frame)
        bulk_s = time.perf_counter() - started
        bulk_engine.dispose()
        conn = sqlite3.connect(Path(tmp) / "raw.db", isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")
        raw_s = time.perf_counter() - started
        conn.close()
    ratio = bulk_s / raw_s
    print(
        f"bulk load: {len(frame):,} activities: bulk_insert {bulk_s:.1f} s, "
        f"raw executemany {raw_s:.1f} s, ratio {ratio:.2f} (target <= 2.0)"
    )
    return ratio


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else ACTIVITIES)
