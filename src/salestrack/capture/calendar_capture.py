"""Capture meetings from an .ics file or a CalDAV collection into the store.

Both go through :func:`~salestrack.capture.calendar_events.read_events`; a CalDAV collection's
resources are gathered into one calendar first (a UID is unique within a collection). Reading
is here, writing in :mod:`salestrack.services.capture`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import icalendar

from salestrack.capture.calendar_events import CalendarRead, parse_calendar, read_events
from salestrack.capture.importer import ImportReport
from salestrack.domain.actor import Actor
from salestrack.errors import ConfigurationError, ValidationFailed
from salestrack.services.capture import CaptureOptions, capture_activities
from salestrack.store.uow import UnitOfWork

EARLIEST = datetime.fromisoformat("1970-01-01T00:00:00+00:00")
AHEAD = timedelta(days=180)  # default end of the window: half a year of planned meetings


def window(
    uow: UnitOfWork, start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime]:
    """The capture window; by default all past meetings and the next 180 days."""
    begin = start or EARLIEST
    finish = end or uow.clock.now() + AHEAD
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
    """Capture the meetings of the CalDAV calendar collection at ``url``."""
    # Imported here: caldav pulls in requests and lxml, which every other command can skip.
    from caldav.davclient import DAVClient
    from caldav.lib.error import DAVError

    begin, finish = window(uow, start, end)
    merged = icalendar.Calendar()
    client = DAVClient(url=url, username=username, password=password, ssl_verify_cert=verify)
    try:
        collection = client.calendar(url=url)  # type: ignore[no-untyped-call]
        for resource in collection.events():
            data = resource.data
            raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
            part, _ = parse_calendar(raw)
            for component in part.subcomponents:
                merged.add_component(component)
    except (DAVError, OSError) as exc:
        raise ConfigurationError(f"cannot read the CalDAV collection {url}: {exc}") from exc
    finally:
        client.close()
    lines = list(range(1, len(merged.walk("VEVENT")) + 1))  # positions: event numbers
    read = read_events(merged, lines, start=begin, end=finish, zone=zone)
    return _store(uow, actor, read, options)
