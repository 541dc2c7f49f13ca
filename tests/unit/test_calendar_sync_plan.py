"""What an incremental CalDAV run stores, decided from the changes and the stored copies (no I/O).

The server side of the same behaviour runs against Radicale in
tests/integration/test_capture_caldav.py; these are the cases a real server rarely produces.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from salestrack.capture.caldav_sync import Changes, Fetched
from salestrack.capture.calendar_capture import plan_sync, window
from salestrack.domain.clock import FixedClock
from salestrack.services.calendar_sync import CalendarState, StoredResource

START, END = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)


def _ics(uid: str, start: str, summary: str = "Meeting") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTART:{start}\r\nDURATION:PT1H\r\nSUMMARY:{summary}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _state(**copies: str) -> CalendarState:
    resources = {
        f"/cal/{name}.ics": StoredResource('"1"', data, False) for name, data in copies.items()
    }
    return CalendarState("token-1", (START, END), resources)


def test_a_malformed_resource_is_reported_and_its_stored_copy_kept() -> None:
    state = _state(a=_ics("a@x", "20260310T100000Z"))
    broken = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a@x\r\nEND:VCALENDAR\r\n"
    changes = Changes("token-2", [Fetched("/cal/a.ics", '"2"', broken)], [], "sync token")
    plan = plan_sync(state, changes, START, END, "UTC")
    [item] = plan.read.items
    assert item.problem is not None and item.problem[0] == "ics"
    assert item.problem[1].startswith("/cal/a.ics: line 4: END:VCALENDAR closes BEGIN:VEVENT")
    assert plan.keep == {}  # the copy stays as it was; its meeting is not cancelled


def test_an_event_moved_to_another_resource_is_not_cancelled() -> None:
    state = _state(a=_ics("a@x", "20260310T100000Z"))
    moved = Fetched("/cal/b.ics", '"1"', _ics("a@x", "20260311T100000Z"))
    changes = Changes("token-2", [moved], ["/cal/a.ics"], "sync token")
    plan = plan_sync(state, changes, START, END, "UTC")
    assert [(i.key, i.cancelled, i.started_at) for i in plan.read.items] == [
        ("a@x", False, datetime(2026, 3, 11, 10, tzinfo=UTC))
    ]


def test_a_changed_resource_cancels_only_what_it_no_longer_has() -> None:
    series = "RRULE:FREQ=WEEKLY;COUNT={}\r\nSUMMARY:Weekly"
    old = _ics("w@x", "20260302T090000Z", "Weekly").replace("SUMMARY:Weekly", series.format(4))
    new = old.replace("COUNT=4", "COUNT=2")
    state = _state(w=old)
    changes = Changes("token-2", [Fetched("/cal/w.ics", '"2"', new)], [], "sync token")
    plan = plan_sync(state, changes, START, END, "UTC")
    got = {(i.key.split("#")[1], i.cancelled) for i in plan.read.items}
    assert got == {
        ("20260302T090000Z", False),
        ("20260309T090000Z", False),
        ("20260316T090000Z", True),
        ("20260323T090000Z", True),
    }
    assert plan.keep["/cal/w.ics"].outside_window  # a series: a moved window reads it again


def test_a_moved_window_reads_again_only_copies_with_meetings_outside_it() -> None:
    state = _state(
        inside=_ics("in@x", "20260310T100000Z"), later=_ics("late@x", "20260420T100000Z")
    )
    state.resources["/cal/later.ics"] = StoredResource(
        '"1"', _ics("late@x", "20260420T100000Z"), True
    )
    nothing = Changes("token-1", [], [], "sync token")
    plan = plan_sync(state, nothing, START, datetime(2026, 5, 1, tzinfo=UTC), "UTC")
    assert [i.key for i in plan.read.items] == ["late@x"]
    assert plan.keep["/cal/later.ics"].outside_window is False  # inside the new window now
    assert plan_sync(state, nothing, START, END, "UTC").read.items == []  # same window: nothing


def test_the_default_window_stays_the_same_through_a_day() -> None:
    """A moved window re-reads every stored series; runs minutes apart must not move it."""
    clock = FixedClock(datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=UTC))
    uow: Any = SimpleNamespace(clock=clock)
    first = window(uow, None, None)
    clock.advance(timedelta(hours=14))
    assert window(uow, None, None) == first
    assert first[1] == datetime(2026, 8, 29, tzinfo=UTC)  # 180 days on, at the day's start
    clock.advance(timedelta(days=1))
    assert window(uow, None, None)[1] == datetime(2026, 8, 30, tzinfo=UTC)
