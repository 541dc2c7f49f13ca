"""Field rules applied to a whole chunk of imported rows at once (pandas), not row by row.

A million-row import checked one value at a time would spend minutes in Python. These are the
column-wise twins of the scalar rules in :mod:`salestrack.domain.rules`, built from the same
vocabularies and limits; ``tests/unit/test_import_rules.py`` checks that both accept and refuse
the same values. Each check records the first problem of each row (field and reason) in a
:class:`RowProblems`, so a reject always names one field and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salestrack.domain import rules

EARLIEST = pd.Timestamp("1900-01-01", tz="UTC")
NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"  # ASCII digits only
FUTURE_YEARS = 10  # a date further ahead than this is a typo (e.g. 2205), not a plan


class RowProblems:
    """The first problem (field, reason) of each row of a chunk, by position."""

    def __init__(self, n: int) -> None:
        self.field = np.full(n, None, dtype=object)
        self.reason = np.full(n, None, dtype=object)

    def __len__(self) -> int:
        return len(self.field)

    @property
    def ok(self) -> np.ndarray:
        """Rows without a problem so far."""
        return pd.isna(self.field)

    def add(
        self,
        field: str,
        mask: np.ndarray | pd.Series,
        reason: str,
        values: pd.Series | None = None,
    ) -> None:
        """Record ``reason`` for the masked rows that have no problem yet.

        With ``values``, ``reason`` is a template whose ``{}`` takes the row's value (repr);
        it is only formatted for the rows that fail, which keeps valid chunks cheap.
        """
        hit = np.asarray(mask, dtype=bool) & self.ok
        if not hit.any():
            return
        self.field[hit] = field
        if values is None:
            self.reason[hit] = reason
        else:
            failing = np.asarray(values, dtype=object)[hit]
            self.reason[hit] = np.array([reason.format(repr(v)) for v in failing], dtype=object)

    def add_each(
        self, field: str, mask: np.ndarray | pd.Series, message: Callable[[int], str]
    ) -> None:
        """Record ``message(position)`` for each masked row without a problem yet."""
        hit = np.asarray(mask, dtype=bool) & self.ok
        for position in np.flatnonzero(hit):
            self.field[position], self.reason[position] = field, message(int(position))

    def add_at(self, position: int, field: str, reason: str) -> None:
        if self.field[position] is None:
            self.field[position], self.reason[position] = field, reason

    def items(self) -> Iterable[tuple[int, str, str]]:
        for position in np.flatnonzero(~self.ok):
            yield int(position), str(self.field[position]), str(self.reason[position])


def text(
    frame: pd.DataFrame,
    problems: RowProblems,
    field: str,
    *,
    max_len: int,
    required: bool = False,
) -> pd.Series:
    """Strip text; empty becomes missing (None); too long or a missing required value is refused."""
    return _objects(_text_cells(frame, problems, field, max_len, required), frame.index)


def _text_cells(
    frame: pd.DataFrame, problems: RowProblems, field: str, max_len: int, required: bool
) -> pa.Array:
    """:func:`text` in Arrow, for rules that go on checking the text vectorised."""
    if field not in frame:
        if required:
            problems.add(field, np.ones(len(frame), dtype=bool), "is required")
        return pa.nulls(len(frame), pa.string())
    cells = arrow_text(frame[field])
    if required:
        problems.add(field, _mask(cells.is_null()), "is required")
    too_long = pc.greater(pc.utf8_length(cells), max_len)
    problems.add(field, _mask(too_long), f"is longer than {max_len} characters")
    return cells


def _mask(flags: pa.Array) -> np.ndarray:
    """An Arrow boolean column as a numpy mask; null (a missing cell) is False."""
    return np.asarray(pc.fill_null(flags, False).to_numpy(zero_copy_only=False), dtype=bool)


def arrow_text(values: pd.Series) -> pa.Array:
    """Cells as stripped text in Arrow, empty and missing as null.

    The one normalisation every text rule starts from, done vectorised: per cell in Python it
    cost more than the checks themselves. Arrow trims exactly the characters ``str.strip``
    does (Unicode white space). Cells that are not text (numbers in a JSON Lines file) are
    read as their text.
    """
    try:
        cells = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        cells = pa.array(values.where(values.isna(), values.astype(str)), from_pandas=True)
    trimmed = pc.utf8_trim_whitespace(cells)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def clean_text(values: pd.Series) -> pd.Series:
    """Text without surrounding spaces; empty and missing become None (object dtype)."""
    return _objects(arrow_text(values), values.index)


def _objects(cells: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(cells.to_numpy(zero_copy_only=False), index=index, dtype=object)


def choice(
    frame: pd.DataFrame,
    problems: RowProblems,
    field: str,
    allowed: Iterable[str],
    *,
    default: str | None = None,
    required: bool = False,
) -> pd.Series:
    """A value from a closed list (after mapping); missing takes ``default``."""
    options = tuple(allowed)
    values = text(frame, problems, field, max_len=255)
    if default is not None:
        values = values.fillna(default)
    if required:
        problems.add(field, values.isna().to_numpy(), "is required")
    bad = values.notna() & ~values.isin(options)
    problems.add(field, bad.to_numpy(), f"{{}} is not one of {', '.join(options)}", values)
    return values


def timestamp(
    frame: pd.DataFrame, problems: RowProblems, field: str, now: datetime, *, required: bool = False
) -> pd.Series:
    """A UTC timestamp column (already parsed by the reader) within a plausible range."""
    if field not in frame:
        values = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us, UTC]")
    else:
        values = frame[field]
    if required:
        problems.add(field, values.isna().to_numpy(), "is required")
    latest = pd.Timestamp(now) + pd.DateOffset(years=FUTURE_YEARS)
    problems.add(field, (values < EARLIEST).to_numpy(), "is before 1900")
    problems.add(
        field, (values > latest).to_numpy(), f"is more than {FUTURE_YEARS} years in the future"
    )
    return values


def number(
    frame: pd.DataFrame,
    problems: RowProblems,
    field: str,
    *,
    low: float | None = None,
    high: float | None = None,
    whole: bool = False,
) -> pd.Series:
    """A number written with ASCII digits; superscripts or full-width digits are refused.

    ``float('１２３')`` would accept full-width digits and ``'⁰⁴⁵'.isdigit()`` is True, so the
    rule is stated once here: only ``[+-]digits[.digits][e[+-]digits]`` counts as a number.
    """
    cells = _text_cells(frame, problems, field, 64, False)
    values = _objects(cells, frame.index)
    shaped = pc.match_substring_regex(cells, NUMBER)
    bad = _mask(cells.is_valid()) & ~_mask(shaped)
    problems.add(field, bad, "{} is not a number", values)
    parsed = pd.to_numeric(values.where(~bad, None), errors="coerce")
    if whole:
        fraction = parsed.notna() & (parsed % 1 != 0)
        problems.add(field, fraction.to_numpy(), "must be a whole number")
    if low is not None:
        problems.add(field, (parsed < low).to_numpy(), f"must be at least {low:g}")
    if high is not None:
        problems.add(field, (parsed > high).to_numpy(), f"must be at most {high:g}")
    return parsed


def money(frame: pd.DataFrame, problems: RowProblems, field: str, *, negative: bool) -> pd.Series:
    """An amount with two decimal places, below the store's limit, as text for exact Decimal."""
    limit = float(rules.MAX_AMOUNT)
    values = number(frame, problems, field, low=None if negative else 0, high=limit - 0.01)
    problems.add(field, (values <= -limit).to_numpy(), "is too large")
    return values.round(2)


def email(frame: pd.DataFrame, problems: RowProblems, field: str) -> pd.Series:
    """Lower-cased e-mail addresses of the same shape the scalar rule accepts."""
    values = text(frame, problems, field, max_len=254).str.lower()
    bad = values.notna() & ~values.str.match(rules.EMAIL_PATTERN).fillna(False).astype(bool)
    problems.add(field, bad.to_numpy(), "{} is not an e-mail address", values)
    return values


def coordinates(frame: pd.DataFrame, problems: RowProblems) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude come together and within range."""
    lat = number(frame, problems, "latitude", low=-90, high=90)
    lon = number(frame, problems, "longitude", low=-180, high=180)
    problems.add("longitude", (lat.notna() & lon.isna()).to_numpy(), "is required with the other")
    problems.add("latitude", (lon.notna() & lat.isna()).to_numpy(), "is required with the other")
    return lat, lon


def duplicates(keys: pd.Series, problems: RowProblems, lines: np.ndarray) -> None:
    """A key seen earlier in the same chunk: the first row wins, later ones are refused."""
    repeated = keys.duplicated(keep="first") & keys.notna()
    if not repeated.any():
        return
    first_line = pd.Series(lines, index=keys.index).groupby(keys).transform("first")
    problems.add("key", repeated.to_numpy(), "duplicate key, first on line {}", first_line)


MAX_DURATION = int(timedelta(days=2).total_seconds())
