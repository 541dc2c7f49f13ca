"""The insights report as the API shows it: the JSON of ``salestrack insights --json``.

Each model mirrors a dataclass of :mod:`salestrack.analytics.insights` as
:func:`~salestrack.analytics.insights.report.report_json` writes it: every estimate with its
95% interval and sample size, and numbers that are not finite (no data) as null.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

Number = float | None


class Estimate(BaseModel):
    """A value, its 95% interval [low, high] and the number of units it rests on."""

    value: Number
    low: Number
    high: Number
    n: int


class AdjustedModel(BaseModel):
    """Win odds by activity feature, with deal size, segment and rep held fixed."""

    odds_ratios: dict[str, Estimate]
    rep_effects: dict[str, Estimate] = Field(description="By rep id: log-odds vs the average rep.")
    n: int
    converged: bool
    dropped: list[str]
    aliases: dict[str, list[str]]


class Lift(BaseModel):
    feature: str
    with_: Estimate
    without: Estimate
    difference: Estimate


class ActivityCounts(BaseModel):
    feature: str
    won: Estimate
    lost: Estimate


class Attribution(BaseModel):
    by: str
    total: Number
    journeys: int
    half_life_days: Number
    credits: dict[str, dict[str, Estimate]] = Field(description="model -> activity type -> share")


class BetaPrior(BaseModel):
    a: Number
    b: Number


class RateCell(BaseModel):
    hour: int
    weekday: int
    hits: int
    raw: Estimate
    shrunk: Estimate


class Timing(BaseModel):
    """A rate by hour of day (and weekday) in the prospect's local time, shrunk for thin cells."""

    what: str
    overall: Estimate
    by_hour: list[RateCell]
    by_cell: list[RateCell]
    prior_hour: BetaPrior
    prior_cell: BetaPrior


class DelayBucket(BaseModel):
    label: str
    win_rate: Estimate


class FollowUpDelay(BaseModel):
    buckets: list[DelayBucket]
    no_follow_up: Estimate
    fast_minus_rest: Estimate


class Experiment(BaseModel):
    experiment: str
    control: str
    treatment: str
    rates: dict[str, Estimate]
    difference: Estimate
    always_valid: Estimate
    p_value: Number


class OrderValue(BaseModel):
    first: Estimate
    repeat: Estimate
    ratio: Estimate


class LastTouch(BaseModel):
    median_days: Number
    lapsed: Estimate


class RepSatisfaction(BaseModel):
    rep_id: int
    csat: Estimate
    nps: Estimate


class Fit(BaseModel):
    names: list[str]
    params: dict[str, Estimate]
    log_cov: list[list[Number]]
    n: int
    converged: bool


class CustomerValue(BaseModel):
    purchases: Fit
    spend: Fit
    horizon_weeks: Number
    total: Estimate


class Coverage(BaseModel):
    selling_time_share: Estimate
    logged_within_24h: Estimate
    by_rep: dict[str, Estimate]


class RepRow(BaseModel):
    rep_id: int
    name: str
    closed: int
    win_rate: Estimate
    won_revenue: Number
    skill: Estimate | None
    logging: Estimate | None


class InsightsReport(BaseModel):
    """Every insight for the caller's scope; a section is null when the data is too thin."""

    as_of: str | None = Field(description="When the warehouse was last synced from the store.")
    currency: str = Field(description="The ISO 4217 code every money figure is added up in.")
    closed_deals: int
    adjusted: AdjustedModel | None
    lifts: list[Lift]
    activity_counts: list[ActivityCounts]
    attribution_revenue: Attribution | None
    attribution_deals: Attribution | None
    calls: Timing | None
    emails: Timing | None
    follow_up: FollowUpDelay | None
    experiments: list[Experiment]
    repeat_rate: Estimate
    order_value: OrderValue
    spend: OrderValue
    retention_3m: Estimate
    last_touch: LastTouch
    csat_slope: Estimate
    satisfaction: list[RepSatisfaction]
    customer_value: CustomerValue | None
    coverage: Coverage
    leaderboard: list[RepRow]
    sentences: dict[str, list[str]] = Field(description="Plain-language findings by section.")


class Section(BaseModel):
    """One section of the report: its findings and their sentences."""

    as_of: str | None
    sentences: list[str] = Field(description="The section's plain-language findings.")


class EffectivenessInsights(Section):
    section: Literal["effectiveness"]
    closed_deals: int
    adjusted: AdjustedModel | None
    lifts: list[Lift]
    activity_counts: list[ActivityCounts]


class AttributionInsights(Section):
    section: Literal["attribution"]
    attribution_revenue: Attribution | None
    attribution_deals: Attribution | None


class TimingInsights(Section):
    section: Literal["timing"]
    calls: Timing | None
    emails: Timing | None
    follow_up: FollowUpDelay | None


class ExperimentsInsights(Section):
    section: Literal["experiments"]
    experiments: list[Experiment]


class RelationshipsInsights(Section):
    section: Literal["relationships"]
    repeat_rate: Estimate
    order_value: OrderValue
    spend: OrderValue
    retention_3m: Estimate
    last_touch: LastTouch
    csat_slope: Estimate
    satisfaction: list[RepSatisfaction]
    customer_value: CustomerValue | None


class CoverageInsights(Section):
    section: Literal["coverage"]
    coverage: Coverage


class LeaderboardInsights(Section):
    section: Literal["leaderboard"]
    leaderboard: list[RepRow]


InsightSection = Annotated[
    EffectivenessInsights
    | AttributionInsights
    | TimingInsights
    | ExperimentsInsights
    | RelationshipsInsights
    | CoverageInsights
    | LeaderboardInsights,
    Field(discriminator="section"),
]
SECTIONS: dict[str, type[Section]] = {
    "effectiveness": EffectivenessInsights,
    "attribution": AttributionInsights,
    "timing": TimingInsights,
    "experiments": ExperimentsInsights,
    "relationships": RelationshipsInsights,
    "coverage": CoverageInsights,
    "leaderboard": LeaderboardInsights,
}
"""Each section of the report, as its sentences are grouped."""


def section_of(report: dict[str, Any], name: str) -> Section:
    """One section cut from the report's JSON."""
    model = SECTIONS[name]
    fields = {k: report[k] for k in model.model_fields if k in report}
    return model.model_validate(
        {**fields, "section": name, "sentences": report["sentences"].get(name, [])}
    )
