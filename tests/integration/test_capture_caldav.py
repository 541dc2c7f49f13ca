"""Calendar capture from a real CalDAV collection (Radicale on loopback), incrementally.

What the capture asked the server for is counted by wrapping the client's one request method,
so "a run with no change fetches nothing" is checked against the wire, not against our report.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest
from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.lib.error import ReportError
from sqlalchemy import select

from salestrack.capture.calendar_capture import capture_caldav, collection_name
from salestrack.capture.importer import ImportReport
from salestrack.domain.actor import SYSTEM
from salestrack.errors import ConfigurationError
from salestrack.services.capture import CaptureOptions
from salestrack.services.setup import init_store
from salestrack.store.engine import make_engine
from salestrack.store.models import CalendarSync
from salestrack.store.uow import UnitOfWork
from tests.factories import make_user
from tests.mail_helpers import activities
from tests.servers import CalDavServer, start_radicale

GOOGLE = Path(__file__).resolve().parents[1] / "fixtures" / "calendar" / "google-export.ics"
WINDOW = {"start": datetime(2026, 2, 1, tzinfo=UTC), "end": datetime(2026, 5, 1, tzinfo=UTC)}
WEEKLY = "5t1d0vqmq8l4j7h2k3o9c6b1a0@google.com"


def _event(uid: str, start: str, summary: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//salestrack tests//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260201T000000Z\r\nDTSTART:{start}\r\n"
        f"DURATION:PT30M\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


OWN = {
    "pricing@ours": _event("pricing@ours", "20260312T100000Z", "Pricing call"),
    "intro@ours": _event("intro@ours", "20260313T100000Z", "Intro call"),
    "kickoff@ours": _event("kickoff@ours", "20260610T090000Z", "Kickoff (after the window)"),
}


@pytest.fixture(scope="module")
def caldav_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CalDavServer]:
    yield from start_radicale(tmp_path_factory.mktemp("radicale"))


class Server:
    """The test's own connection to the collection, to change it between captures."""

    def __init__(self, server: CalDavServer, url: str) -> None:
        self.client = DAVClient(url=server.root, username=server.user, password=server.password)
        self.calendar = self.client.calendar(url=url)

    def put(self, ics: str) -> None:
        self.calendar.save_event(ics)

    def edit(self, uid: str, old: str, new: str) -> None:
        event = self.calendar.event_by_uid(uid)
        event.data = event.data.replace(old, new)
        event.save()

    def delete(self, uid: str) -> None:
        self.calendar.event_by_uid(uid).delete()


def _collection(server: CalDavServer, own: dict[str, str] | None = None) -> str:
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
        for ics in (own or {}).values():
            calendar.save_event(ics)
        return str(calendar.url)
    finally:
        client.close()


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every request the capture sends: (method, the REPORT's kind or the path)."""
    sent: list[tuple[str, str]] = []
    original = DAVClient.request

    def counting(self: DAVClient, url: str, method: str = "GET", body: Any = "", *a: Any, **k: Any):  # type: ignore[no-untyped-def]
        text = body.decode() if isinstance(body, bytes) else str(body or "")
        kind = next((k for k in ("sync-collection", "calendar-multiget") if k in text), url)
        sent.append((method, kind))
        return original(self, url, method, body, *a, **k)

    monkeypatch.setattr(DAVClient, "request", counting)
    return sent


@pytest.fixture
def options(uow: UnitOfWork) -> CaptureOptions:
    return CaptureOptions(owner_id=make_user(uow, email="rep@ours.example").id)


def _capture(
    uow: UnitOfWork, options: CaptureOptions, server: CalDavServer, url: str, **window: datetime
) -> ImportReport:
    login = {"username": server.user, "password": server.password}
    return capture_caldav(uow, SYSTEM, url, options, **login, **(window or WINDOW))


def _sync_note(report: ImportReport) -> str:
    return next(n for n in report.notes if n.startswith("http://"))


def test_sync_fetches_only_what_changed(
    uow: UnitOfWork,
    options: CaptureOptions,
    caldav_server: CalDavServer,
    wire: list[tuple[str, str]],
) -> None:
    url = _collection(caldav_server, OWN)
    first = _capture(uow, options, caldav_server, url)
    # Google export: 5 weekly meetings, the EXDATE'd one and the cancelled review (the all-day
    # event is skipped); ours: pricing and intro (the kickoff is after the window).
    assert (first.read, first.created, first.rejected) == (9, 9, 0)
    assert _sync_note(first).endswith("full listing (first run); 6 changed and fetched, 0 removed")
    got = activities(uow, "calendar")
    moved = got[f"{WEEKLY}#20260323T090000Z"]
    assert moved.started_at == datetime(2026, 3, 23, 14, tzinfo=UTC)
    assert sorted(a.status for a in got.values()).count("cancelled") == 2

    wire.clear()
    second = _capture(uow, options, caldav_server, url)
    assert (second.read, second.created, second.updated) == (0, 0, 0)
    assert wire == [("REPORT", "sync-collection")]  # one question, nothing downloaded
    assert _sync_note(second).endswith("sync token; 0 changed and fetched, 0 removed")

    remote = Server(caldav_server, url)
    remote.edit(WEEKLY, "COUNT=6", "COUNT=4")  # the series now ends after 23 March
    remote.edit("pricing@ours", "DTSTART:20260312T100000Z", "DTSTART:20260312T110000Z")
    remote.delete("intro@ours")
    remote.put(_event("demo@ours", "20260320T150000Z", "Demo"))
    wire.clear()
    third = _capture(uow, options, caldav_server, url)
    assert _sync_note(third).endswith("sync token; 3 changed and fetched, 1 removed")
    assert wire == [("REPORT", "sync-collection"), ("REPORT", "calendar-multiget")]
    got = activities(uow, "calendar")
    # 10:00 in Berlin, summer time from 29 March: 08:00 UTC.
    gone = [got[f"{WEEKLY}#{day}T080000Z"].status for day in ("20260330", "20260406")]
    assert gone == ["cancelled", "cancelled"]  # occurrences the shorter series no longer has
    assert got["pricing@ours"].started_at == datetime(2026, 3, 12, 11, tzinfo=UTC)
    assert got["intro@ours"].status == "cancelled"  # deleted on the server
    assert got["demo@ours"].status == "planned"
    assert (third.created, third.updated) == (1, 4)  # demo; two cut, pricing, intro

    wire.clear()
    later = _capture(
        uow,
        options,
        caldav_server,
        url,
        start=WINDOW["start"],
        end=datetime(2026, 7, 1, tzinfo=UTC),
    )
    assert wire == [("REPORT", "sync-collection")]  # a moved window reads the stored copies
    assert "kickoff@ours" in activities(uow, "calendar")
    assert later.created == 1 and later.rejected == 0


def test_a_refused_token_falls_back_to_a_full_listing(
    uow: UnitOfWork,
    options: CaptureOptions,
    caldav_server: CalDavServer,
    wire: list[tuple[str, str]],
) -> None:
    url = _collection(caldav_server, OWN)
    _capture(uow, options, caldav_server, url)
    with uow(SYSTEM):  # a token the server never issued (or has forgotten)
        row = uow.session.scalars(select(CalendarSync)).one()
        assert row.collection == collection_name(url) and row.sync_token
        row.sync_token = "http://radicale.org/ns/sync/" + "0" * 64
        uow.commit()
    remote = Server(caldav_server, url)
    remote.delete("intro@ours")
    remote.edit("pricing@ours", "SUMMARY:Pricing call", "SUMMARY:Pricing call (v2)")
    wire.clear()
    report = _capture(uow, options, caldav_server, url)
    note = _sync_note(report)
    assert "full listing (the server refused the sync token: valid-sync-token)" in note
    # Every member was listed, but only the one whose ETag changed was downloaded.
    assert note.endswith("1 changed and fetched, 1 removed")
    assert [m for m, _ in wire].count("REPORT") == 3  # refused, listing, multiget
    got = activities(uow, "calendar")
    assert (got["intro@ours"].status, got["pricing@ours"].subject) == (
        "cancelled",
        "Pricing call (v2)",
    )
    again = _capture(uow, options, caldav_server, url)
    assert _sync_note(again).endswith("sync token; 0 changed and fetched, 0 removed")


def test_without_sync_collection_etags_are_compared(
    uow: UnitOfWork,
    options: CaptureOptions,
    caldav_server: CalDavServer,
    wire: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server without RFC 6578: the REPORT is refused, as such a server refuses it."""

    def unsupported(self: Calendar, *args: Any, **kwargs: Any) -> Any:
        raise ReportError("sync-collection is not supported")

    monkeypatch.setattr(Calendar, "get_objects_by_sync_token", unsupported)
    url = _collection(caldav_server, OWN)
    first = _capture(uow, options, caldav_server, url)
    assert first.created == 9
    assert "ETag comparison (the server has no sync-collection)" in _sync_note(first)
    wire.clear()
    second = _capture(uow, options, caldav_server, url)
    assert _sync_note(second).endswith("0 changed and fetched, 0 removed")
    assert [method for method, _ in wire] == ["PROPFIND"]
    Server(caldav_server, url).delete("pricing@ours")
    third = _capture(uow, options, caldav_server, url)
    assert _sync_note(third).endswith("0 changed and fetched, 1 removed")
    assert activities(uow, "calendar")["pricing@ours"].status == "cancelled"


def test_caldav_wrong_password_is_a_clear_error(
    caldav_server: CalDavServer, tmp_path: Path
) -> None:
    url = _collection(caldav_server)
    # The refusal comes before anything is written: a fresh store stands in for the real one.
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_store(engine)
    uow = UnitOfWork(engine)
    with pytest.raises(ConfigurationError, match="CalDAV"):
        capture_caldav(
            uow, SYSTEM, url, CaptureOptions(owner_id=1), username="rep", password="wrong",
            **WINDOW,
        )  # fmt: skip
    engine.dispose()
