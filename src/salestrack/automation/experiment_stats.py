"""Statistics of a two-arm conversion experiment, as pure functions on counts.

Why these methods:

* Each arm's rate carries a **Wilson score interval**, which keeps its coverage for small
  ``n`` and rates near 0 or 1 where the textbook Wald interval fails.
* The difference of two rates carries **Newcombe's hybrid score interval** (Newcombe 1998,
  method 10), built from the two Wilson intervals, for the same reason.
* Teams look at results every day, and testing a fixed-horizon z-test at every look inflates
  false positives far beyond alpha. The decision therefore uses the **mixture sequential
  probability ratio test** (mSPRT; Johari, Pekelis, Walsh 2017, "Always valid inference"):
  a normal mixture over the true difference, prior scale ``tau``, gives a likelihood ratio
  whose reciprocal, minimised over the looks so far, is an always-valid p-value. Stopping the
  first time it falls below alpha keeps the false-positive rate at or below alpha, however
  often the team looks. The fixed-horizon z-test is kept for reference only.

The formulas live once, in :mod:`salestrack.analytics.insights`; this module adapts them to
arms and adds the stop rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

from salestrack.analytics.insights import estimate
from salestrack.analytics.insights.experiments import (
    Look,
    always_valid_p_value,
    msprt_likelihood_ratio,
)

_N = NormalDist()


def z_for(confidence: float) -> float:
    """Two-sided critical value, e.g. 1.95996 for 0.95."""
    return _N.inv_cdf(0.5 + confidence / 2)


@dataclass(frozen=True)
class Arm:
    """One variant's counts: units exposed and units that converted."""

    n: int
    conversions: int

    def __post_init__(self) -> None:
        if self.n < 0 or not 0 <= self.conversions <= self.n:
            raise ValueError(f"need 0 <= conversions <= n, got {self.conversions}/{self.n}")

    @property
    def rate(self) -> float:
        return self.conversions / self.n if self.n else 0.0


def wilson(arm: Arm, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of one arm's conversion rate; (0, 1) when there is no data."""
    if arm.n == 0:
        return (0.0, 1.0)
    interval = estimate.wilson(arm.conversions, arm.n, z_for(confidence))
    return (interval.low, interval.high)


def difference_interval(
    control: Arm, treatment: Arm, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval of ``treatment.rate - control.rate``; the whole range
    (-1, 1) while an arm has no units, as :func:`wilson` gives (0, 1) then, not NaN."""
    if control.n == 0 or treatment.n == 0:
        return (-1.0, 1.0)
    interval = estimate.newcombe_difference(
        treatment.conversions, treatment.n, control.conversions, control.n, z_for(confidence)
    )
    return (interval.low, interval.high)


def z_test_p(control: Arm, treatment: Arm) -> float:
    """Two-sided pooled two-proportion z-test p-value (fixed horizon; for reference)."""
    if control.n == 0 or treatment.n == 0:
        return 1.0
    pooled = (control.conversions + treatment.conversions) / (control.n + treatment.n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n))
    if se == 0:
        return 1.0
    z = (treatment.rate - control.rate) / se
    return 2 * (1 - _N.cdf(abs(z)))


def _look(control: Arm, treatment: Arm) -> Look:
    return Look(control.conversions, control.n, treatment.conversions, treatment.n)


def msprt_ratio(control: Arm, treatment: Arm, tau: float = 0.05) -> float:
    """Mixture likelihood ratio of "some difference" against "no difference" at one look."""
    return msprt_likelihood_ratio(_look(control, treatment), tau)


def always_valid_p(looks: Sequence[tuple[Arm, Arm]], tau: float = 0.05) -> float:
    """Always-valid p-value after a sequence of looks (control, treatment), oldest first."""
    return always_valid_p_value([_look(c, t) for c, t in looks], tau)


class Decision(StrEnum):
    CONTINUE = "continue"
    TREATMENT_BETTER = "stop: treatment better"
    CONTROL_BETTER = "stop: control better"
    NO_DIFFERENCE = "stop: no difference found at the planned size"


@dataclass(frozen=True)
class Comparison:
    """One treatment against the control, with everything a reader needs to act."""

    control: Arm
    treatment: Arm
    difference: float
    interval: tuple[float, float]
    p_always_valid: float
    p_fixed_horizon: float
    decision: Decision


def compare(
    looks: Sequence[tuple[Arm, Arm]],
    *,
    alpha: float = 0.05,
    tau: float = 0.05,
    max_per_arm: int | None = None,
) -> Comparison:
    """Compare at the latest look and apply the stop rule.

    Stop when the always-valid p-value falls below ``alpha`` (the sign of the difference says
    who won), or when both arms reached ``max_per_arm`` without that (no difference worth the
    traffic). Otherwise continue.
    """
    if not looks:
        raise ValueError("need at least one look")
    control, treatment = looks[-1]
    p = always_valid_p(looks, tau)
    diff = treatment.rate - control.rate
    if p < alpha:
        decision = Decision.TREATMENT_BETTER if diff > 0 else Decision.CONTROL_BETTER
    elif max_per_arm is not None and min(control.n, treatment.n) >= max_per_arm:
        decision = Decision.NO_DIFFERENCE
    else:
        decision = Decision.CONTINUE
    return Comparison(
        control=control,
        treatment=treatment,
        difference=diff,
        interval=difference_interval(control, treatment, 1 - alpha),
        p_always_valid=p,
        p_fixed_horizon=z_test_p(control, treatment),
        decision=decision,
    )
