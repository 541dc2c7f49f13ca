"""Capture meetings from an .ics file or a CalDAV collection into the store.

Both go through :func:`~salestrack.capture.calendar_events.read_events`. A CalDAV collection is
captured incrementally: only the resources changed since the last run are fetched
(:mod:`salestrack.capture.caldav_sync`) and read, each on its own (a UID is unique within a
collection, RFC 4791). The copy of each resource kept in the store
(:mod:`salestrack.services.calendar_sync`) says what a change or a deletion took away:

- a changed resource: its occurrences in the window that the new version no longer has become
  cancelled meetings (the series was shortened, an instance removed);
- a deleted resource: its meetings in the window become cancelled;
- a moved window (the default one ends 180 days from now): the copies with meetings outside the
  window they were read in (recurring series, far-off events) are read again, without fetching.

Reading is here, writing in :mod:`salestrack.services.capture`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from salestrack.capture.calendar_events import CalendarRead, parse_calendar, read_events
from salestrack.capture.importer import ImportReport
from salestrack.domain.actor import Actor
from salestrack.errors import ConfigurationError, ImportRowError, ValidationFailed
from salestrack.services.calendar_sync import (
    CalendarState,
    StoredResource,
    load_calendar_state,
    save_calendar_state,
)
from salestrack.services.capture import CapturedActivity, CaptureOptions, capture_activities
from salestrack.store.uow import UnitOfWork

if TYPE_CHECKING:
    from salestrack.capture.caldav_sync import Changes

EARLIEST = datetime.fromisoformat("1970-01-01T00:00:00+00:00")
AHEAD = timedelta(days=180)  # default end of the window: half a year of planned meetings


def window(
    uow: UnitOfWork, start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime]:
    """The capture window; by default all past meetings and the next 180 days.

    The default end is a whole day: an incremental CalDAV run re-reads the series kept outside
    the window whenever the window changes, which an end to the microsecond did on every run.
    """
    begin = start or EARLIEST
    finish = end or (uow.clock.now() + AHEAD).replace(hour=0, minute=0, second=0, microsecond=0)
    if finish <= begin:
        raise ValidationFailed("to", "must be after --from")
    return begin, finish


def _store(
    uow: UnitOfWork, actor: Actor, read: CalendarRead, options: CaptureOptions
) -> ImportReport:
    report = ImportReport(notes=list(read.notes))
    for result in capture_activities(uow, actor, read.items, options):
        report.add(result)
    return report


def capture_ics(
    uow: UnitOfWork,
    actor: Actor,
    path: Path,
    options: CaptureOptions,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    zone: str = "UTC",
) -> ImportReport:
    """Capture the meetings of an .ics file; a malformed file is refused before any write."""
    if not path.is_file():
        raise ValidationFailed("path", f"{path} is not a file")
    calendar, lines = parse_calendar(path.read_bytes())
    begin, finish = window(uow, start, end)
    read = read_events(calendar, lines, start=begin, end=finish, zone=zone)
    return _store(uow, actor, read, options)


def is_caldav_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def collection_name(url: str) -> str:
    """The collection's name in the store: its URL without credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, ""))


@dataclass
class _Window:
    start: datetime
    end: datetime
    zone: str

    def read(self, data: str) -> tuple[CalendarRead, bool]:
        """The meetings of one resource, and whether it has meetings outside the window."""
        calendar, lines = parse_calendar(data.encode("utf-8"))
        read = read_events(calendar, lines, start=self.start, end=self.end, zone=self.zone)
        events = list(calendar.walk("VEVENT"))
        repeats = any(e.get(n) is not None for e in events for n in ("RRULE", "RDATE"))
        return read, repeats or read.skipped_all_day > 0 or len(read.items) < len(events)


@dataclass
class SyncPlan:
    """What a CalDAV run stores: the meetings read, and the resource copies to keep."""

    read: CalendarRead = field(default_factory=CalendarRead)
    keep: dict[str, StoredResource] = field(default_factory=dict)


def _located(items: list[CapturedActivity], href: str) -> list[CapturedActivity]:
    """A resource's problems name the resource: their lines count within it."""
    return [
        replace(i, problem=(i.problem[0], f"{href}: {i.problem[1]}")) if i.problem else i
        for i in items
    ]


def _unreadable(position: int, href: str, exc: ImportRowError) -> CapturedActivity:
    reason = f"{href}: line {exc.line}: {exc.reason}"
    key = f"invalid-{position}"
    return CapturedActivity("calendar", key, "meeting", position, None, problem=(exc.field, reason))


def plan_sync(
    state: CalendarState, changes: Changes, start: datetime, end: datetime, zone: str
) -> SyncPlan:
    """The meetings to store for ``changes`` against the stored ``state`` (see the module doc)."""
    reader, plan = _Window(start, end, zone), SyncPlan()
    cancelled: list[CapturedActivity] = []

    def gone(old: StoredResource, now_there: set[str]) -> list[CapturedActivity]:
        before, _ = reader.read(old.data)
        return [
            replace(i, cancelled=True)
            for i in before.items
            if i.problem is None and i.key not in now_there
        ]

    for position, resource in enumerate(changes.changed, start=1):
        try:
            part, outside = reader.read(resource.data)
        except ImportRowError as exc:  # reported; the stored copy stays as it was
            plan.read.items.append(_unreadable(position, resource.href, exc))
            continue
        old = state.resources.get(resource.href)
        if old is not None:
            cancelled.extend(gone(old, {i.key for i in part.items}))
        plan.read.items.extend(_located(part.items, resource.href))
        plan.read.notes.extend(part.notes)
        plan.keep[resource.href] = StoredResource(resource.etag, resource.data, outside)
    for href in changes.removed:
        if href in state.resources:
            cancelled.extend(gone(state.resources[href], set()))
    if state.window != (start, end):
        for href, old in state.resources.items():
            if old.outside_window and href not in plan.keep and href not in changes.removed:
                part, outside = reader.read(old.data)
                plan.read.items.extend(_located(part.items, href))
                plan.keep[href] = replace(old, outside_window=outside)
    # A meeting that moved to another resource is cancelled in one and present in the other.
    present = {i.key for i in plan.read.items}
    plan.read.items[:0] = [i for i in cancelled if i.key not in present]
    return plan


def capture_caldav(
    uow: UnitOfWork,
    actor: Actor,
    url: str,
    options: CaptureOptions,
    *,
    username: str | None = None,
    password: str | None = None,
    verify: bool | str = True,
    start: datetime | None = None,
    end: datetime | None = None,
    zone: str = "UTC",
) -> ImportReport:
    """Capture what changed in the CalDAV calendar collection at ``url`` since the last run."""
    # Imported here: caldav pulls in requests and lxml, which every other command can skip.
    from caldav.davclient import DAVClient
    from caldav.lib.error import DAVError

    from salestrack.capture.caldav_sync import read_changes

    begin, finish = window(uow, start, end)
    name = collection_name(url)
    state = load_calendar_state(uow, actor, name)
    known = {href: copy.etag for href, copy in state.resources.items()}
    client = DAVClient(url=url, username=username, password=password, ssl_verify_cert=verify)
    try:
        calendar = client.calendar(url=url)  # type: ignore[no-untyped-call]
        changes = read_changes(calendar, state.token, known)
    except (DAVError, OSError) as exc:
        raise ConfigurationError(f"cannot read the CalDAV collection {url}: {exc}") from exc
    finally:
        client.close()
    plan = plan_sync(state, changes, begin, finish, zone)
    report = _store(uow, actor, plan.read, options)
    report.notes.append(
        f"{name}: {changes.how}; {len(changes.changed):,} changed and fetched, "
        f"{len(changes.removed):,} removed"
    )
    save_calendar_state(
        uow,
        actor,
        name,
        token=changes.token,
        window=(begin, finish),
        changed=plan.keep,
        removed=changes.removed,
    )
    return report
