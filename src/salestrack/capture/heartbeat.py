"""Imports tell the store they are alive while they wait or run, from a thread of their own.

A server that is killed cannot mark its imports failed; their rows would say "running" for
ever. So the process holding an import stamps it every ``import_jobs.BEAT_EVERY``, and the
scheduler fails those that fell silent (:func:`salestrack.services.import_jobs.fail_stopped`).
The beat runs on its own thread because an import's thread is busy reading and writing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from salestrack.domain.clock import Clock
from salestrack.errors import SalestrackError
from salestrack.services import import_jobs
from salestrack.store.uow import UnitOfWork

log = logging.getLogger(__name__)


class Heartbeat:
    """Beats for the imports held in :meth:`holding`, until :meth:`close`."""

    def __init__(self, engine: Engine, clock: Clock, every: float | None = None) -> None:
        self._uow = UnitOfWork(engine, clock)
        self._every = every if every is not None else import_jobs.BEAT_EVERY.total_seconds()
        self._held: set[int] = set()
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, job_id: int) -> None:
        """Beat for ``job_id`` from now until :meth:`release`."""
        with self._guard:
            self._held.add(job_id)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="salestrack-import-heartbeat", daemon=True
                )
                self._thread.start()

    def release(self, job_id: int) -> None:
        with self._guard:
            self._held.discard(job_id)

    @contextmanager
    def holding(self, job_id: int) -> Iterator[None]:
        """Beat for ``job_id`` while the block runs."""
        self.hold(job_id)
        try:
            yield
        finally:
            self.release(job_id)

    def beat(self) -> None:
        """One beat now for every import held (the thread calls this every ``every`` s)."""
        with self._guard:
            held = set(self._held)
        if not held:
            return
        try:
            import_jobs.beat(self._uow, held)
        except (SalestrackError, SQLAlchemyError):  # the next beat retries
            log.warning("could not stamp imports %s as alive", sorted(held), exc_info=True)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.beat()

    def close(self) -> None:
        self._stop.set()
        with self._guard:
            thread = self._thread
        if thread is not None:
            thread.join()


@contextmanager
def beating(engine: Engine, clock: Clock, job_id: int) -> Iterator[None]:
    """Beat for one import while the block runs, on a thread that ends with the block."""
    heartbeat = Heartbeat(engine, clock)
    try:
        with heartbeat.holding(job_id):
            yield
    finally:
        heartbeat.close()
