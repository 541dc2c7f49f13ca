"""The app's one connection to the DuckDB warehouse, kept fresh: what pages and API read.

The web pages and the API's metrics and insights share one :class:`WarehouseReader` per app
(``create_app`` builds it), so a process holds one connection to the file and syncs it from
the store in one place.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import pandas as pd
from sqlalchemy import Engine

from salestrack.analytics.sources import IbisSource
from salestrack.analytics.sync import sync
from salestrack.analytics.warehouse import Warehouse


class WarehouseReader:
    """One DuckDB connection for the app's lifetime; a cursor per query, syncs serialised.

    Before answering, the warehouse is brought up to date with the store when its last sync is
    older than ``max_age_s`` (incremental, so cheap when little changed): a call logged a moment
    ago shows on the leaderboard without a separate job.
    """

    def __init__(self, engine: Engine, warehouse: Warehouse, max_age_s: float = 60.0) -> None:
        self.engine = engine
        self.warehouse = warehouse
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._synced_at = 0.0

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._conn is None:
            self._conn = duckdb.connect(str(self.warehouse.path))
            self._conn.execute("SET TimeZone = 'UTC'")
            self.warehouse.ensure_schema(self._conn)
        return self._conn

    def refresh(self, *, force: bool = False) -> None:
        with self._lock:
            if not force and time.monotonic() - self._synced_at < self.max_age_s:
                return
            # Sync's own connection joins this process's open database, and DuckDB lets it
            # write while other cursors read. Closing the connection here instead would pull
            # it from under cursors still in use by other requests (a segfault, not an error).
            sync(self.engine, self.warehouse)
            self._synced_at = time.monotonic()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.refresh()
        with self._lock:
            cur = self._connection().cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def source(self) -> Iterator[IbisSource]:
        """The fresh warehouse as a metrics source (:mod:`salestrack.analytics.sources`)."""
        with self.cursor() as cur:
            yield IbisSource("duckdb", self.warehouse.ibis(cur), {})

    def frame(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        with self.cursor() as cur:
            return cur.execute(sql, params or {}).df()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
