"""Recorded imports: who imported which files with which preset or mapping, and how it went.

The API and the web imports page record every upload here, so a long import can be followed
(pending -> running -> done or failed) and its rejected rows read back afterwards. Who may
import is decided once, in :func:`open_import`: managers and admins, as on the web page (the
rows themselves are still checked one by one, e.g. a manager assigns owners only in-team).
Reading an import, and its rejects with their original rows, follows the store's scope: the
user who ran it, their team's manager, admins.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from typing import Any

from sqlalchemy import func, insert, update

from salestrack.domain.actor import SYSTEM, Actor
from salestrack.errors import NotFound
from salestrack.services.permissions import require_manager
from salestrack.services.reads import Page, PageRequest, page
from salestrack.store.models import ImportJob, ImportReject
from salestrack.store.uow import UnitOfWork

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
STATUSES = (PENDING, RUNNING, DONE, FAILED)
BEAT_EVERY = timedelta(seconds=30)
"""How often the process holding a pending or running import says it is still alive."""
STALE_AFTER = timedelta(minutes=10)
"""An unfinished import silent this long was left by a server that stopped (20 missed beats:
a busy store delaying a few beats is no reason to fail a live import)."""
STOPPED = "the server stopped before the import finished; upload the file again"
IMPORT_SORT = ("id", "created_at")
REJECT_BATCH = 5_000  # rows per INSERT of rejects


@dataclass(frozen=True)
class RejectedRow:
    """A row an import refused: its line in the file, the field, why, and the row as read."""

    line: int
    field: str
    reason: str
    row: Mapping[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What a finished import did: the counts of the import report, its reasons and notes."""

    read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    reasons: Mapping[str, int]
    notes: Sequence[str]
    committed: bool


def open_import(
    uow: UnitOfWork,
    actor: Actor,
    *,
    preset: str | None,
    mapping: str | None,
    files: Sequence[str],
    dry_run: bool,
    all_or_nothing: bool,
) -> ImportJob:
    """Record a new, pending import for ``actor``; refused unless they manage or administer."""
    require_manager(actor, "import records")
    with uow(actor, "import.opened"):
        job = ImportJob(
            user_id=actor.id,
            status=PENDING,
            preset=preset,
            mapping=mapping,
            files=list(files),
            dry_run=dry_run,
            all_or_nothing=all_or_nothing,
            read=0,
            created=0,
            updated=0,
            unchanged=0,
            rejected=0,
            reasons={},
            notes=[],
            committed=False,
            created_at=uow.clock.now(),
            heartbeat_at=uow.clock.now(),
        )
        uow.imports.add(job)
        uow.commit()
    return job


def mark_running(uow: UnitOfWork, actor: Actor, job_id: int) -> ImportJob:
    """The import has started reading its files."""
    with uow(actor):
        job = _job(uow, job_id)
        job.status, job.started_at = RUNNING, uow.clock.now()
        uow.commit()
    return job


def finish(
    uow: UnitOfWork, actor: Actor, job_id: int, outcome: Outcome, rejects: Iterable[RejectedRow]
) -> ImportJob:
    """Record the outcome and every rejected row in one transaction: a reader never sees a done
    import whose rejects are still missing."""
    with uow(actor):
        job = _job(uow, job_id)
        job.status, job.finished_at = DONE, uow.clock.now()
        job.error = None  # a sweep that took a very slow import for a stopped one was wrong
        for name in ("read", "created", "updated", "unchanged", "rejected"):
            setattr(job, name, getattr(outcome, name))
        job.reasons, job.notes = dict(outcome.reasons), list(outcome.notes)
        job.committed = outcome.committed
        uow.flush()
        remaining = iter(rejects)
        while chunk := list(islice(remaining, REJECT_BATCH)):
            uow.session.execute(
                insert(ImportReject),
                [
                    {
                        "import_id": job_id,
                        "line": r.line,
                        "field": r.field,
                        "reason": r.reason,
                        "row": dict(r.row),
                    }
                    for r in chunk
                ],
            )
        uow.commit()
    return job


def fail(uow: UnitOfWork, actor: Actor, job_id: int, error: str) -> ImportJob:
    """The import stopped; ``error`` says why (chunks committed before it stay written)."""
    with uow(actor):
        job = _job(uow, job_id)
        job.status, job.finished_at = FAILED, uow.clock.now()
        job.error = error[: ImportJob.error.type.length]
        uow.commit()
    return job


def beat(uow: UnitOfWork, job_ids: Collection[int]) -> None:
    """These unfinished imports are alive in this process (a plain UPDATE: bookkeeping)."""
    with uow(SYSTEM):
        uow.session.execute(
            update(ImportJob)
            .where(ImportJob.id.in_(list(job_ids)), ImportJob.status.in_((PENDING, RUNNING)))
            .values(heartbeat_at=uow.clock.now())
        )
        uow.commit()


def fail_stopped(uow: UnitOfWork) -> int:
    """Fail the unfinished imports whose process stopped beating; returns how many.

    A server that crashed or was killed leaves its imports pending or running for ever; the
    scheduler calls this every minute so their users see why and upload again. The chunks an
    import committed before it stopped stay written, as after any failure.
    """
    with uow(SYSTEM):
        now = uow.clock.now()
        last_sign = func.coalesce(ImportJob.heartbeat_at, ImportJob.created_at)
        result = uow.session.execute(
            update(ImportJob)
            .where(ImportJob.status.in_((PENDING, RUNNING)), last_sign < now - STALE_AFTER)
            .values(status=FAILED, finished_at=now, error=STOPPED)
        )
        uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def _job(uow: UnitOfWork, job_id: int) -> ImportJob:
    """The import being run, whatever the scope: only the runner that opened it changes it."""
    job = uow.imports.get_any(job_id)
    if job is None:
        raise NotFound("imports", job_id)
    return job


def get_import(uow: UnitOfWork, actor: Actor, job_id: int) -> ImportJob:
    """One import the actor may see (NotFound otherwise, as for any hidden record)."""
    with uow(actor):
        return uow.imports.get_visible(job_id)


def list_imports(uow: UnitOfWork, actor: Actor, request: PageRequest) -> Page[Any]:
    """A page of the imports the actor may see."""
    return page(uow, actor, "imports", request, sortable=IMPORT_SORT)


def list_rejects(uow: UnitOfWork, actor: Actor, job_id: int, request: PageRequest) -> Page[Any]:
    """A page of an import's rejected rows, in file order; NotFound if the import is hidden."""
    get_import(uow, actor, job_id)
    scoped = PageRequest({"import_id": job_id}, "id", request.limit, request.cursor)
    return page(uow, actor, "import_rejects", scoped, sortable=("id",))


def iter_rejects(uow: UnitOfWork, actor: Actor, job_id: int) -> Iterator[RejectedRow]:
    """Every rejected row of a visible import, read in batches (for a download)."""
    get_import(uow, actor, job_id)
    after = 0
    while True:
        with uow(actor):
            rows = uow.session.scalars(
                uow.import_rejects.scoped(ImportReject.id > after, import_id=job_id)
                .order_by(ImportReject.id)
                .limit(REJECT_BATCH)
            ).all()
        if not rows:
            return
        for r in rows:
            yield RejectedRow(r.line, r.field, r.reason, r.row)
        after = rows[-1].id
