"""Interface language and formatting: gettext catalogs through Babel, one per shipped locale.

Strings in Python are marked with :func:`N_` (extracted, translated later) or translated on the
spot with a request's :class:`Formatter`. Numbers, money and dates are formatted by Babel for the
user's locale, and every time is shown in the user's time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.support import NullTranslations, Translations

LOCALES: tuple[str, ...] = ("en", "vi")
DEFAULT_LOCALE = "en"
CATALOGS = Path(__file__).parent / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker
    """Mark a string for extraction without translating it yet (translated when shown)."""
    return message


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog for ``locale`` (English is the source language: no catalog)."""
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    found = Translations.load(str(CATALOGS), [locale], DOMAIN)
    if not isinstance(found, Translations):
        raise FileNotFoundError(f"no compiled catalog for {locale!r} in {CATALOGS}")
    return found


def pick_locale(value: str | None) -> str:
    return value if value in LOCALES else DEFAULT_LOCALE


def _number(value: Any) -> float | int | Decimal | None:
    """A number to format, or None for missing values (None, NaN, NaT from a frame)."""
    if value is None or value != value:  # NaN is the one value unequal to itself
        return None
    if isinstance(value, int | float | Decimal):
        return value
    return float(value)


class Formatter:
    """Translate and format for one user: their locale, time zone and the org's currency."""

    def __init__(self, locale: str, time_zone: str, currency: str = "USD") -> None:
        self.locale = pick_locale(locale)
        self.babel = Locale.parse(self.locale)
        self.tz = ZoneInfo(time_zone or "UTC")
        self.currency = currency
        self._t = translations(self.locale)

    def _(self, message: str, **values: object) -> str:
        text = self._t.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        return self._t.ngettext(singular, plural, n) % {"num": n, **values}

    def num(self, value: Any, digits: int = 0) -> str:
        value = _number(value)
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return numbers.format_decimal(value, format=pattern, locale=self.babel)

    def pct(self, value: Any, digits: int = 0) -> str:
        value = _number(value)
        if value is None:
            return "–"
        pattern = "0" + ("." + "0" * digits if digits else "") + "%"
        return numbers.format_percent(value, format=pattern, locale=self.babel)

    def money(self, amount: Any, currency: str | None = None) -> str:
        """Money in its currency's own precision (VND has no minor unit, USD has cents)."""
        amount = _number(amount)
        if amount is None:
            return "–"
        return numbers.format_currency(
            amount, currency or self.currency, locale=self.babel, currency_digits=True
        )

    def local(self, value: datetime) -> datetime:
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(self.tz)

    def dt(self, value: datetime | None) -> str:
        if value is None:
            return "–"
        return dates.format_datetime(self.local(value), "short", tzinfo=self.tz, locale=self.babel)

    def time(self, value: datetime | None) -> str:
        if value is None:
            return "–"
        return dates.format_time(self.local(value), "short", tzinfo=self.tz, locale=self.babel)

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return "–"
        if isinstance(value, datetime):
            value = self.local(value).date()
        return dates.format_date(value, "medium", locale=self.babel)

    def days(self, value: Any) -> str:
        value = _number(value)
        if value is None:
            return "–"
        return self.ngettext("%(num)s day", "%(num)s days", round(value))
