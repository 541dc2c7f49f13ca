"""Business time: working days, local clock times and opening hours, as pure functions.

Planned work lands on a working day (no weekend, no team holiday) at a local clock time of the
person it is about, because "call on Tuesday at 10:00" means 10:00 where the prospect is.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from salestrack.errors import ValidationFailed

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())
BUSINESS_START = time(9, 0)
BUSINESS_END = time(17, 0)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def parse_hhmm(field: str, text: str) -> time:
    """``"09:30"`` -> time(9, 30); names the field when the text is not a clock time."""
    match = _HHMM.match(text.strip())
    if not match:
        raise ValidationFailed(field, f"{text!r} is not a clock time like 09:30")
    return time(int(match.group(1)), int(match.group(2)))


def parse_opening_hours(text: str | None) -> list[tuple[time, time]]:
    """``"08:00-12:00, 13:00-17:30"`` -> ordered ranges; empty text means business hours."""
    if text is None or not text.strip():
        return [(BUSINESS_START, BUSINESS_END)]
    ranges = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if not match:
            raise ValidationFailed("opening_hours", f"{part.strip()!r} is not like 08:00-17:00")
        start = parse_hhmm("opening_hours", match.group(1))
        end = parse_hhmm("opening_hours", match.group(2))
        if end <= start:
            raise ValidationFailed("opening_hours", f"{part.strip()!r} ends before it starts")
        ranges.append((start, end))
    return sorted(ranges)


def zone(*names: str | None, default: str = "UTC") -> ZoneInfo:
    """The first usable IANA zone among ``names`` (contact, account, owner, ...), else default."""
    for name in names:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo(default)


def holiday_dates(values: Iterable[str] | None) -> frozenset[date]:
    """A team's holidays (ISO date strings) as dates; malformed entries are refused loudly."""
    days = set()
    for value in values or ():
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError as exc:
            raise ValidationFailed("holidays", f"{value!r} is not an ISO date") from exc
    return frozenset(days)


def is_business_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() not in WEEKEND and day not in holidays


def add_business_days(day: date, days: int, holidays: Collection[date] = ()) -> date:
    """The date ``days`` working days after ``day``; 0 gives ``day`` itself or the next one."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = day
    if days == 0:
        while not is_business_day(current, holidays):
            current += timedelta(days=1)
        return current
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if is_business_day(current, holidays):
            counted += 1
    return current


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``day`` at local clock time ``at`` in ``tz``, as an aware UTC datetime.

    A time that does not exist on a spring-forward day comes out moved forward by the gap, as a
    wall clock would (PEP 495, fold=0); an ambiguous one takes the first occurrence.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def next_slot(
    after: datetime, days: int, at: time, tz: ZoneInfo, holidays: Collection[date] = ()
) -> datetime:
    """``days`` working days after the local date of ``after``, at local time ``at`` (UTC out).

    With ``days == 0`` it is today at ``at`` when that is still ahead on a working day, else
    the next working day: a rule never plans work in the past or on a day off.
    """
    local_day = after.astimezone(tz).date()
    day = add_business_days(local_day, days, holidays)
    moment = local_moment(day, at, tz)
    while moment <= after or not is_business_day(day, holidays):
        day = add_business_days(day + timedelta(days=1), 0, holidays)
        moment = local_moment(day, at, tz)
    return moment


def clamp_to_hours(at: time, start: time = BUSINESS_START, end: time = BUSINESS_END) -> time:
    """Move a clock time into business hours (before opening -> opening, late -> last hour)."""
    if at < start:
        return start
    if at >= end:
        last = datetime.combine(date.min, end) - timedelta(hours=1)
        return max(start, last.time())
    return at
