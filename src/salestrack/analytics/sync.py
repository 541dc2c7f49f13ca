"""Incremental copy of the store into the DuckDB warehouse, following ``change_seq``.

Each table is copied in chunks of rows whose ``change_seq`` is above the last one synced;
a chunk's upsert and the new high-water mark commit in one DuckDB transaction, so a crash
loses at most the chunk in flight and the next run resumes where the last one stopped.
Tombstones in ``deletions`` propagate deletes. A run copies changes up to the store's
committed bound only (:func:`salestrack.store.change_seq.committed_bound`), so a number still
held by a running transaction is never skipped over.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import JSON, Boolean, Column, Engine, Table

from salestrack.analytics.warehouse import RUN_MARK, STATE_TABLE, Warehouse, synced_tables
from salestrack.store import change_seq
from salestrack.store.engine import reading
from salestrack.store.models import Base, Deletion
from salestrack.store.types import Money, UTCDateTime

CHUNK_ROWS = 200_000
Progress = Callable[[str, int], None]


@dataclass
class SyncReport:
    """Rows copied per table and deletes applied in one run."""

    copied: dict[str, int] = field(default_factory=dict)
    deleted: int = 0
    as_of: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.copied.values()) + self.deleted


def sync(
    engine: Engine,
    warehouse: Warehouse,
    *,
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
) -> SyncReport:
    """Bring the warehouse up to date with the store; safe to run at any time, repeatedly."""
    report = SyncReport()
    with reading(engine) as conn:
        bound = change_seq.committed_bound(conn)
    with warehouse.connect() as duck:
        warehouse.ensure_schema(duck)
        for table in synced_tables():
            report.copied[table.name] = _sync_table(
                engine, duck, table, _Window(bound, chunk_rows), progress
            )
        report.deleted = _apply_deletions(engine, duck, _Window(bound, chunk_rows))
        _save_seq(duck, RUN_MARK, 0)
        report.as_of = warehouse.as_of(duck)
    return report


def _last_seq(duck: duckdb.DuckDBPyConnection, name: str) -> int:
    row = duck.execute(
        f"SELECT last_seq FROM {STATE_TABLE} WHERE table_name = ?", [name]
    ).fetchone()
    return int(row[0]) if row else 0


def _save_seq(duck: duckdb.DuckDBPyConnection, name: str, seq: int) -> None:
    duck.execute(
        f"INSERT OR REPLACE INTO {STATE_TABLE} VALUES (?, ?, ?)",
        [name, seq, datetime.now(UTC).replace(tzinfo=None)],
    )


@dataclass(frozen=True)
class _Window:
    """What one run may copy: changes numbered up to ``bound``, ``chunk_rows`` at a time."""

    bound: int
    chunk_rows: int


def _fetch(engine: Engine, table: Table, after: int, window: _Window) -> list[Sequence[Any]]:
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    sql = (
        f'SELECT {names} FROM "{table.name}" '
        f"WHERE change_seq > {int(after)} AND change_seq <= {int(window.bound)} "
        f"ORDER BY change_seq LIMIT {int(window.chunk_rows)}"
    )
    with reading(engine) as conn:
        return list(conn.exec_driver_sql(sql).fetchall())


def _arrow_column(column: Column[Any], values: Sequence[Any], dialect: str) -> pa.Array:
    """One store column as an Arrow array in the warehouse's types."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        if dialect == "sqlite":
            return pa.array(values, pa.string()).cast(pa.timestamp("us"))
        aware = pa.array(values, pa.timestamp("us", tz="UTC"))
        return aware.cast(pa.timestamp("us"))
    if isinstance(kind, Money):
        decimal = pa.decimal128(kind.precision, kind.scale)
        if dialect == "sqlite":
            return pa.array(values, pa.float64()).cast(decimal)
        return pa.array(values, decimal)
    if isinstance(kind, JSON) and dialect != "sqlite":
        return pa.array([None if v is None else json.dumps(v) for v in values], pa.string())
    if isinstance(kind, Boolean):
        return pa.array([None if v is None else bool(v) for v in values], pa.bool_())
    return pa.array(values)


def _to_arrow(table: Table, rows: list[Sequence[Any]], dialect: str) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in table.columns]
    return pa.table(
        {
            c.name: _arrow_column(c, list(v), dialect)
            for c, v in zip(table.columns, columns, strict=True)
        }
    )


def _sync_table(
    engine: Engine,
    duck: duckdb.DuckDBPyConnection,
    table: Table,
    window: _Window,
    progress: Progress | None,
) -> int:
    copied = 0
    last = _last_seq(duck, table.name)
    while True:
        rows = _fetch(engine, table, last, window)
        if not rows:
            break
        chunk = _to_arrow(table, rows, engine.dialect.name)
        last = int(chunk.column("change_seq")[-1].as_py())
        duck.execute("BEGIN")
        duck.register("chunk", chunk)
        duck.execute(f'DELETE FROM "{table.name}" WHERE id IN (SELECT id FROM chunk)')
        duck.execute(f'INSERT INTO "{table.name}" BY NAME SELECT * FROM chunk')
        duck.unregister("chunk")
        _save_seq(duck, table.name, last)
        duck.execute("COMMIT")
        copied += len(rows)
        if progress:
            progress(table.name, len(rows))
        if len(rows) < window.chunk_rows:
            break
    return copied


def _apply_deletions(engine: Engine, duck: duckdb.DuckDBPyConnection, window: _Window) -> int:
    table = Base.metadata.tables[Deletion.__tablename__]
    applied = 0
    last = _last_seq(duck, table.name)
    while rows := _fetch(engine, table, last, window):
        duck.execute("BEGIN")
        for tombstone in rows:
            record = dict(zip(table.columns.keys(), tombstone, strict=True))
            duck.execute(f'DELETE FROM "{record["table_name"]}" WHERE id = ?', [record["row_id"]])
            last = int(record["change_seq"])
        _save_seq(duck, table.name, last)
        duck.execute("COMMIT")
        applied += len(rows)
    return applied
