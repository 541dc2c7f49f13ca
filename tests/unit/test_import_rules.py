"""The column-wise import rules accept and refuse what the scalar rules of domain.rules do.

The import checks a chunk at once (Arrow and pandas), the services one value at a time; a value
one of them accepts and the other refuses would make a record importable but not editable, or the
reverse. Each case below goes through both.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from salestrack.domain import rules
from salestrack.errors import ValidationFailed
from salestrack.services import import_rules as col

# White space Python strips (Unicode White_Space and the C0 separators), text around it, empty.
SPACES = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
TEXTS = [
    " plain ",
    SPACES + "x" + SPACES,
    SPACES,
    "",
    "\u200bzero width",  # not white space: kept
    "e\u0301",  # two code points, one glyph: length 2
    "😀" * 5,
    "a" * 6,
    "\t tab\n",
]


def _frame(values: list[object]) -> pd.DataFrame:
    return pd.DataFrame({"f": pd.Series(values, dtype=object)})


def _scalar(value: str | None, max_len: int) -> tuple[str | None, str | None]:
    try:
        return rules.optional_text("f", value, max_len=max_len), None
    except ValidationFailed as exc:
        return None, exc.reason


@pytest.mark.parametrize("max_len", [5, 100])
def test_text_strips_and_limits_as_the_scalar_rule(max_len: int) -> None:
    problems = col.RowProblems(len(TEXTS))
    got = col.text(_frame(list(TEXTS)), problems, "f", max_len=max_len)
    for position, value in enumerate(TEXTS):
        kept, refused = _scalar(value, max_len)
        assert problems.reason[position] == refused, repr(value)
        if refused is None:
            assert got[position] == kept, repr(value)


def test_missing_cells_and_non_text_cells() -> None:
    values: list[object] = [None, np.nan, pd.NA, 12, 2.5, "  ok "]
    got = col.clean_text(pd.Series(values, dtype=object))
    assert list(got) == [None, None, None, "12", "2.5", "ok"]
    problems = col.RowProblems(len(values))
    col.text(_frame(values), problems, "f", max_len=10, required=True)
    assert list(problems.reason) == ["is required"] * 3 + [None] * 3


NUMBERS = [
    "12",
    " -1E02 ",
    "1.",
    ".5",
    "+3",
    "1e",
    "１２３",
    "⁰⁴⁵",
    "٣",
    "0x10",
    "nan",
    "1_000",
    "-",
]


def test_number_accepts_ascii_digits_only() -> None:
    problems = col.RowProblems(len(NUMBERS))
    got = col.number(_frame(list(NUMBERS)), problems, "f")
    shape = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
    for position, value in enumerate(NUMBERS):
        ok = shape.fullmatch(value.strip()) is not None
        assert (problems.reason[position] is None) == ok, value
        if ok:
            assert got[position] == float(value)
        else:
            assert problems.reason[position] == f"{value.strip()!r} is not a number"


EMAILS = ["Ana@Example.com ", "no-at-sign", "a@b", "two@@example.com", "x y@example.com", ""]


def test_email_as_the_scalar_rule() -> None:
    problems = col.RowProblems(len(EMAILS))
    got = col.email(_frame(list(EMAILS)), problems, "f")
    for position, value in enumerate(EMAILS):
        try:
            expected, refused = rules.normalize_email("f", value), False
        except ValidationFailed:
            expected, refused = None, True
        assert (problems.reason[position] is not None) == refused, value
        if not refused:
            assert got[position] == expected, value
