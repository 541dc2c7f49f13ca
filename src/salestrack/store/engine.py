"""Engines for the two supported stores: SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from salestrack.errors import ConfigurationError

SUPPORTED = ("sqlite", "postgresql")
_HOLDS_LOCK = "salestrack.holds_writer_lock"
_READ_ONLY = "salestrack_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Build an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise ConfigurationError(f"unsupported database {backend!r}; use sqlite or postgresql")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        kwargs.setdefault("connect_args", {"timeout": 30})
    engine = create_engine(parsed, **kwargs)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        _WriterQueue(timeout=kwargs["connect_args"].get("timeout", 5.0)).install(engine)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection that only reads, such as the warehouse sync's.

    On SQLite it begins a plain (deferred) transaction, which WAL runs beside the writer,
    instead of queueing for the write lock as every other transaction does: a sync copying
    thousands of rows no longer holds up the API's writes. A write through it fails.
    """
    with engine.connect() as conn:
        conn.execution_options(**{_READ_ONLY: True})
        yield conn


class _WriterQueue:
    """SQLite's one writer, handed from thread to thread in this process without polling.

    Every transaction begins with ``BEGIN IMMEDIATE`` (SQLAlchemy issues it, so a write
    transaction holds the lock from its start and never fails upgrading a read lock). When
    threads of one process contend for that lock, SQLite's busy handler makes the losers sleep
    and retry with growing pauses (up to 100 ms each), so under 16 concurrent requests a few
    waited over a second while the lock sat free. Here they queue on a lock of this process
    and get the database the moment it is released; SQLite's busy timeout still arbitrates
    between processes (a CLI import beside the server).

    The lock belongs to the connection that began, and is released when its transaction ends
    however it ends: commit, rollback, or the pool resetting a connection nobody closed. A
    thread that already holds it (a second transaction opened inside a first), or that waited
    longer than the busy timeout, goes on without it, and SQLite's own timeout decides, as it
    would without this queue.
    """

    def __init__(self, timeout: float) -> None:
        self._lock = threading.Lock()
        self._timeout = timeout
        self._owner: int | None = None

    def install(self, engine: Engine) -> None:
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)
        event.listen(engine.pool, "reset", self._reset)

    def _begin(self, connection: Connection) -> None:
        if connection.get_execution_options().get(_READ_ONLY):
            connection.exec_driver_sql("BEGIN")  # a reader: in WAL mode it runs beside the writer
            return
        info = connection.connection.info
        me = threading.get_ident()
        if self._owner != me and self._lock.acquire(timeout=self._timeout):
            self._owner = me
            info[_HOLDS_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self._release(info)
            raise

    def _end(self, connection: Connection) -> None:
        self._release(connection.connection.info)

    def _reset(self, _dbapi_connection: Any, record: Any, _state: Any) -> None:
        self._release(record.info)

    def _release(self, info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS_LOCK, False):
            self._owner = None
            self._lock.release()
