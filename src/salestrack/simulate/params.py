"""What the simulated org looks like (its size) and which effects are planted in it (their truth).

The two are separate on purpose: ``SimulationParams`` sets how big and how long the org is;
``PlantedEffects`` holds the true values of the generative model that the analytics must recover.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from salestrack.errors import ValidationFailed

CURRENCY = "USD"
"""Every simulated deal and order is in this one currency (the store's default), so the demo
reports money in it whatever the org's configured default is."""


@dataclass(frozen=True)
class PlantedEffects:
    """True parameters of the generative model; each one ends up in the ground truth.

    Win model (logistic, per deal, drawn once the deal's covariates are fixed)::

        logit P(won) = win_intercept
                       + ln(demo_odds_ratio) * had_demo
                       + ln(fast_follow_up_odds_ratio) * fast_follow_up
                       + ln(check_in_odds_ratio) * had_check_in
                       + size_log_odds * ln(amount / size_reference_amount)
                       + segment_log_odds[segment] + rep_skill[owner]
    """

    win_intercept: float = -0.55
    demo_odds_ratio: float = 2.5
    fast_follow_up_odds_ratio: float = 1.8
    check_in_odds_ratio: float = 1.0
    size_log_odds: float = -0.25
    size_reference_amount: float = 20_000.0
    segment_log_odds: tuple[tuple[str, float], ...] = (
        ("smb", 0.0),
        ("mid", -0.2),
        ("enterprise", -0.45),
    )
    rep_skill_sd: float = 0.45
    # Shares of deals that get each planted activity; drawn independently of everything else.
    demo_share: float = 0.45
    fast_follow_up_share: float = 0.40
    slow_follow_up_share: float = 0.45
    check_in_share: float = 0.50
    # P(call connected | local hour of the call at the prospect); calls happen only at these hours.
    connect_by_local_hour: tuple[tuple[int, float], ...] = (
        (7, 0.10),
        (8, 0.16),
        (9, 0.24),
        (10, 0.36),
        (11, 0.34),
        (12, 0.16),
        (13, 0.13),
        (14, 0.18),
        (15, 0.24),
        (16, 0.35),
        (17, 0.33),
        (18, 0.17),
        (19, 0.11),
    )
    repeat_order_value_ratio: float = 1.67
    csat_intercept: float = 3.0
    csat_per_touch_per_month: float = 0.07
    cadence_conversion: tuple[tuple[str, float], ...] = (("A", 0.20), ("B", 0.27))

    def segment_map(self) -> dict[str, float]:
        return dict(self.segment_log_odds)

    def connect_map(self) -> dict[int, float]:
        return dict(self.connect_by_local_hour)

    def cadence_map(self) -> dict[str, float]:
        return dict(self.cadence_conversion)


@dataclass(frozen=True)
class SimulationParams:
    """Size and shape of the simulated org; the same params and seed give the same org.

    The number of activities is ``round(reps * months * activities_per_rep_month)`` (deal
    activities first, the rest is prospecting and account touches), unless the deals alone need
    more. Use :meth:`for_activities` to ask for an exact total.
    """

    seed: int = 7
    teams: int = 3
    reps: int = 24
    accounts_per_rep: int = 40
    contacts_per_account: float = 3.0
    months: int = 12
    start: date = date(2025, 1, 1)
    activities_per_rep_month: float = 400.0
    leads_per_rep_month: float = 15.0
    enrolled_share: float = 0.6
    non_enrolled_conversion: float = 0.22
    generic_activities_per_deal: float = 5.0
    repeat_deal_share: float = 0.35
    repeat_orders_per_month: float = 0.45
    survey_responses_per_account: float = 1.5
    nps_share: float = 0.2
    effects: PlantedEffects = field(default_factory=PlantedEffects)

    def __post_init__(self) -> None:
        if self.teams < 1:
            raise ValidationFailed("teams", "must be at least 1")
        if self.reps < self.teams:
            raise ValidationFailed("reps", "must be at least the number of teams")
        if self.months < 2:
            raise ValidationFailed("months", "must be at least 2")
        if self.accounts_per_rep < 1:
            raise ValidationFailed("accounts_per_rep", "must be at least 1")
        if self.activities_per_rep_month < 0:
            raise ValidationFailed("activities_per_rep_month", "must not be negative")

    @classmethod
    def for_activities(cls, total: int, **overrides: Any) -> SimulationParams:
        """Params whose activity target is exactly ``total`` (e.g. 10 million for benchmarks)."""
        base = cls(**overrides)
        return replace(base, activities_per_rep_month=total / (base.reps * base.months))

    @property
    def activity_target(self) -> int:
        return round(self.reps * self.months * self.activities_per_rep_month)

    @property
    def days(self) -> int:
        """Length of the simulated period in days; 'now' is the end of the last day."""
        end_month = self.start.month - 1 + self.months
        end = date(self.start.year + end_month // 12, end_month % 12 + 1, min(self.start.day, 28))
        return (end - self.start).days

    def describe(self) -> dict[str, Any]:
        """The size params as plain JSON-ready values (the effects are reported separately)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            if name == "effects":
                continue
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, date) else value
        out["activity_target"] = self.activity_target
        return out


def log_or(odds_ratio: float) -> float:
    """Log odds of an odds ratio; named so the win model reads like its docstring."""
    return math.log(odds_ratio)
