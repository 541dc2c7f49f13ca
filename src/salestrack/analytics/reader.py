"""The app's one connection to the DuckDB warehouse, kept fresh: what pages and API read.

The web pages and the API's metrics and insights share one :class:`WarehouseReader` per app
(``create_app`` builds it), so a process holds one connection to the file and syncs it from
the store in one place.

DuckDB lets one process hold a file. Several server workers over one store therefore each keep
a warehouse of their own: the first takes the configured file, the others the first free
sibling (``salestrack.worker-1.duckdb``, ``...-2``...), each synced from the store by its own
worker. The files stay for the next start, so a restarted worker syncs only what changed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from sqlalchemy import Engine

from salestrack.analytics.refresh import WarehouseSync
from salestrack.analytics.sources import IbisSource
from salestrack.analytics.warehouse import Warehouse, connect_file
from salestrack.errors import ConfigurationError, WarehouseBusy

log = logging.getLogger(__name__)

MAX_WORKER_FILES = 64
"""How many workers' warehouses may sit beside the configured file."""


class WarehouseReader:
    """One DuckDB connection for the app's lifetime; a cursor per query.

    Before answering, the warehouse is brought up to date with the store when its last sync is
    older than ``max_age_s`` (incremental, so cheap when little changed): a call logged a moment
    ago shows on the leaderboard without a separate job. The server's timer and the imports
    sync through the same :attr:`syncs`, so they never run two at once. The connection stays
    open across syncs: the sync's own connection joins this process's open database, and
    closing ours would pull it from under cursors still in use (a segfault, not an error).
    """

    def __init__(self, engine: Engine, warehouse: Warehouse, max_age_s: float = 60.0) -> None:
        self.engine = engine
        self.warehouse = warehouse
        self.max_age_s = max_age_s
        self.syncs = WarehouseSync(engine, warehouse)
        self._lock = threading.Lock()
        self._conn: duckdb.DuckDBPyConnection | None = None

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._conn is None:
            conn, path = open_free_file(self.warehouse.path)
            if path != self.warehouse.path:
                log.info(
                    "%s is held by another process; this one uses %s", self.warehouse.path, path
                )
                self.warehouse = Warehouse(path)
                self.syncs.retarget(self.warehouse)
            conn.execute("SET TimeZone = 'UTC'")
            self.warehouse.ensure_schema(conn)
            self._conn = conn
        return self._conn

    def open(self) -> None:
        """Take this process's warehouse file now (a server does before its timer syncs it)."""
        with self._lock:
            self._connection()

    def refresh(self, *, force: bool = False) -> None:
        """Sync unless the last sync is younger than ``max_age_s`` (or ``force``)."""
        self.open()  # the sync must write the file this reader reads
        self.syncs.run(max_age_s=None if force else self.max_age_s)

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


def open_free_file(path: Path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """A connection to ``path``, or, while another process holds it, to its first free sibling."""
    siblings = (
        path.with_name(f"{path.stem}.worker-{n}{path.suffix}")
        for n in range(1, MAX_WORKER_FILES + 1)
    )
    for candidate in (path, *siblings):
        try:
            return connect_file(candidate), candidate
        except WarehouseBusy:
            continue
    raise ConfigurationError(
        f"{path} and its {MAX_WORKER_FILES} worker files are all held by other processes"
    )
