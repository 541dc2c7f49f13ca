"""Calendar capture from .ics files: PyCon UK 2015, Google / Outlook / Thunderbird exports,
recurrences, modified and cancelled instances, a shared UID, malformed files."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest

from salestrack.capture.calendar_capture import capture_ics
from salestrack.domain.actor import SYSTEM
from salestrack.errors import ImportRowError
from salestrack.services.accounts import create_contact
from salestrack.services.capture import CaptureOptions
from salestrack.store.uow import UnitOfWork
from tests.conftest import SHARED_DATA
from tests.factories import make_account, make_user
from tests.mail_helpers import activities

PYCON = SHARED_DATA / "calendar" / "pyconuk-2015-schedule.ics"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calendar"
MARCH = (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))


def _options(uow: UnitOfWork) -> CaptureOptions:
    return CaptureOptions(owner_id=make_user(uow, email="rep@ours.example").id)


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_pycon_schedule_every_event_kept_and_the_shared_uid_reported(uow: UnitOfWork) -> None:
    # Counted independently with icalendar: VEVENTs, and UIDs used by more than one of them.
    events = icalendar.Calendar.from_ical(PYCON.read_bytes()).walk("VEVENT")
    uids = Counter(str(e["UID"]) for e in events)
    shared = [uid for uid, n in uids.items() if n > 1]
    assert (len(events), len(shared)) == (162, 1)
    options = _options(uow)
    report = capture_ics(uow, SYSTEM, PYCON, options)
    assert (report.read, report.created, report.rejected) == (162, 162, 0)
    assert any(shared[0] in note and "2 different events" in note for note in report.notes)
    stored = activities(uow, "calendar")
    assert len(stored) == 162
    twins = sorted(a.subject or "" for k, a in stored.items() if k.startswith(shared[0]))
    assert twins == ["Open Space", "Power: Python in Astronomy (talk by Tomas James)"]
    assert {a.status for a in stored.values()} == {"done"}  # 2015: all held by now
    assert all(a.outcome == "held" for a in stored.values())
    opening = next(a for a in stored.values() if a.subject == "Opening Plenary")
    assert (opening.started_at, opening.duration_s) == (_utc(2015, 9, 18, 8, 30), 3600)
    again = capture_ics(uow, SYSTEM, PYCON, options)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 162)


def test_google_export_recurrence_exdate_moved_instance_cancelled_and_all_day(
    uow: UnitOfWork,
) -> None:
    options = _options(uow)
    account = make_account(uow)
    ann = create_contact(
        uow, SYSTEM, name="Ann Buyer", email="ann.buyer@client.example", account_id=account.id
    )
    report = capture_ics(uow, SYSTEM, FIXTURES / "google-export.ics", options, start=MARCH[0],
                         end=MARCH[1])  # fmt: skip
    assert (report.read, report.created, report.rejected) == (7, 7, 0)
    assert any("1 all-day" in note for note in report.notes)
    uid = "5t1d0vqmq8l4j7h2k3o9c6b1a0@google.com"
    got = activities(uow, "calendar")
    # Weekly on Mondays 10:00 Berlin: CET (UTC+1) until 29 March, then CEST (UTC+2).
    expected = {
        f"{uid}#20260302T090000Z": ("planned", _utc(2026, 3, 2, 9)),
        f"{uid}#20260309T090000Z": ("planned", _utc(2026, 3, 9, 9)),
        f"{uid}#20260316T090000Z": ("cancelled", _utc(2026, 3, 16, 9)),  # EXDATE
        f"{uid}#20260323T090000Z": ("planned", _utc(2026, 3, 23, 14)),  # moved to 15:00 CET
        f"{uid}#20260330T080000Z": ("planned", _utc(2026, 3, 30, 8)),
        f"{uid}#20260406T080000Z": ("planned", _utc(2026, 4, 6, 8)),
        "0b8s7p6q5r4t3u2v1w0x9y8z7a@google.com": ("cancelled", _utc(2026, 3, 4, 13)),
    }
    assert {k: (a.status, a.started_at) for k, a in got.items()} == expected
    moved = got[f"{uid}#20260323T090000Z"]
    assert moved.subject == "Client weekly (moved to the afternoon)"
    assert (moved.contact_id, moved.account_id, moved.direction) == (ann.id, account.id, "outbound")
    assert got["0b8s7p6q5r4t3u2v1w0x9y8z7a@google.com"].direction == "inbound"


def test_outlook_export_windows_time_zone_and_cancelled_instance(uow: UnitOfWork) -> None:
    report = capture_ics(uow, SYSTEM, FIXTURES / "outlook-export.ics", _options(uow),
                         start=MARCH[0], end=MARCH[1])  # fmt: skip
    assert (report.read, report.created) == (3, 3)
    got = sorted(
        (a.started_at, a.status, a.direction) for a in activities(uow, "calendar").values()
    )
    # Daily 09:00 "W. Europe Standard Time" (UTC+1 in early March); the 4th moved and cancelled.
    assert got == [
        (_utc(2026, 3, 3, 8), "planned", "inbound"),
        (_utc(2026, 3, 4, 8, 15), "cancelled", "inbound"),
        (_utc(2026, 3, 5, 8), "planned", "inbound"),
    ]


def test_thunderbird_export_and_a_meeting_that_ended(uow: UnitOfWork) -> None:
    report = capture_ics(uow, SYSTEM, FIXTURES / "thunderbird-export.ics", _options(uow))
    assert (report.read, report.created) == (2, 2)
    got = {a.subject: a for a in activities(uow, "calendar").values()}
    demo, lunch = got["Demo for Client"], got["Lunch with Frank"]
    # 14:00 New York on 10 March 2026 is EDT (UTC-4): DST began on 8 March.
    assert (demo.started_at, demo.status, demo.due_at) == (_utc(2026, 3, 10, 18), "planned",
                                                           _utc(2026, 3, 10, 18))  # fmt: skip
    assert (lunch.started_at, lunch.status, lunch.outcome) == (_utc(2026, 2, 27, 17), "cancelled",
                                                               None)  # fmt: skip


def test_recapture_after_the_meeting_ended_and_after_a_cancellation(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    from salestrack.domain.clock import FixedClock

    options = _options(uow)
    source = (FIXTURES / "thunderbird-export.ics").read_text()
    path = tmp_path / "cal.ics"
    path.write_text(source)
    capture_ics(uow, SYSTEM, path, options)
    assert isinstance(uow.clock, FixedClock)
    uow.clock.advance(_utc(2026, 3, 11) - uow.clock.now())
    report = capture_ics(uow, SYSTEM, path, options)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    demo = activities(uow, "calendar")["7d3c1f2e-5a4b-4c6d-8e9f-0a1b2c3d4e5f"]
    assert (demo.status, demo.outcome) == ("done", "held")
    path.write_text(source.replace("SEQUENCE:1\n", "SEQUENCE:2\nSTATUS:CANCELLED\n"))
    capture_ics(uow, SYSTEM, path, options)
    demo = activities(uow, "calendar")["7d3c1f2e-5a4b-4c6d-8e9f-0a1b2c3d4e5f"]
    assert (demo.status, demo.outcome) == ("cancelled", None)


def test_malformed_ics_is_refused_and_nothing_written(uow: UnitOfWork, tmp_path: Path) -> None:
    # The events before the broken one are fine: still none of them is written.
    path = tmp_path / "bad.ics"
    path.write_text((FIXTURES / "thunderbird-export.ics").read_text() + "BEGIN:VEVENT\nUID:x\n")
    with pytest.raises(ImportRowError, match="never closed"):
        capture_ics(uow, SYSTEM, path, _options(uow))
    assert activities(uow, "calendar") == {}
