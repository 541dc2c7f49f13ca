"""Domain rules as pure functions: each error names its field and says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from salestrack.domain import rules
from salestrack.domain.vocab import DEFAULT_ACTIVITY_TYPES
from salestrack.errors import ImportRowError, ValidationFailed


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12.345", Decimal("12.35")), (7, Decimal("7.00")), (Decimal("0.1"), Decimal("0.10"))],
)
def test_money_quantizes_to_cents(value: object, expected: Decimal) -> None:
    assert rules.money("amount", value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("-1", "must not be negative"),
        ("abc", "'abc' is not a number"),
        ("NaN", "must be a finite number"),
        ("1e16", "is too large"),
    ],
)
def test_money_refuses_with_reason(value: str, reason: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        rules.money("amount", value)
    assert (err.value.field, err.value.reason) == ("amount", reason)


def test_outcome_must_come_from_the_vocabulary() -> None:
    call = next(t for t in DEFAULT_ACTIVITY_TYPES if t.key == "call")
    assert rules.outcome("call", " connected ", call.outcomes) == "connected"
    with pytest.raises(ValidationFailed) as err:
        rules.outcome("call", "held", call.outcomes)
    assert err.value.field == "outcome"
    assert "'held' is not one of connected, voicemail" in err.value.reason
    with pytest.raises(ValidationFailed, match="is required to complete a call"):
        rules.outcome("call", None, call.outcomes)


def test_utc_converts_and_refuses_naive() -> None:
    local = datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=7)))
    assert rules.utc("at", local) == datetime(2026, 1, 1, 2, tzinfo=UTC)
    with pytest.raises(ValidationFailed, match="must carry a time zone offset"):
        rules.utc("at", datetime(2026, 1, 1, 9))


def test_ordered_names_the_end_field() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rules.ordered("start", start, "end", start)
    with pytest.raises(ValidationFailed) as err:
        rules.ordered("start", start, "end", start - timedelta(seconds=1))
    assert (err.value.field, err.value.reason) == ("end", "is before start")


def test_scores_and_coordinates_are_bounded() -> None:
    assert rules.score("nps", 0) == 0
    with pytest.raises(ValidationFailed):
        rules.score("csat", 0)
    with pytest.raises(ValidationFailed) as err:
        rules.coordinates(10.0, None)
    assert err.value.field == "longitude"


def test_every_default_type_has_distinct_outcomes() -> None:
    for kind in DEFAULT_ACTIVITY_TYPES:
        assert len(set(kind.outcomes)) == len(kind.outcomes) > 0


def test_import_row_error_carries_line_field_reason() -> None:
    err = ImportRowError(12, "stage", "'Signed' is not a stage")
    assert (err.line, err.field, err.reason) == (12, "stage", "'Signed' is not a stage")
    assert str(err) == "line 12: stage: 'Signed' is not a stage"
