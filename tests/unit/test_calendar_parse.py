"""Malformed iCalendar files are refused whole, naming the line and the reason."""

from __future__ import annotations

import pytest

from salestrack.capture.calendar_events import parse_calendar
from salestrack.errors import ImportRowError

EVENT = "BEGIN:VEVENT\nUID:{uid}\nDTSTART:{start}\nEND:VEVENT\n"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART:20260301T100000Z\nEND:VCALENDAR\n", 5,
         "closes BEGIN:VEVENT of line 2"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART:20260301T100000Z\n", 2, "never closed"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nthis is not ical\nEND:VEVENT\nEND:VCALENDAR\n", 4,
         "not an iCalendar content line"),
        ("BEGIN:VCALENDAR\n" + EVENT.format(uid="a", start="20260301T100000Z")
         + EVENT.format(uid="b", start="2026BAD") + "END:VCALENDAR\n", 6, "2026BAD"),
        ("hello\n", 1, "not an iCalendar content line"),
        ("X:1\n", 1, "no BEGIN:VCALENDAR"),
    ],
)  # fmt: skip
def test_malformed_ics_names_line_and_reason(text: str, line: int, words: str) -> None:
    with pytest.raises(ImportRowError) as err:
        parse_calendar(text.encode())
    assert err.value.line == line and words in err.value.reason


def test_folded_lines_and_a_bom_are_fine() -> None:
    text = (
        "\ufeffBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nATTENDEE;CN=Ann B\r\n uyer:mailto:a"
        "@b.example\r\nDTSTART:20260301T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    calendar, lines = parse_calendar(text.encode())
    assert lines == [2] and len(calendar.walk("VEVENT")) == 1


def test_not_utf8_names_the_line() -> None:
    data = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Café\n".encode("latin-1")
    with pytest.raises(ImportRowError) as err:
        parse_calendar(data)
    assert err.value.line == 3 and "UTF-8" in err.value.reason
