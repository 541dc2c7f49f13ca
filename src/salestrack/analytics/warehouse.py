"""The analytics warehouse: an embedded DuckDB file holding a copy of the store's tables.

Column types follow the store's: integers, text, doubles, booleans, DECIMAL money, and
timestamps as naive UTC (the store keeps UTC; metrics convert to a chosen zone when bucketing).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
from ibis.backends.duckdb import Backend as IbisDuckDB
from sqlalchemy import JSON, BigInteger, Boolean, Column, Float, Integer, String, Table, Text

from salestrack.errors import WarehouseBusy
from salestrack.store.models import SYNCED_TABLES, Base, Deletion
from salestrack.store.types import Money, UTCDateTime

STATE_TABLE = "_sync_state"
RUN_MARK = "__sync_run__"  # its synced_at is when the last sync finished


def duck_type(column: Column[Any]) -> str:
    """The DuckDB type for a store column."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return "TIMESTAMP"
    if isinstance(kind, Money):
        return f"DECIMAL({kind.precision},{kind.scale})"  # as DuckDB spells it back
    if isinstance(kind, Boolean):
        return "BOOLEAN"
    if isinstance(kind, Integer | BigInteger):
        return "BIGINT"
    if isinstance(kind, Float):
        return "DOUBLE"
    if isinstance(kind, String | Text | JSON):
        return "VARCHAR"
    raise TypeError(f"no DuckDB type for {column.table.name}.{column.name}: {kind!r}")


def synced_tables() -> list[Table]:
    return [Base.metadata.tables[model.__tablename__] for model in SYNCED_TABLES]


def connect_file(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to ``path``; :class:`WarehouseBusy` when another process holds it."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(path) from exc
        raise


class Warehouse:
    """A DuckDB file with one table per synced store table and the sync bookkeeping."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if read_only and not self.path.exists():
            raise FileNotFoundError(self.path)
        conn = connect_file(self.path, read_only=read_only)
        try:
            conn.execute("SET TimeZone = 'UTC'")
            yield conn
        finally:
            conn.close()

    def ensure_schema(self, conn: duckdb.DuckDBPyConnection) -> None:
        """Create missing tables, and rebuild those whose columns no longer match the store.

        A migration that adds or changes a column would otherwise break the next sync (and
        leave old rows without the new values), so such a table is dropped, created again and
        its high-water mark reset: the next sync copies it whole. Idempotent.
        """
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (table_name VARCHAR PRIMARY KEY, "
            "last_seq BIGINT NOT NULL, synced_at TIMESTAMP NOT NULL)"
        )
        for table in [*synced_tables(), Base.metadata.tables[Deletion.__tablename__]]:
            wanted = [(c.name, duck_type(c)) for c in table.columns]
            present = conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = ? ORDER BY ordinal_position",
                [table.name],
            ).fetchall()
            if present and [tuple(p) for p in present] != wanted:
                conn.execute(f'DROP TABLE "{table.name}"')
                conn.execute(f"DELETE FROM {STATE_TABLE} WHERE table_name = ?", [table.name])
            columns = ", ".join(f'"{name}" {kind}' for name, kind in wanted)
            conn.execute(f'CREATE TABLE IF NOT EXISTS "{table.name}" ({columns})')

    def as_of(self, conn: duckdb.DuckDBPyConnection) -> datetime | None:
        """When the warehouse last finished a sync: the "data as of" time of every answer."""
        row = conn.execute(
            f"SELECT synced_at FROM {STATE_TABLE} WHERE table_name = ?", [RUN_MARK]
        ).fetchone()
        value = row[0] if row else None
        return value.replace(tzinfo=UTC) if value is not None else None

    def ibis(self, conn: duckdb.DuckDBPyConnection) -> IbisDuckDB:
        """An Ibis backend over an open connection (metrics are Ibis expressions)."""
        return ibis.duckdb.from_connection(conn)
