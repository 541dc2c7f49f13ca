"""The headline insights report: every insight computed once from the scoped warehouse, each
finding with its 95% interval, sample size and a plain-language sentence; as JSON-ready data
(:func:`report_json`) and rendered for a terminal with Rich (``render.py``).

Money (won revenue and its attribution, order values, spend, lifetime value) is in one currency,
the report's, as the metrics registry adds it; counts and rates take every deal and order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from salestrack.analytics.insights import (
    attribution,
    clv,
    coverage,
    effectiveness,
    experiments,
    frames,
    relationships,
    timing,
)
from salestrack.analytics.insights.estimate import Estimate, wilson
from salestrack.analytics.metrics.core import DEFAULT_CURRENCY, check_currency
from salestrack.domain.actor import Actor

MIN_DEALS = 20  # fewer closed deals than this: effectiveness and attribution are skipped
MIN_CUSTOMERS = 30  # fewer customers: no CLV fit


@dataclass(frozen=True)
class RepRow:
    """One rep on the leaderboard: results, not raw volume."""

    rep_id: int
    name: str
    closed: int
    win_rate: Estimate
    won_revenue: float  # deals won in the report's currency
    skill: Estimate | None  # adjusted log-odds offset vs the average rep
    logging: Estimate | None


@dataclass
class Report:
    """Everything the insights found for one actor's scope; money in ``currency``."""

    as_of: str | None
    currency: str
    closed_deals: int
    adjusted: effectiveness.AdjustedModel | None
    lifts: list[effectiveness.Lift]
    activity_counts: list[effectiveness.ActivityCounts]
    attribution_revenue: attribution.Attribution | None
    attribution_deals: attribution.Attribution | None
    calls: timing.TimingResult | None
    emails: timing.TimingResult | None
    follow_up: timing.FollowUpDelay | None
    experiments: list[experiments.ExperimentResult]
    repeat_rate: Estimate
    order_value: relationships.OrderValue
    spend: relationships.OrderValue
    retention_3m: Estimate
    last_touch: relationships.LastTouch
    csat_slope: Estimate
    satisfaction: list[relationships.RepSatisfaction]
    customer_value: clv.CustomerValue | None
    coverage: coverage.Coverage
    leaderboard: list[RepRow]
    sentences: dict[str, list[str]] = field(default_factory=dict)


def build_report(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor | None = None,
    currency: str = DEFAULT_CURRENCY,
) -> Report:
    """Compute every insight on the warehouse behind ``conn`` as seen by ``actor``, adding up
    money in ``currency`` (an ISO code: the org's, as the metrics take it; amounts in other
    currencies are left out of money figures, not converted)."""
    check_currency(currency)
    src = frames.scoped_source(conn, actor)
    deals = frames.deal_frame(src, currency)
    enough = len(deals) >= MIN_DEALS and deals["won"].nunique() == 2
    adjusted = effectiveness.adjusted_odds_ratios(deals) if enough else None
    journeys = attribution.Journeys.from_frames(deals, frames.touch_frame(src)) if enough else None
    customers = frames.customer_frame(src, currency)
    satisfaction = frames.satisfaction_frame(src)
    log = frames.activity_log_frame(src)
    cells = {
        kind: frames.outcome_by_local_time(src, kind, outcome)
        for kind, outcome in (("call", "connected"), ("email", "replied"))
    }
    as_of = frames.data_as_of(src)
    report = Report(
        as_of=as_of.isoformat() if as_of is not None else None,
        currency=currency,
        closed_deals=len(deals),
        adjusted=adjusted,
        lifts=effectiveness.win_rate_lift(deals) if enough else [],
        activity_counts=effectiveness.activities_per_deal(deals) if enough else [],
        attribution_revenue=attribution.attribute(journeys, by="revenue") if journeys else None,
        attribution_deals=attribution.attribute(journeys, by="deals") if journeys else None,
        calls=timing.rate_by_local_time(cells["call"], "connect") if len(cells["call"]) else None,
        emails=timing.rate_by_local_time(cells["email"], "reply") if len(cells["email"]) else None,
        follow_up=timing.follow_up_delay(deals) if enough else None,
        experiments=experiments.compare_variants(frames.enrollment_frame(src)),
        repeat_rate=relationships.repeat_purchase_rate(customers),
        order_value=relationships.order_value_ratio(frames.order_frame(src, currency)),
        spend=relationships.spend_ratio(customers),
        retention_3m=relationships.retention_at(frames.cohort_frame(src), 3),
        last_touch=relationships.days_since_last_touch(frames.last_touch_frame(src)),
        csat_slope=relationships.csat_touch_slope(satisfaction),
        satisfaction=relationships.satisfaction_by_rep(satisfaction),
        customer_value=clv.customer_value(customers) if len(customers) >= MIN_CUSTOMERS else None,
        coverage=coverage.coverage(log),
        leaderboard=_leaderboard(frames.rep_frame(src), deals, adjusted, log),
    )
    report.sentences = sentences(report)
    return report


def _leaderboard(
    reps: pd.DataFrame,
    deals: pd.DataFrame,
    adjusted: effectiveness.AdjustedModel | None,
    log: pd.DataFrame,
) -> list[RepRow]:
    """Reps ranked by their adjusted skill (win odds vs the average rep, holding the deal mix
    fixed), then by win rate: a composite of results, never of activity volume. Won revenue
    adds the deals won in the currency; closed deals and win rate count every deal."""
    cov = coverage.coverage(log).by_rep if len(log) else {}
    names = dict(zip(reps["rep_id"].astype(int), reps["name"].astype(str), strict=True))
    rows = []
    for rep in sorted(set(deals["owner_id"].dropna().astype(int))):
        mine = deals[deals["owner_id"] == rep]
        won = mine["won"].to_numpy(dtype=bool)
        priced = mine["in_currency"].to_numpy(dtype=bool)
        rows.append(
            RepRow(
                rep_id=rep,
                name=names.get(rep, f"user {rep}"),
                closed=len(mine),
                win_rate=wilson(int(won.sum()), len(mine)),
                won_revenue=float(mine["amount"].to_numpy(dtype=float)[won & priced].sum()),
                skill=adjusted.rep_effects.get(rep) if adjusted else None,
                logging=cov.get(rep),
            )
        )
    return sorted(
        rows, key=lambda r: (-(r.skill.value if r.skill else -math.inf), -r.win_rate.value)
    )


def feature_label(feature: str) -> str:
    """Readable name of an effectiveness feature: "a demo", "a check-in activity"."""
    if feature == effectiveness.FAST_FOLLOW_UP:
        return "a follow-up within 24 h of the first meeting"
    kind, _, name = feature.partition(":")
    words = name.replace("_", "-") if kind == "type" else f"{name.replace('_', '-')} activity"
    article = "an" if words[0] in "aeiou" else "a"
    return f"{article} {words}"


def _ci(e: Estimate, fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(e.value)} (95% CI {fmt.format(e.low)} to {fmt.format(e.high)}; n={e.n:,})"


def _pct(e: Estimate) -> str:
    return f"{100 * e.value:.0f}% ({100 * e.low:.0f}-{100 * e.high:.0f}%, n={e.n:,})"


def sentences(r: Report) -> dict[str, list[str]]:
    """One plain-language sentence per headline finding, grouped by section."""
    out: dict[str, list[str]] = {}
    if r.adjusted and r.adjusted.odds_ratios:
        lifts = sorted(r.adjusted.odds_ratios.items(), key=lambda kv: -kv[1].value)
        found = [
            f"Deals with {feature_label(f)} had {e.value:.2f}x the odds of winning of comparable"
            f" deals without (95% CI {e.low:.2f} to {e.high:.2f}; {e.n:,} closed deals), with"
            " deal size, segment, rep and the other activities held fixed."
            for f, e in lifts
            if e.low > 1.0
        ]
        none = [feature_label(f) for f, e in lifts if e.covers(1.0)]
        if none:
            found.append(
                "No detectable effect on win odds (interval includes 1): " + ", ".join(none) + "."
            )
        out["effectiveness"] = found
    if r.calls:
        best = r.calls.best_hours()[:4]
        hours = ", ".join(f"{c.hour}:00 ({_pct(c.shrunk)})" for c in best)
        out["timing"] = [
            f"Calls connect best at {hours} in the prospect's local time, against"
            f" {_pct(r.calls.overall)} overall."
            if best
            else "No call hour stands out."
        ]
    if r.follow_up:
        d = r.follow_up.fast_minus_rest
        out.setdefault("timing", []).append(
            f"Following up within 24 h of the first meeting goes with a win rate"
            f" {100 * d.value:+.0f} points higher ({100 * d.low:+.0f} to {100 * d.high:+.0f})."
        )
    a = r.attribution_revenue
    if a is not None and a.total > 0:
        linear = a.credits["linear"]
        leader = max(linear, key=lambda channel: linear[channel].value)
        share = linear[leader].value / a.total
        out["attribution"] = [
            f"Of the {a.total:,.0f} {r.currency} won ({linear[leader].n:,} deals in"
            f" {r.currency}), the linear model credits {leader} with the largest share:"
            f" {100 * share:.0f}%."
        ]
    for x in r.experiments:
        d = x.difference
        out.setdefault("experiments", []).append(
            f"{x.experiment}: {x.treatment} converts {100 * d.value:+.1f} points vs {x.control}"
            f" (95% CI {100 * d.low:+.1f} to {100 * d.high:+.1f}; n={d.n:,}); always-valid"
            f" p = {x.p_value:.3g}."
        )
    rel = []
    if math.isfinite(r.order_value.ratio.value):
        rel.append(
            f"Repeat orders are worth {_ci(r.order_value.ratio)} times first orders"
            f" ({r.order_value.repeat.value:,.0f} vs {r.order_value.first.value:,.0f}"
            f" {r.currency} on average)."
        )
    if r.repeat_rate.n:
        rel.append(f"{_pct(r.repeat_rate)} of customers ordered more than once.")
    if math.isfinite(r.csat_slope.value):
        rel.append(
            f"Each extra touch per month goes with {_ci(r.csat_slope, '{:+.3f}')} CSAT points."
        )
    if r.customer_value and r.customer_value.purchases.converged:
        t = r.customer_value.total
        rel.append(
            f"Current customers are expected to bring {t.value:,.0f} {r.currency} over the next"
            f" {r.customer_value.horizon_weeks:.0f} weeks ({t.low:,.0f} to {t.high:,.0f};"
            f" {t.n:,} customers buying in {r.currency})."
        )
    elif r.customer_value:
        rel.append(
            "Customer lifetime value: the purchase model is not identified on this data"
            " (no customer has visibly stopped buying), so no total is claimed."
        )
    out["relationships"] = rel
    cov = r.coverage
    out["coverage"] = [
        f"{_pct(cov.logged_within_24h)} of done activities had their outcome logged within 24 h;"
        f" selling time is {_pct(cov.selling_time_share)} of logged time."
    ]
    if r.leaderboard and r.leaderboard[0].skill:
        top = r.leaderboard[0]
        out["leaderboard"] = [
            f"{top.name} leads on results: win rate {_pct(top.win_rate)}, adjusted win odds"
            f" {math.exp(top.skill.value):.2f}x the average rep's."  # type: ignore[union-attr]
        ]
    return out


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Estimate):
        return obj.as_dict()
    if is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: _jsonable(getattr(obj, f.name)) for f in fields(obj) if f.name != "per_customer"
        }
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def report_json(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data (intervals as {value, low, high, n})."""
    data: dict[str, Any] = _jsonable(report)
    return data
