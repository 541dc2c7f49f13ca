"""Imports left pending or running by a server that stopped are failed; live ones are not.

A killed server cannot record its imports as failed, so they beat while they wait or run and
the scheduler fails those that fell silent for ``STALE_AFTER``.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine

from salestrack.automation.runner import build_scheduler
from salestrack.capture.heartbeat import Heartbeat, beating
from salestrack.config import Settings
from salestrack.domain.actor import Actor
from salestrack.domain.clock import FixedClock
from salestrack.services import import_jobs
from salestrack.services.import_jobs import STALE_AFTER, STOPPED, Outcome
from salestrack.services.users import actor_for
from salestrack.store.models import ImportJob
from salestrack.store.uow import UnitOfWork
from tests.factories import make_user
from tests.waiting import eventually

NOTHING = Outcome(0, 0, 0, 0, 0, {}, [], committed=True)


def _open(uow: UnitOfWork, manager: Actor) -> ImportJob:
    return import_jobs.open_import(
        uow,
        manager,
        preset="orders",
        mapping=None,
        files=["o.csv"],
        dry_run=False,
        all_or_nothing=False,
    )


def _status(uow: UnitOfWork, manager: Actor, job: ImportJob) -> tuple[str, str | None]:
    found = import_jobs.get_import(uow, manager, job.id)
    return found.status, found.error


def test_the_scheduler_fails_silent_imports_and_keeps_beating_ones(
    engine: Engine, clock: FixedClock, uow: UnitOfWork
) -> None:
    manager = actor_for(make_user(uow, "manager"))
    waiting, running, live, done = (_open(uow, manager) for _ in range(4))
    import_jobs.mark_running(uow, manager, running.id)
    import_jobs.mark_running(uow, manager, live.id)
    import_jobs.finish(uow, manager, done.id, NOTHING, [])
    clock.advance(STALE_AFTER - timedelta(minutes=1))
    done_beat = import_jobs.get_import(uow, manager, done.id).heartbeat_at
    import_jobs.beat(uow, [live.id, done.id])  # a beat never stamps a finished import
    assert import_jobs.get_import(uow, manager, done.id).heartbeat_at == done_beat
    assert import_jobs.get_import(uow, manager, live.id).heartbeat_at == clock.now()
    clock.advance(timedelta(minutes=2))  # 11 minutes since the others' last sign

    sweep = build_scheduler(engine, Settings(), clock).get_job("stopped_imports")
    sweep.func()
    assert _status(uow, manager, waiting) == ("failed", STOPPED)
    assert _status(uow, manager, running) == ("failed", STOPPED)
    assert _status(uow, manager, live) == ("running", None)
    assert _status(uow, manager, done) == ("done", None)
    assert import_jobs.get_import(uow, manager, running.id).finished_at == clock.now()
    assert import_jobs.fail_stopped(uow) == 0  # nothing left to fail

    # An import slower than the sweep's patience still ends as it really ended.
    import_jobs.finish(uow, manager, running.id, NOTHING, [])
    assert _status(uow, manager, running) == ("done", None)


def _heartbeat_at(uow: UnitOfWork, manager: Actor, job: ImportJob) -> object:
    return import_jobs.get_import(uow, manager, job.id).heartbeat_at


def test_a_held_import_beats_on_its_own_thread_until_released(
    engine: Engine, clock: FixedClock, uow: UnitOfWork
) -> None:
    manager = actor_for(make_user(uow, "manager"))
    job = _open(uow, manager)
    heartbeat = Heartbeat(engine, clock, every=0.01)
    heartbeat.hold(job.id)
    clock.advance(timedelta(minutes=5))
    assert eventually(lambda: _heartbeat_at(uow, manager, job) == clock.now())
    heartbeat.release(job.id)
    heartbeat.close()
    released_at = clock.now()
    clock.advance(timedelta(minutes=5))
    heartbeat.beat()  # nothing held: nothing stamped
    assert _heartbeat_at(uow, manager, job) == released_at

    def beating_threads() -> int:
        return sum(t.name == "salestrack-import-heartbeat" for t in threading.enumerate())

    before = beating_threads()
    with beating(engine, clock, job.id):  # the form the import runner uses: a thread per run
        assert beating_threads() == before + 1
    assert beating_threads() == before
