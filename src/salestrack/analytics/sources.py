"""Where metric queries read the warehouse tables from: DuckDB (default) or Spark over Parquet.

A :class:`Source` hands out unscoped Ibis tables by store table name and knows the "data as of"
time. The metrics never look past this interface, which is what lets the same registry run
unchanged on both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir
import pandas as pd

from salestrack.analytics.parquet import PARTITIONS
from salestrack.analytics.warehouse import RUN_MARK, STATE_TABLE, Warehouse


class Source(Protocol):
    """A place holding the synced tables, with the time they were last synced."""

    name: str

    def compile(self, expr: ir.Table) -> str:
        """The engine's SQL for ``expr`` (compiling is costly: callers cache the text)."""
        ...

    def run(self, sql: str) -> pd.DataFrame:
        """Execute compiled SQL and return pandas."""
        ...

    def table(self, name: str) -> ir.Table:
        """The whole (unscoped) table; only :mod:`salestrack.analytics.scope` should call this."""
        ...

    def as_of(self) -> datetime | None:
        """When the data was last synced from the store (aware, UTC)."""
        ...


def to_frame(expr: ir.Table) -> pd.DataFrame:
    """Run ``expr`` and return pandas, through Arrow.

    Ibis's own pandas conversion reads a pandas option that pandas 3 deprecates (a warning on
    every call); Arrow's conversion is also the faster path.
    """
    frame: pd.DataFrame = expr.to_pyarrow().to_pandas()
    return frame


def _as_of(state: ir.Table) -> datetime | None:
    frame = to_frame(state.filter(state.table_name == RUN_MARK).select("synced_at"))
    if frame.empty:
        return None
    value: datetime = frame["synced_at"].iloc[0].to_pydatetime()
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class IbisSource:
    """A :class:`Source` over any Ibis backend that already has the tables registered."""

    def __init__(self, name: str, backend: Any, tables: dict[str, ir.Table]) -> None:
        self.name = name
        self.backend = backend
        self._tables = tables

    def table(self, name: str) -> ir.Table:
        return self._tables[name] if name in self._tables else self.backend.table(name)

    def as_of(self) -> datetime | None:
        return _as_of(self.table(STATE_TABLE))

    def compile(self, expr: ir.Table) -> str:
        return str(self.backend.compile(expr))

    def run(self, sql: str) -> pd.DataFrame:
        if self.name == "duckdb":  # straight to the connection: no second trip through Ibis
            frame: pd.DataFrame = self.backend.con.execute(sql).to_arrow_table().to_pandas()
            return frame
        return to_frame(self.backend.sql(sql))


@contextmanager
def open_warehouse(warehouse: Warehouse) -> Iterator[IbisSource]:
    """The DuckDB warehouse as a source (read-only, so a running sync is never blocked)."""
    with warehouse.connect(read_only=True) as conn:
        yield IbisSource("duckdb", warehouse.ibis(conn), {})


def spark_source(session: Any, directory: Path | str) -> IbisSource:
    """The Parquet export read by a Spark session (see :mod:`salestrack.analytics.parquet`).

    Spark must run with ``spark.sql.session.timeZone=UTC``: the warehouse's timestamps are
    naive UTC, and any other session zone would shift them.
    """
    if session.conf.get("spark.sql.session.timeZone") != "UTC":
        raise ValueError("the Spark session must use spark.sql.session.timeZone=UTC")
    backend = ibis.pyspark.connect(session)
    root = Path(directory)
    tables = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        table = backend.read_parquet(str(folder), table_name=f"st_{folder.name}")
        extra = [c for c in PARTITIONS if c in table.columns]
        tables[folder.name] = table.drop(*extra) if extra else table
    return IbisSource("pyspark", backend, tables)
