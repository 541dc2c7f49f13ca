"""An iCalendar file -> captured meetings: expanded, keyed, with cancellations and collisions.

- **Window**: recurring events are expanded (``recurring-ical-events``) over ``[start, end)``;
  single events count when they overlap it. All-day events (a date, no time) are skipped and
  counted: they are holidays and out-of-office blocks, not meetings.
- **Key**: ``UID`` for a single event, ``UID#RECURRENCE-ID`` (UTC) for an occurrence of a
  series, so a modified instance (RECURRENCE-ID) replaces the occurrence it modifies.
- **Cancelled**: ``STATUS:CANCELLED`` (series, single event or one instance) and each
  ``EXDATE`` inside the window become cancelled activities with the key of the occurrence.
- **Shared UID**: two *different* events (no RECURRENCE-ID, other start or title) sharing a UID
  are both kept, each under ``UID~<digest of start and title>``, and reported in the notes.
- **Malformed**: the whole file is refused with the line and the reason before anything is
  written (unbalanced BEGIN/END, a line that is not a content line, an unreadable value).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from salestrack.capture.email_message import MAX_NOTES, MAX_SUBJECT, short_key
from salestrack.errors import ImportRowError
from salestrack.services.capture import CapturedActivity, Person


@dataclass
class CalendarRead:
    """The meetings read from a calendar and what was noticed on the way."""

    items: list[CapturedActivity] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped_all_day: int = 0
    shared_uids: dict[str, int] = field(default_factory=dict)  # UID -> different events


def content_lines(text: str) -> list[tuple[int, str]]:
    """Unfolded content lines with the physical line each starts on (RFC 5545 folding)."""
    unfolded: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] = (unfolded[-1][0], unfolded[-1][1] + line[1:])
        elif line.strip():
            unfolded.append((number, line))
    return unfolded


def check_structure(text: str) -> list[int]:
    """Balanced BEGIN/END and content lines; returns the line of each ``BEGIN:VEVENT``."""
    stack: list[tuple[str, int]] = []
    events: list[int] = []
    for number, line in content_lines(text):
        name, colon, value = line.partition(":")
        if not colon:
            raise ImportRowError(number, "ics", f"{line[:60]!r} is not an iCalendar content line")
        verb, value = name.split(";")[0].upper(), value.strip().upper()
        if verb == "BEGIN":
            stack.append((value, number))
            if value == "VEVENT":
                events.append(number)
        elif verb == "END":
            if not stack or stack[-1][0] != value:
                opened = f"BEGIN:{stack[-1][0]} of line {stack[-1][1]}" if stack else "nothing"
                raise ImportRowError(number, "ics", f"END:{value} closes {opened}")
            stack.pop()
    if stack:
        what, number = stack[-1]
        raise ImportRowError(number, "ics", f"BEGIN:{what} is never closed (file truncated?)")
    return events


def parse_calendar(data: bytes) -> tuple[icalendar.Calendar, list[int]]:
    """Parse an .ics file, refusing it whole (with a line) when anything in it is malformed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRowError(
            data[: exc.start].count(b"\n") + 1, "ics", "is not UTF-8 (RFC 5545 requires it)"
        ) from exc
    lines = check_structure(text)
    if not lines and "BEGIN:VCALENDAR" not in text.upper():
        raise ImportRowError(1, "ics", "is not an iCalendar file (no BEGIN:VCALENDAR)")
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise ImportRowError(1, "ics", str(exc).split("\n")[0][:200]) from exc
    for line, event in zip(lines, calendar.walk("VEVENT"), strict=False):
        for name, reason in getattr(event, "errors", []):
            raise ImportRowError(line, str(name), str(reason))
    return calendar, lines


def _utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)  # floating time: the owner's zone
    return value.astimezone(UTC)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def _person(value: Any) -> Person | None:
    address = str(value).strip()
    if address.lower().startswith("mailto:"):
        address = address[7:]
    if "@" not in address:
        return None
    name = value.params.get("CN") if hasattr(value, "params") else None
    return Person(address.lower(), str(name) if name else None)


def _attendees(event: Any) -> tuple[Person, ...]:
    raw = event.get("ATTENDEE", [])
    values = raw if isinstance(raw, list) else [raw]
    return tuple(p for p in (_person(v) for v in values) if p is not None)


def _notes(event: Any) -> str | None:
    parts = [str(event[name]).strip() for name in ("DESCRIPTION",) if event.get(name)]
    if event.get("LOCATION"):
        parts.append(f"Location: {str(event['LOCATION']).strip()}")
    text = "\n\n".join(p for p in parts if p)
    return text[:MAX_NOTES] or None


@dataclass(frozen=True)
class _Series:
    """One event with its modified instances, under the key base it is stored with."""

    base: str
    master: Any
    overrides: tuple[Any, ...]
    position: int

    @property
    def recurring(self) -> bool:
        """A series (RRULE / RDATE), or modified instances whose series is elsewhere."""
        master = self.master
        return master is None or any(master.get(n) is not None for n in ("RRULE", "RDATE"))


def _series(calendar: icalendar.Calendar, lines: list[int], read: CalendarRead) -> list[_Series]:
    """Group VEVENTs by UID; different events sharing a UID each get a key of their own."""
    groups: dict[str, list[tuple[int, Any]]] = {}
    positions = iter(lines)
    for event in calendar.walk("VEVENT"):
        groups.setdefault(str(event.get("UID", "")).strip(), []).append((next(positions), event))
    out: list[_Series] = []
    for uid, events in groups.items():
        masters = [(p, e) for p, e in events if e.get("RECURRENCE-ID") is None]
        overrides = tuple(e for _, e in events if e.get("RECURRENCE-ID") is not None)
        distinct: dict[str, tuple[int, Any]] = {}
        for position, event in masters:
            distinct.setdefault(_fingerprint(event), (position, event))
        if len(distinct) > 1:
            read.shared_uids[uid] = len(distinct)
        first = min((p for p, _ in distinct.values()), default=0)
        for fingerprint, (position, event) in distinct.items():
            base = uid if len(distinct) == 1 else f"{uid}~{fingerprint}"
            # Modified instances belong to the first of events sharing a UID (file order).
            mine = overrides if position == first else ()
            out.append(_Series(base, event, mine, position))
        if not masters:  # only modified instances, e.g. one invitation out of a series
            out.append(_Series(uid, None, overrides, min(p for p, _ in events)))
    return out


def _fingerprint(event: Any) -> str:
    start = event.get("DTSTART")
    text = f"{start.to_ical().decode() if start is not None else ''}|{event.get('SUMMARY', '')}"
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def read_events(
    calendar: icalendar.Calendar,
    lines: list[int],
    *,
    start: datetime,
    end: datetime,
    zone: str = "UTC",
) -> CalendarRead:
    """The meetings of a parsed calendar in ``[start, end)``, keyed and with cancellations."""
    read, tz = CalendarRead(), ZoneInfo(zone)
    timezones = list(calendar.walk("VTIMEZONE"))
    for series in _series(calendar, lines, read):
        if not series.base:
            read.items.append(_problem(series.position, "UID", "is missing"))
            continue
        parts = [series.master] if series.master is not None else []
        holder = icalendar.Calendar()
        for component in [*timezones, *parts, *series.overrides]:
            holder.add_component(component)
        try:
            occurrences = recurring_ical_events.of(holder).between(start, end)
        except (ValueError, TypeError, KeyError) as exc:
            read.items.append(_problem(series.position, "RRULE", str(exc)[:200]))
            continue
        for occurrence in occurrences:
            item = _occurrence(series, occurrence, tz, read)
            if item is not None:
                read.items.append(item)
        if series.master is not None:
            read.items.extend(_excluded(series, tz, start, end, read))
    for uid, count in read.shared_uids.items():
        read.notes.append(f"UID {uid} is shared by {count} different events: each kept")
    if read.skipped_all_day:
        read.notes.append(f"{read.skipped_all_day:,} all-day events skipped (not meetings)")
    return read


def _problem(position: int, name: str, reason: str) -> CapturedActivity:
    return CapturedActivity(
        "calendar", f"invalid-{position}", "meeting", position, None, problem=(name, reason)
    )


def _occurrence(
    series: _Series, event: Any, tz: ZoneInfo, read: CalendarRead
) -> CapturedActivity | None:
    if event.get("DTSTART") is None:
        return _problem(series.position, "DTSTART", "is missing")
    begin = event["DTSTART"].dt
    if not isinstance(begin, datetime):
        read.skipped_all_day += 1
        return None
    started = _utc(begin, tz)
    finish = event.get("DTEND")
    ended = _utc(finish.dt, tz) if finish is not None else started
    if finish is None and event.get("DURATION") is not None:
        ended = started + event["DURATION"].dt
    rid = event.get("RECURRENCE-ID")
    if rid is None or not series.recurring:  # the library stamps single events too
        key = series.base
    else:
        key = f"{series.base}#{_stamp(_utc(rid.dt, tz))}"
    return _meeting(series, event, key, started, ended, cancelled=_is_cancelled(event))


def _is_cancelled(event: Any) -> bool:
    return str(event.get("STATUS", "")).upper() == "CANCELLED"


def _meeting(
    series: _Series, event: Any, key: str, started: datetime, ended: datetime, *, cancelled: bool
) -> CapturedActivity:
    summary = str(event.get("SUMMARY", "")).strip() or None
    organizer = event.get("ORGANIZER")
    return CapturedActivity(
        source="calendar",
        key=short_key(key),
        type="meeting",
        position=series.position,
        started_at=started,
        ended_at=ended,
        sender=_person(organizer) if organizer is not None else None,
        others=_attendees(event),
        subject=summary[:MAX_SUBJECT] if summary else None,
        notes=_notes(event),
        cancelled=cancelled,
    )


def _excluded(
    series: _Series, tz: ZoneInfo, start: datetime, end: datetime, read: CalendarRead
) -> Iterable[CapturedActivity]:
    """Each EXDATE inside the window: the occurrence it removed, as a cancelled meeting."""
    master = series.master
    if master.get("DTSTART") is None or not isinstance(master["DTSTART"].dt, datetime):
        return []
    first = _utc(master["DTSTART"].dt, tz)
    finish = master.get("DTEND")
    length = (_utc(finish.dt, tz) - first) if finish is not None else timedelta(0)
    raw = master.get("EXDATE", [])
    found = []
    for values in raw if isinstance(raw, list) else [raw]:
        for value in values.dts:
            when = _utc(value.dt, tz)
            if start <= when < end:
                key = f"{series.base}#{_stamp(when)}"
                found.append(_meeting(series, master, key, when, when + length, cancelled=True))
    return found
