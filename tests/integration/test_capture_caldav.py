"""Calendar capture from a real CalDAV collection (Radicale on loopback)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
from caldav.davclient import DAVClient

from salestrack.capture.calendar_capture import capture_caldav
from salestrack.domain.actor import SYSTEM
from salestrack.errors import ConfigurationError
from salestrack.services.capture import CaptureOptions
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork
from tests.factories import make_user
from tests.mail_helpers import activities
from tests.servers import CalDavServer, start_radicale

GOOGLE = Path(__file__).resolve().parents[1] / "fixtures" / "calendar" / "google-export.ics"
WINDOW = {"start": datetime(2026, 2, 1, tzinfo=UTC), "end": datetime(2026, 5, 1, tzinfo=UTC)}


@pytest.fixture(scope="module")
def caldav_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CalDavServer]:
    yield from start_radicale(tmp_path_factory.mktemp("radicale"))


def _collection(server: CalDavServer) -> str:
    """A new calendar holding the Google export, one resource per UID as CalDAV requires."""
    source = icalendar.Calendar.from_ical(GOOGLE.read_bytes())
    zones = source.walk("VTIMEZONE")
    by_uid: dict[str, icalendar.Calendar] = {}
    for event in source.walk("VEVENT"):
        uid = str(event["UID"])
        if uid not in by_uid:
            by_uid[uid] = icalendar.Calendar()
            by_uid[uid].add("PRODID", "-//salestrack tests//EN")
            by_uid[uid].add("VERSION", "2.0")
            for zone in zones:
                by_uid[uid].add_component(zone)
        by_uid[uid].add_component(event)
    client = DAVClient(url=server.root, username=server.user, password=server.password)
    try:
        name = f"work-{uuid.uuid4().hex[:8]}"
        calendar = client.principal().make_calendar(name=name, cal_id=name)
        for resource in by_uid.values():
            calendar.save_event(resource.to_ical().decode())
        return str(calendar.url)
    finally:
        client.close()


def test_caldav_collection_gives_the_same_meetings_as_the_file(
    uow: UnitOfWork, caldav_server: CalDavServer
) -> None:
    url = _collection(caldav_server)
    options = CaptureOptions(owner_id=make_user(uow, email="rep@ours.example").id)
    login = {"username": caldav_server.user, "password": caldav_server.password}
    report = capture_caldav(uow, SYSTEM, url, options, **login, **WINDOW)
    assert (report.read, report.created, report.rejected) == (7, 7, 0)
    got = activities(uow, "calendar")
    moved = got["5t1d0vqmq8l4j7h2k3o9c6b1a0@google.com#20260323T090000Z"]
    assert moved.started_at == datetime(2026, 3, 23, 14, tzinfo=UTC)
    assert sorted(a.status for a in got.values()).count("cancelled") == 2
    again = capture_caldav(uow, SYSTEM, url, options, **login, **WINDOW)
    assert (again.created, again.unchanged) == (0, 7)


def test_caldav_wrong_password_is_a_clear_error(
    caldav_server: CalDavServer, tmp_path: Path
) -> None:
    url = _collection(caldav_server)
    # The refusal comes before the store is touched: an empty file stands in for it.
    uow = UnitOfWork(make_engine(f"sqlite:///{tmp_path / 'unused.db'}"))
    with pytest.raises(ConfigurationError, match="CalDAV"):
        capture_caldav(
            uow, SYSTEM, url, CaptureOptions(owner_id=1), username="rep", password="wrong",
            **WINDOW,
        )  # fmt: skip
