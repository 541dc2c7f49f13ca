"""The state of incremental CalDAV capture: a collection's sync token and its resources' copies.

Read before a run and written after the activities it covers are stored, in the same way the
IMAP cursor is kept (``capture_cursors``). A run killed between the two reads the same changes
again next time; the activities' keys (UID + RECURRENCE-ID) make that add nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select

from salestrack.domain.actor import Actor
from salestrack.store.models import CalendarResource, CalendarSync
from salestrack.store.uow import UnitOfWork


@dataclass(frozen=True)
class StoredResource:
    """One calendar object resource as last captured."""

    etag: str | None
    data: str
    outside_window: bool  # has meetings outside the window it was read in


@dataclass
class CalendarState:
    """What the last run of a collection left: token, window and the resources by href."""

    token: str | None = None
    window: tuple[datetime, datetime] | None = None
    resources: dict[str, StoredResource] = field(default_factory=dict)


def load_calendar_state(uow: UnitOfWork, actor: Actor, collection: str) -> CalendarState:
    """The state of ``collection``; empty before its first run."""
    with uow(actor):
        row = uow.session.scalars(select(CalendarSync).filter_by(collection=collection)).first()
        if row is None:
            return CalendarState()
        stmt = select(CalendarResource).where(CalendarResource.sync_id == row.id)
        resources = {
            r.href: StoredResource(r.etag, r.data, r.outside_window)
            for r in uow.session.scalars(stmt)
        }
        return CalendarState(row.sync_token, (row.window_start, row.window_end), resources)


def save_calendar_state(
    uow: UnitOfWork,
    actor: Actor,
    collection: str,
    *,
    token: str | None,
    window: tuple[datetime, datetime],
    changed: dict[str, StoredResource],
    removed: Iterable[str],
) -> None:
    """Record a run: the new token and window, changed resources' copies, removed ones gone."""
    with uow(actor):
        session, now = uow.session, uow.clock.now()
        row = session.scalars(select(CalendarSync).filter_by(collection=collection)).first()
        if row is None:
            row = CalendarSync(collection=collection)
            session.add(row)
        row.sync_token, (row.window_start, row.window_end), row.updated_at = token, window, now
        session.flush()
        gone = sorted(set(removed) | set(changed))
        for start in range(0, len(gone), 500):
            session.execute(
                delete(CalendarResource).where(
                    CalendarResource.sync_id == row.id,
                    CalendarResource.href.in_(gone[start : start + 500]),
                )
            )
        session.add_all(
            CalendarResource(
                sync_id=row.id,
                href=href,
                etag=r.etag,
                data=r.data,
                outside_window=r.outside_window,
            )
            for href, r in changed.items()
        )
        uow.commit()
