"""Keeping the warehouse current: a sync after every import and capture, and on a timer.

DuckDB lets one process write a file at a time, and two syncs of one warehouse running together
would copy the same changes over each other. Every sync this process starts on a warehouse goes
through a :class:`WarehouseSync`, which holds one lock per warehouse file: a caller that needs
its rows in the warehouse (an import) waits for a running sync, the server's timer skips a beat.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from pathlib import Path

import duckdb
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from salestrack.analytics.sync import SyncReport, sync
from salestrack.analytics.warehouse import Warehouse
from salestrack.errors import WarehouseBusy

log = logging.getLogger(__name__)

_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(path: Path) -> threading.Lock:
    """The one lock of a warehouse file in this process, however many objects point at it."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path.resolve(), threading.Lock())


class WarehouseSync:
    """Syncs of one warehouse from one store, never two at once in this process."""

    def __init__(self, engine: Engine, warehouse: Warehouse) -> None:
        self.engine = engine
        self.warehouse = warehouse
        self.last_run: float | None = None
        """``time.monotonic()`` when this object's last sync finished."""
        self._lock = _lock_for(warehouse.path)

    def retarget(self, warehouse: Warehouse) -> None:
        """Sync ``warehouse`` from now on: the file this process's reader holds."""
        self.warehouse = warehouse
        self._lock = _lock_for(warehouse.path)

    def run(self, *, wait: bool = True, max_age_s: float | None = None) -> SyncReport | None:
        """Sync now; with ``wait=False``, return None at once when a sync is already running.

        With ``max_age_s``, return None instead when a sync finished less than that long ago,
        judged once the lock is held: readers that found the warehouse stale together and
        queued behind one sync do not each run another.
        """
        if not self._lock.acquire(blocking=wait):
            return None
        try:
            if max_age_s is not None and self._age() < max_age_s:
                return None
            report = sync(self.engine, self.warehouse)
            self.last_run = time.monotonic()
            return report
        finally:
            self._lock.release()

    def _age(self) -> float:
        """Seconds since this object's last sync finished (infinite before the first)."""
        return math.inf if self.last_run is None else time.monotonic() - self.last_run

    def tick(self) -> None:
        """One beat of a timer: sync unless a sync is running, and log a failure rather than
        raise it (the store may be restarting, or a CLI sync may hold the file); the next beat
        retries."""
        try:
            report = self.run(wait=False)
        except (WarehouseBusy, duckdb.Error, SQLAlchemyError):
            log.warning("warehouse sync failed; the next run retries", exc_info=True)
            return
        if report is not None and report.total:
            log.info("warehouse sync copied %d changes", report.total)
