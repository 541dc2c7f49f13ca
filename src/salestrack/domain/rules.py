"""Domain rules as pure functions: each raises ValidationFailed naming the field and reason."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from salestrack.errors import ValidationFailed

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_EMAIL = re.compile(EMAIL_PATTERN)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_AMOUNT = Decimal("1e15")


def require_text(field: str, value: str | None, *, max_len: int = 255) -> str:
    """Strip the text and insist it is present and not too long."""
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(field, "is required")
    if len(text) > max_len:
        raise ValidationFailed(field, f"is longer than {max_len} characters")
    return text


def optional_text(field: str, value: str | None, *, max_len: int = 10_000) -> str | None:
    """Strip the text; empty becomes None."""
    if value is None:
        return None
    text = value.strip()
    if len(text) > max_len:
        raise ValidationFailed(field, f"is longer than {max_len} characters")
    return text or None


def normalize_email(field: str, value: str | None) -> str | None:
    """Lower-case an e-mail address and check its shape (case never distinguishes mailboxes)."""
    if value is None or not value.strip():
        return None
    email = value.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise ValidationFailed(field, f"{value!r} is not an e-mail address")
    return email


def choice(field: str, value: str, allowed: Iterable[str]) -> str:
    """Insist the value is one of the allowed ones, listing them when it is not."""
    options = tuple(allowed)
    if value not in options:
        raise ValidationFailed(field, f"{value!r} is not one of {', '.join(options)}")
    return value


def money(
    field: str, value: Decimal | int | str | float, *, allow_negative: bool = False
) -> Decimal:
    """Parse an amount as Decimal with two places; negative amounts only where allowed."""
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(field, f"{value!r} is not a number") from exc
    if not amount.is_finite():
        raise ValidationFailed(field, "must be a finite number")
    if amount < 0 and not allow_negative:
        raise ValidationFailed(field, "must not be negative")
    if abs(amount) >= MAX_AMOUNT:
        raise ValidationFailed(field, "is too large")
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def currency(field: str, value: str) -> str:
    code = value.strip().upper()
    if not _CURRENCY.match(code):
        raise ValidationFailed(field, f"{value!r} is not a three-letter ISO 4217 code")
    return code


def time_zone(field: str, value: str) -> str:
    """Check an IANA time zone name such as Europe/Berlin."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(field, f"{value!r} is not an IANA time zone") from exc
    return value


def utc(field: str, value: datetime) -> datetime:
    """Insist a timestamp carries its offset, and return it in UTC (the store keeps UTC)."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValidationFailed(field, "must carry a time zone offset")
    return value.astimezone(UTC)


def ordered(start_field: str, start: datetime | None, end_field: str, end: datetime | None) -> None:
    """An end must not come before its start."""
    if start is not None and end is not None and end < start:
        raise ValidationFailed(end_field, f"is before {start_field}")


def duration(field: str, seconds: int | None) -> int | None:
    if seconds is None:
        return None
    if seconds < 0:
        raise ValidationFailed(field, "must not be negative")
    if seconds > int(timedelta(days=2).total_seconds()):
        raise ValidationFailed(field, "is longer than two days")
    return seconds


def outcome(type_key: str, value: str | None, vocabulary: Iterable[str]) -> str:
    """Completing an activity needs an outcome from its type's vocabulary."""
    if value is None or not value.strip():
        raise ValidationFailed("outcome", f"is required to complete a {type_key}")
    return choice("outcome", value.strip(), vocabulary)


def coordinates(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise ValidationFailed(
            "latitude" if lat is None else "longitude", "is required with the other"
        )
    if lat is not None and not -90 <= lat <= 90:
        raise ValidationFailed("latitude", "must be between -90 and 90")
    if lon is not None and not -180 <= lon <= 180:
        raise ValidationFailed("longitude", "must be between -180 and 180")


def score(kind: str, value: int) -> int:
    """CSAT is 1-5, NPS 0-10."""
    low, high = (1, 5) if kind == "csat" else (0, 10)
    if not low <= value <= high:
        raise ValidationFailed("score", f"must be between {low} and {high} for {kind}")
    return value
