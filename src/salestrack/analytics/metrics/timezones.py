"""Local time in any IANA zone, as plain Ibis arithmetic that runs the same on every engine.

Ibis has no time-zone conversion operation, and the engines spell it differently (DuckDB's ICU
``timezone()``, Spark's ``from_utc_timestamp``). A zone's UTC offset is constant between two
transitions, so local time is ``utc + offset`` where the offset is picked by comparing the
timestamp with the transition instants: a balanced tree of CASE expressions, exact and portable,
with as many leaves as the zone has transitions in the queried range (two a year with DST).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ibis
import ibis.expr.types as ir

from salestrack.errors import ValidationFailed

UNITS = {"day": "D", "week": "W", "month": "M", "quarter": "Q"}
EARLIEST = datetime(1970, 1, 1)
LATEST = datetime(2100, 1, 1)
Segment = tuple[datetime, int]  # (naive UTC instant from which it applies, offset seconds)


def zone(name: str) -> ZoneInfo:
    """The zone called ``name``, or a validation error naming the option."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed("tz", f"{name!r} is not an IANA time zone") from exc


def moment(value: str | None, tz: str, field: str) -> datetime | None:
    """``2026-03-01`` (midnight) or ``2026-03-01T09:00``, read as wall-clock time in ``tz``
    unless it carries its own offset: how the CLI and the API read a window's bounds."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(field, f"{value!r} is not a date (YYYY-MM-DD[THH:MM])") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone(tz))


def _offset(tz: ZoneInfo, at: datetime) -> int:
    delta = at.replace(tzinfo=UTC).astimezone(tz).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


@lru_cache(maxsize=256)
def offset_segments(tz_name: str, lo: datetime, hi: datetime) -> tuple[Segment, ...]:
    """The zone's UTC offsets between naive UTC ``lo`` and ``hi``, one per constant stretch.

    Scans day by day and bisects each day where the offset changed down to the second, so every
    historical oddity of the tz database (half-hour zones, one-off shifts) is honoured.
    """
    tz = zone(tz_name)
    segments = [(lo, _offset(tz, lo))]
    day = lo
    while day < hi:
        nxt = min(day + timedelta(days=1), hi)
        if _offset(tz, nxt) != segments[-1][1]:
            left, right = day, nxt  # the change happens in (left, right]
            while right - left > timedelta(seconds=1):
                mid = left + (right - left) / 2
                if _offset(tz, mid) == segments[-1][1]:
                    left = mid
                else:
                    right = mid
            segments.append((right.replace(microsecond=0), _offset(tz, right)))
        day = nxt
    return tuple(segments)


def _tree(ts: ir.TimestampValue, segments: tuple[Segment, ...]) -> ir.TimestampValue:
    if len(segments) == 1:
        return ts + ibis.interval(seconds=segments[0][1]) if segments[0][1] else ts
    middle = len(segments) // 2
    split = segments[middle][0]
    return ibis.ifelse(ts < split, _tree(ts, segments[:middle]), _tree(ts, segments[middle:]))


def local_time(
    ts: ir.TimestampValue, tz_name: str, lo: datetime | None = None, hi: datetime | None = None
) -> ir.TimestampValue:
    """Naive UTC ``ts`` as naive wall-clock time in ``tz_name``.

    ``lo``/``hi`` (naive UTC) bound the instants that matter; outside them the nearest known
    offset is used, so pass the query's range to keep the expression small.
    """
    lo = (lo or EARLIEST) - timedelta(days=1)
    hi = (hi or LATEST) + timedelta(days=1)
    return _tree(ts, offset_segments(tz_name, lo, hi))


def period_start(local: datetime, period: str) -> datetime:
    """The start of the period (ISO week from Monday) holding wall-clock time ``local``."""
    day = local.date()
    if period == "day":
        start = day
    elif period == "week":
        start = day - timedelta(days=day.weekday())
    elif period == "month":
        start = day.replace(day=1)
    else:
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return datetime(start.year, start.month, start.day)


def next_period(start: datetime, period: str) -> datetime:
    """The start of the period after the one starting at ``start``."""
    if period == "day":
        return start + timedelta(days=1)
    if period == "week":
        return start + timedelta(days=7)
    months = 1 if period == "month" else 3
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1)


def periods_between(start: datetime, end: datetime, period: str, tz_name: str) -> list[datetime]:
    """Local starts of every period overlapping [start, end) (aware instants)."""
    tz = zone(tz_name)
    first = period_start(start.astimezone(tz).replace(tzinfo=None), period)
    last = end.astimezone(tz).replace(tzinfo=None)
    out = []
    current = first
    while current < last:
        out.append(current)
        current = next_period(current, period)
    return out


def to_utc_naive(value: datetime) -> datetime:
    """An aware instant as the warehouse stores it (naive UTC); naive input is taken as UTC."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
