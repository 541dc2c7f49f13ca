"""From a request to one Ibis query: aggregate each fact once, join, then ratios and derived.

For a set of metrics and a :class:`~salestrack.analytics.metrics.core.Query`, the engine

1. collects the count/sum metrics needed (directly or as inputs) and groups them by fact and
   time column, so each fact is scanned once with every aggregate in one ``GROUP BY``;
2. outer-joins those partial answers on the grouping keys (null-safe, an empty segment is a
   group too), and onto a *spine* of every visible rep / team / period in the window, so a rep
   with no activity or a week without calls shows as a zero, not as a missing row;
3. adds ratios (empty when the denominator is zero) and derived metrics on top.

The result is a single expression: DuckDB or Spark runs all of it, Python only gets the answer.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from salestrack.analytics.metrics.core import (
    DEFAULT_CURRENCY,
    DIMENSIONS,
    PERIODS,
    Metric,
    Query,
    check_currency,
    in_currency,
    safe_div,
)
from salestrack.analytics.metrics.registry import REGISTRY
from salestrack.analytics.metrics.timezones import (
    UNITS,
    local_time,
    periods_between,
    to_utc_naive,
    zone,
)
from salestrack.analytics.scope import Scope
from salestrack.errors import ValidationFailed

SPINE_ROLES = ("rep", "manager")


@dataclass(frozen=True)
class MetricResult:
    """A metric answer: one row per group, one column per metric, and the data's as-of time."""

    frame: pd.DataFrame
    as_of: datetime | None
    metrics: tuple[Metric, ...]
    query: Query

    def rows(self) -> list[dict[str, Any]]:
        """The answer as JSON-ready rows: dates as ISO text, missing values as None."""
        rows: list[dict[str, Any]] = json.loads(
            self.frame.to_json(orient="records", date_format="iso")
        )
        return rows


def metric(name: str) -> Metric:
    """The registered metric ``name``, or a validation error listing close names."""
    if name not in REGISTRY:
        close = [m.name for m in REGISTRY if name.split("_")[0] in m.name][:8]
        hint = (
            f"; did you mean {', '.join(close)}?" if close else "; see `salestrack metrics --list`"
        )
        raise ValidationFailed("metric", f"{name!r} is not a metric{hint}")
    return REGISTRY[name]


def make_query(
    metrics: Sequence[Metric],
    *,
    by: Iterable[str] = (),
    period: str | None = None,
    tz: str = "UTC",
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime | None = None,
    filters: Mapping[str, Iterable[Any]] | None = None,
    stalled_days: int = 14,
    currency: str = DEFAULT_CURRENCY,
) -> Query:
    """Check a request against the metrics' allowed dimensions and build the :class:`Query`."""
    check_currency(currency)
    keys = tuple(dict.fromkeys(by))
    chosen = dict(filters or {})
    zone(tz)
    for dim in (*keys, *chosen):
        if dim not in DIMENSIONS or dim == "period":
            raise ValidationFailed("by", f"{dim!r} is not a dimension ({', '.join(DIMENSIONS)})")
    if period is not None and period not in PERIODS:
        raise ValidationFailed("period", f"{period!r} is not one of {', '.join(PERIODS)}")
    wanted = set(keys) | set(chosen) | ({"period"} if period else set())
    for m in metrics:
        refused = sorted(wanted - m.dims)
        if refused:
            allowed = ", ".join(sorted(m.dims)) or "none"
            raise ValidationFailed("by", f"{m.name} cannot be split by {refused[0]} ({allowed})")
    for name, value in (("from", start), ("to", end), ("now", now)):
        if value is not None and value.tzinfo is None:
            raise ValidationFailed(name, "must carry a time zone")
    if start is not None and end is not None and end <= start:
        raise ValidationFailed("to", "must be after from")
    return Query(
        by=keys,
        period=period,
        tz=tz,
        start=start,
        end=end,
        now=now or datetime.now(UTC),
        filters={k: tuple(v) for k, v in chosen.items()},
        stalled_days=stalled_days,
        currency=currency,
    )


def compute(
    names: str | Sequence[str],
    scope: Scope,
    *,
    by: Iterable[str] = (),
    period: str | None = None,
    tz: str = "UTC",
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime | None = None,
    filters: Mapping[str, Iterable[Any]] | None = None,
    stalled_days: int = 14,
    currency: str = DEFAULT_CURRENCY,
) -> MetricResult:
    """Compute one or more metrics for ``scope``, grouped ``by`` dimensions and ``period``.

    ``start``/``end`` bound the window (aware datetimes, half-open), ``tz`` is the IANA zone the
    periods are cut in, ``now`` the reference of snapshot metrics (default: the data's as-of
    time), ``filters`` keeps only rows whose dimension is in the given values, ``currency`` the
    ISO code money metrics are added up in (the org's; amounts in others are left out).
    """
    chosen = tuple(metric(n) for n in ([names] if isinstance(names, str) else names))
    as_of = scope.as_of()
    q = make_query(
        chosen,
        by=by,
        period=period,
        tz=tz,
        start=start,
        end=end,
        now=now or as_of or datetime.now(UTC),
        filters=filters,
        stalled_days=stalled_days,
        currency=currency,
    )
    runners = [m for m in chosen if m.runner is not None]
    if runners:
        if len(chosen) > 1:
            raise ValidationFailed("metric", f"{runners[0].name} must be computed on its own")
        assert runners[0].runner is not None
        return MetricResult(runners[0].runner(scope, q), as_of, chosen, q)
    key = (tuple(m.name for m in chosen), q.by, q.period, q.tz, q.start, q.end, q.now,
           tuple(sorted(q.filters.items())), q.stalled_days, q.currency)  # fmt: skip
    sql = scope.compiled.get(key)
    if sql is None:
        sql = scope.compiled[key] = scope.source.compile(expression(chosen, scope, q))
    return MetricResult(_dated_rows(scope.source.run(sql), q), as_of, chosen, q)


def _dated_rows(frame: pd.DataFrame, q: Query) -> pd.DataFrame:
    """With a period asked for, rows of events that have no date for it (an open deal's
    close) belong to no period, so they are dropped rather than shown as an undated bucket."""
    if q.period is None or "period" not in frame.columns:
        return frame
    return frame[frame["period"].notna()].reset_index(drop=True)


def closure(metrics: Iterable[Metric]) -> list[Metric]:
    """The metrics and all their inputs, inputs first (registry order is topological)."""
    names: set[str] = set()

    def visit(m: Metric) -> None:
        if m.name not in names:
            names.add(m.name)
            for n in m.inputs:
                visit(REGISTRY[n])

    for m in metrics:
        visit(m)
    return [m for m in REGISTRY if m.name in names]


def expression(metrics: Sequence[Metric], scope: Scope, q: Query) -> ir.Table:
    """The single Ibis expression answering ``q`` for ``metrics`` (see the module docstring)."""
    needed = closure(metrics)
    groups: dict[tuple[str, str | None], list[Metric]] = {}
    for m in needed:
        if m.is_base:
            assert m.fact is not None
            # One aggregate per fact and time column, each filtering rows to its window, as a
            # hand-written query would; the scoped fact is one shared subquery (a CTE).
            groups.setdefault((m.fact.name, m.time), []).append(m)
    built: dict[str, ir.Table] = {}
    parts = []
    for members in groups.values():
        fact = members[0].fact
        assert fact is not None
        if fact.name not in built:
            built[fact.name] = _filtered(fact.build(scope, q, _needed_dims(q)), q)
        parts.append(_aggregate(built[fact.name], members, q))
    table = reduce(lambda left, right: outer_join(left, right, q.keys), parts)
    spine = _spine(scope, q)
    if spine is not None:
        table = outer_join(spine, table, tuple(spine.columns))
    bases = [m.name for m in needed if m.is_base]
    table = table.mutate(**{name: ibis.coalesce(table[name], 0) for name in bases})
    for m in needed:
        if not m.is_base:
            table = table.mutate(**{m.name: _combine(m, table, q)})
    table = table.select(*q.keys, *[m.name for m in metrics])
    return table.order_by(list(q.keys)) if q.keys else table


def _needed_dims(q: Query) -> frozenset[str]:
    return frozenset(q.by) | frozenset(q.filters)


def _filtered(t: ir.Table, q: Query) -> ir.Table:
    for dim, values in q.filters.items():
        t = t.filter(t[dim].isin(list(values)))
    return t


def _window(t: ir.Table, time: str | None, q: Query) -> list[ir.BooleanValue]:
    """The conditions keeping rows whose ``time`` lies in the query's window."""
    if time is None:
        return []
    conditions = []
    if q.start is not None:
        conditions.append(t[time] >= to_utc_naive(q.start))
    if q.end is not None:
        conditions.append(t[time] < to_utc_naive(q.end))
    return conditions


def _aggregate(t: ir.Table, members: list[Metric], q: Query) -> ir.Table:
    time = members[0].time
    shared = len({m.time for m in members}) == 1
    if shared:  # one window for all: filter the rows (lets the engine prune)
        window = _window(t, time, q)
        t = t.filter(*window) if window else t
    if shared and time is not None and q.period is not None:
        lo = to_utc_naive(q.start) if q.start else None
        hi = to_utc_naive(q.end) if q.end else None
        local = local_time(t[time], q.tz, lo, hi)
        t = t.mutate(period=local.truncate(UNITS[q.period]))
    aggregates = {
        m.name: _measure(m, t, q, [] if shared else _window(t, m.time, q)) for m in members
    }
    if q.keys:
        return t.group_by(list(q.keys)).aggregate(**aggregates)
    return t.aggregate(**aggregates)


def _measure(m: Metric, t: ir.Table, q: Query, window: list[ir.BooleanValue]) -> ir.Scalar:
    conditions = [*([m.where(t, q)] if m.where is not None else []), *window]
    if m.priced:
        conditions.append(in_currency(t, q.currency))
    where = reduce(operator.and_, conditions) if conditions else None
    if m.kind == "count":
        return t.count(where=where)
    assert m.value is not None
    return m.value(t).cast("float64").sum(where=where)


def _combine(m: Metric, t: ir.Table, q: Query) -> ir.Value:
    if m.kind == "ratio":
        numerator, denominator = m.inputs
        return safe_div(t[numerator], t[denominator])
    assert m.combine is not None
    return m.combine({n: t[n] for n in m.inputs}, q.keys)


def outer_join(left: ir.Table, right: ir.Table, keys: tuple[str, ...]) -> ir.Table:
    """Full outer join on ``keys`` where empty keys match each other; keys appear once."""
    if not keys:
        return left.cross_join(right)
    renamed = right.rename({f"_r_{k}": k for k in keys})
    joined = left.outer_join(renamed, [left[k].identical_to(renamed[f"_r_{k}"]) for k in keys])
    merged = {k: ibis.coalesce(joined[k], joined[f"_r_{k}"]) for k in keys}
    return joined.mutate(**merged).drop(*[f"_r_{k}" for k in keys])


def _spine(scope: Scope, q: Query) -> ir.Table | None:
    """Every rep / team the actor oversees and every period of the window, for the keys asked.

    Reps come from the owners whose rows the actor sees (a rep: only themselves), so a
    teammate never shows as a zero that is really "not visible to you".
    """
    tables = []
    if "rep" in q.by:
        users = scope.owners()
        users = users.filter(users.role.isin(SPINE_ROLES) & users.is_active)
        if "team" in q.filters:
            users = users.filter(users.team_id.isin(list(q.filters["team"])))
        if "rep" in q.filters:
            users = users.filter(users.id.isin(list(q.filters["rep"])))
        columns = {"rep": users.id, **({"team": users.team_id} if "team" in q.by else {})}
        tables.append(users.select(**columns))
    elif "team" in q.by:
        teams = scope.table("teams")
        if "team" in q.filters:
            teams = teams.filter(teams.id.isin(list(q.filters["team"])))
        tables.append(teams.select(team=teams.id))
    if q.period and q.start is not None and q.end is not None:
        # Unnested from a literal on a one-row table, not an ibis.memtable: the compiled SQL is
        # cached and re-run as text, and a memtable would only exist while Ibis executes it.
        starts = periods_between(q.start, q.end, q.period, q.tz)
        one = scope.table("pipelines").aggregate(n=ibis._.count())
        tables.append(one.select(period=ibis.literal(starts, type="array<timestamp>").unnest()))
    if not tables:
        return None
    return reduce(lambda a, b: a.cross_join(b), tables)
