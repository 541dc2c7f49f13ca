"""What a metric is: a declaration, not code per chart (STYLE.md, "Metrics are data").

A :class:`Metric` has a name, label, unit, formula text, a kind and the Ibis expression that
computes it:

- ``count`` / ``sum``: an aggregate over the rows of a :class:`Fact` (a scoped, enriched table
  such as "activities with their type and category") that pass ``where``, windowed on the
  fact's ``time`` column (``None`` means a snapshot as of ``now``: open deals, overdue work);
  a *priced* one keeps only rows in the request's currency (every money sum is priced: the
  store keeps each amount in its own currency and holds no exchange rates, so amounts in two
  currencies are never added);
- ``ratio``: one metric divided by another (``win_rate = ratio(deals_won, deals_closed)``),
  empty when the denominator is zero;
- ``derived``: an expression over other metrics (velocity) or a per-record computation
  (goal attainment, through ``runner``).

A metric's allowed dimensions are those of its fact, or the intersection over its inputs.
The engine in :mod:`salestrack.analytics.metrics.engine` turns a request into one Ibis query.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

import ibis
import ibis.expr.types as ir

from salestrack.errors import ValidationFailed

if TYPE_CHECKING:
    import pandas as pd

    from salestrack.analytics.scope import Scope

Kind = Literal["count", "sum", "ratio", "derived"]
DIMENSIONS: dict[str, str] = {
    "rep": "the user who owns the row (user id)",
    "team": "the owner's team (team id)",
    "activity_type": "activity type key (call, email, meeting, ...)",
    "purpose": "activity purpose (first_meeting, demo, follow_up, ...)",
    "segment": "segment of the linked account (empty when there is none)",
    "stage": "pipeline stage name",
    "period": "day, week (ISO, from Monday), month or quarter in the chosen time zone",
}
PERIODS = ("day", "week", "month", "quarter")
DEFAULT_CURRENCY = "USD"  # what the store assumes when a deal or order names none
CURRENCY_CODE = re.compile(r"[A-Z]{3}")


def check_currency(currency: str) -> str:
    """``currency`` if it is a three-letter ISO 4217 code in capitals, else ``ValidationFailed``.

    The metrics and the insights both take the currency money is added up in; both check it
    here, so a code one accepts the other accepts too.
    """
    if not CURRENCY_CODE.fullmatch(currency):
        raise ValidationFailed("currency", f"{currency!r} is not a three-letter ISO 4217 code")
    return currency


def in_currency(t: ir.Table, currency: str) -> ir.BooleanValue:
    """Whether a row's amount is in ``currency``: the one test by which money is kept to a
    currency, for priced metrics and for the insights that add money alike.

    The store keeps each deal's and order's amount in its own currency and holds no exchange
    rates, so an amount in another currency is left out of a money sum, never converted.
    """
    return t.currency == currency


@dataclass(frozen=True)
class Query:
    """One request: grouping, window and parameters shared by every metric in it.

    ``start``/``end`` are aware instants, the window is half-open ``[start, end)``; ``now`` is the
    reference for snapshot metrics (by default the data's "as of" time); ``currency`` is the
    one currency money metrics add up (rows in other currencies are left out of them).
    """

    by: tuple[str, ...] = ()
    period: str | None = None
    tz: str = "UTC"
    start: datetime | None = None
    end: datetime | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    filters: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    stalled_days: int = 14
    currency: str = DEFAULT_CURRENCY

    @property
    def keys(self) -> tuple[str, ...]:
        """The grouping columns of the answer: ``by`` then ``period`` when one is asked for."""
        return (*self.by, "period") if self.period else self.by


Builder = Callable[["Scope", Query, frozenset[str]], ir.Table]
Predicate = Callable[[ir.Table, Query], ir.BooleanValue]
Value = Callable[[ir.Table], ir.NumericValue]
Combine = Callable[[Mapping[str, ir.NumericValue], tuple[str, ...]], ir.NumericValue]
Runner = Callable[["Scope", Query], "pd.DataFrame"]


@dataclass(frozen=True)
class Fact:
    """A scoped, enriched table metrics aggregate over, and the dimensions it can group by.

    ``build(scope, query, needed)`` returns the table with a column per dimension in ``needed``
    (the builder adds costly joins only for dimensions asked for).
    """

    name: str
    description: str
    dims: frozenset[str]
    build: Builder


@dataclass(frozen=True)
class Metric:
    """One metric, declared once; see the module docstring for the kinds."""

    name: str
    label: str
    unit: str
    formula: str
    kind: Kind
    area: str = ""
    fact: Fact | None = None
    time: str | None = None
    where: Predicate | None = None
    value: Value | None = None
    inputs: tuple[str, ...] = ()
    combine: Combine | None = None
    runner: Runner | None = None
    dims: frozenset[str] = frozenset()
    priced: bool = False

    @property
    def is_base(self) -> bool:
        """Counts and sums are computed by aggregation; the other kinds from their inputs."""
        return self.kind in ("count", "sum")


def _fact_dims(fact: Fact, time: str | None) -> frozenset[str]:
    return fact.dims | {"period"} if time else fact.dims - {"period"}


def count(
    name: str,
    label: str,
    fact: Fact,
    *,
    time: str | None,
    formula: str,
    where: Predicate | None = None,
    unit: str = "count",
    priced: bool = False,
) -> Metric:
    """Rows of ``fact`` passing ``where`` (in the window on ``time``); ``priced`` keeps only rows
    in the request's currency (the count an average of a money sum divides by)."""
    dims = _fact_dims(fact, time)
    return Metric(
        name, label, unit, formula, "count", fact=fact, time=time, where=where, dims=dims,
        priced=priced,
    )  # fmt: skip


def total(
    name: str,
    label: str,
    fact: Fact,
    value: Value,
    *,
    time: str | None,
    formula: str,
    where: Predicate | None = None,
    unit: str,
) -> Metric:
    """Sum of ``value`` over the rows of ``fact`` passing ``where`` (in the window on ``time``);
    a sum of money is priced: it adds only amounts in the request's currency."""
    dims = _fact_dims(fact, time)
    return Metric(
        name, label, unit, formula, "sum", fact=fact, time=time, where=where, value=value,
        dims=dims, priced=unit == "money",
    )  # fmt: skip


class Registry:
    """Metrics by name, in declaration order; inputs must be declared before their users."""

    def __init__(self) -> None:
        self._metrics: dict[str, Metric] = {}

    def add(self, metric: Metric, area: str) -> Metric:
        if metric.name in self._metrics:
            raise ValueError(f"metric {metric.name!r} declared twice")
        missing = [n for n in metric.inputs if n not in self._metrics]
        if missing:
            raise ValueError(f"{metric.name}: inputs {missing} are not declared before it")
        if not metric.is_base and metric.runner is None:
            inherited = frozenset.intersection(*(self._metrics[n].dims for n in metric.inputs))
            metric = replace(metric, dims=inherited & metric.dims if metric.dims else inherited)
        stored = replace(metric, area=area)
        self._metrics[metric.name] = stored
        return stored

    def __getitem__(self, name: str) -> Metric:
        return self._metrics[name]

    def __contains__(self, name: object) -> bool:
        return name in self._metrics

    def __iter__(self) -> Any:
        return iter(self._metrics.values())

    def __len__(self) -> int:
        return len(self._metrics)


def ratio(
    name: str,
    label: str,
    numerator: str,
    denominator: str,
    *,
    unit: str = "share",
    formula: str | None = None,
) -> Metric:
    """``numerator / denominator``; empty (not zero) when the denominator is zero."""
    text = formula or f"{numerator} / {denominator}"
    return Metric(name, label, unit, text, "ratio", inputs=(numerator, denominator))


def derived(
    name: str,
    label: str,
    inputs: tuple[str, ...],
    combine: Combine,
    *,
    unit: str,
    formula: str,
    dims: frozenset[str] = frozenset(),
) -> Metric:
    """An expression over other metrics' columns; ``dims`` narrows the inherited dimensions."""
    return Metric(name, label, unit, formula, "derived", inputs=inputs, combine=combine, dims=dims)


def safe_div(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """``numerator / denominator`` as a double, empty when the denominator is zero or empty.

    Guarding explicitly keeps engines alike: Spark in ANSI mode raises on division by zero.
    """
    return ibis.ifelse(
        denominator == 0, ibis.null("float64"), numerator.cast("float64") / denominator
    )
