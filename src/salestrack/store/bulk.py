"""The bulk load path: many rows into one table in one transaction, bypassing the ORM.

SQLite gets ``executemany`` on the raw driver connection in large chunks; PostgreSQL gets
``COPY ... FROM STDIN`` fed with CSV written by Arrow. Rows still receive change sequence
numbers and timestamps, and the load is audited as one event, so the sync and the audit trail
see bulk-loaded data exactly like rows written by the services.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Engine, Table, insert, text

from salestrack.domain.actor import SYSTEM, Actor
from salestrack.domain.clock import Clock, SystemClock
from salestrack.errors import ValidationFailed
from salestrack.store import change_seq
from salestrack.store.models import AuditEvent, Base

CHUNK_ROWS = 100_000
Progress = Callable[[int], None]


def bulk_insert(
    engine: Engine,
    table_name: str,
    frame: pd.DataFrame,
    *,
    actor: Actor = SYSTEM,
    clock: Clock | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
) -> int:
    """Insert every row of ``frame`` into ``table_name`` atomically; returns the row count.

    The frame's columns must be columns of the table; timestamps must be UTC
    (``datetime64[..., UTC]``). ``created_at``, ``updated_at`` and ``change_seq`` are filled in.
    """
    table = _table(table_name)
    unknown = set(frame.columns) - set(table.columns.keys())
    if unknown:
        raise ValidationFailed(sorted(unknown)[0], f"is not a column of {table_name}")
    n = len(frame)
    if n == 0:
        return 0
    now = (clock or SystemClock()).now()
    with engine.begin() as conn:
        insert_frame(
            conn, table_name, frame, actor=actor, now=now, chunk_rows=chunk_rows, progress=progress
        )
    return n


def insert_frame(
    conn: Connection,
    table_name: str,
    frame: pd.DataFrame,
    *,
    actor: Actor,
    now: datetime,
    action: str = "bulk.load",
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
) -> int:
    """Insert ``frame`` inside the caller's transaction on ``conn``, numbered and audited.

    The building block of :func:`bulk_insert` and of the import service, which must put a
    chunk's new rows in the same transaction as its updates.
    """
    table = _table(table_name)
    n = len(frame)
    if n == 0:
        return 0
    numbers = change_seq.reserve(conn, n)
    arrow = _prepare(table, frame, now, numbers)
    if conn.dialect.name == "postgresql":
        _copy_postgres(conn, table, arrow, chunk_rows, progress)
        _advance_id_sequence(conn, table)
    else:
        _executemany_sqlite(conn, table, arrow, chunk_rows, progress)
    record_bulk_event(
        conn,
        actor,
        action,
        table_name,
        now,
        {"rows": n, "first_change_seq": numbers[0], "last_change_seq": numbers[-1]},
    )
    return n


def record_bulk_event(
    conn: Connection,
    actor: Actor,
    action: str,
    table_name: str,
    at: datetime,
    summary: dict[str, Any],
) -> None:
    """One audit row standing for a whole bulk operation on a table."""
    conn.execute(
        insert(AuditEvent).values(
            at=at,
            actor_id=actor.id,
            actor_label=actor.label,
            action=action,
            entity=table_name,
            entity_id=None,
            before=None,
            after=summary,
        )
    )


def _table(name: str) -> Table:
    table = Base.metadata.tables.get(name)
    if table is None:
        raise ValidationFailed("table", f"{name!r} is not a table of the store")
    return table


def _prepare(table: Table, frame: pd.DataFrame, now: Any, numbers: range) -> pa.Table:
    n = len(frame)
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    stamp = pa.scalar(pd.Timestamp(now).as_unit("us"), type=pa.timestamp("us", tz="UTC"))
    for name in ("created_at", "updated_at"):
        if name not in table.columns:
            continue
        if name in arrow.column_names:
            # A time the source gives (an imported record's creation) wins; rows without one
            # are stamped now, as the ORM's before_flush does.
            given = arrow[name].cast(stamp.type)
            arrow = arrow.set_column(arrow.column_names.index(name), name, given.fill_null(stamp))
        else:
            arrow = arrow.append_column(name, pa.repeat(stamp, n))
    if "change_seq" in table.columns:
        seq = pa.array(numbers, type=pa.int64())
        if "change_seq" in arrow.column_names:
            arrow = arrow.drop_columns(["change_seq"])
        arrow = arrow.append_column("change_seq", seq)
    return arrow


def _sqlite_columns(arrow: pa.Table) -> list[list[Any]]:
    """Arrow columns as Python lists in the storage format SQLAlchemy uses on SQLite."""
    columns = []
    for column in arrow.columns:
        kind = column.type
        if pa.types.is_timestamp(kind):
            # SQLAlchemy's SQLite format, "2026-03-02 09:00:00.000000" in UTC: casting a naive
            # microsecond timestamp to text writes exactly that, some 20 x faster than strftime.
            column = column.cast(pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us"))
            column = column.cast(pa.string())
        elif pa.types.is_boolean(kind):
            column = column.cast(pa.int8())
        elif pa.types.is_decimal(kind):
            column = column.cast(pa.float64())
        columns.append(column.to_pylist())
    return columns


def _chunks(arrow: pa.Table, chunk_rows: int) -> Iterator[pa.Table]:
    for start in range(0, arrow.num_rows, chunk_rows):
        yield arrow.slice(start, chunk_rows)


def _executemany_sqlite(
    conn: Connection, table: Table, arrow: pa.Table, chunk_rows: int, progress: Progress | None
) -> None:
    names = ", ".join(f'"{c}"' for c in arrow.column_names)
    marks = ", ".join("?" for _ in arrow.column_names)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for chunk in _chunks(arrow, chunk_rows):
            cursor.executemany(sql, zip(*_sqlite_columns(chunk), strict=True))
            if progress:
                progress(chunk.num_rows)
    finally:
        cursor.close()


def _copy_postgres(
    conn: Connection, table: Table, arrow: pa.Table, chunk_rows: int, progress: Progress | None
) -> None:
    names = ", ".join(f'"{c}"' for c in arrow.column_names)
    sql = f'COPY "{table.name}" ({names}) FROM STDIN WITH (FORMAT csv)'
    options = pacsv.WriteOptions(include_header=False)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(sql) as copy:
        for chunk in _chunks(arrow, chunk_rows):
            buffer = io.BytesIO()
            pacsv.write_csv(chunk, buffer, write_options=options)
            copy.write(buffer.getvalue())
            if progress:
                progress(chunk.num_rows)


def _advance_id_sequence(conn: Connection, table: Table) -> None:
    """After COPY with explicit ids, move the id sequence past them so later inserts fit."""
    if "id" not in table.columns:
        return
    conn.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
        )
    )
