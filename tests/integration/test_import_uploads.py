"""Recorded imports of uploads, below the API: the queue's shutdown, the web page's rule."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import Engine

from salestrack.capture.uploads import ImportQueue, Upload, open_staged, stage
from salestrack.domain.clock import FixedClock
from salestrack.errors import PermissionDenied
from salestrack.services import import_jobs
from salestrack.services.users import actor_for
from salestrack.store.uow import UnitOfWork
from tests.factories import make_rep, make_user

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # no store rule here


def test_an_import_queued_as_the_server_stops_is_failed_and_its_files_removed(
    engine: Engine, clock: FixedClock, uow: UnitOfWork
) -> None:
    manager = actor_for(make_user(uow, "manager"))
    staged = stage(
        [Upload("accounts.csv", io.BytesIO(b"name\nAcme\n"))], preset="salesforce", mapping=None
    )
    job = open_staged(uow, manager, staged, dry_run=False, all_or_nothing=False)
    queue = ImportQueue(engine, clock)
    queue.close()
    queue.submit(manager, job, staged)
    stopped = import_jobs.get_import(uow, manager, job.id)
    assert (stopped.status, stopped.error) == (
        "failed",
        "the server stopped before the import ran; upload again",
    )
    assert not staged.folder.exists()


def test_only_managers_and_admins_open_an_import(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    staged = stage([Upload("a.csv", io.BytesIO(b"x\n"))], preset="orders", mapping=None)
    try:
        with pytest.raises(PermissionDenied):
            open_staged(uow, rep, staged, dry_run=True, all_or_nothing=False)
    finally:
        staged.cleanup()
