"""Randomized experiments (cadence variants): conversion per variant, the difference with a
95% interval, and a test that stays valid however often the results are looked at.

The sequential test is the mixture sequential probability ratio test (mSPRT) of Johari,
Pekelis and Walsh ("Always valid inference", 2017) on the difference of two proportions with a
normal mixing distribution N(0, tau^2): its p-value and confidence sequence hold at any
stopping time, unlike a z-test re-run at every look. Pure functions of counts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salestrack.analytics.insights.estimate import Estimate, newcombe_difference, wilson

MIXING_SD = 0.05  # tau: the size of difference in conversion the test is tuned to detect
ALPHA = 0.05


@dataclass(frozen=True)
class Look:
    """Cumulative counts at one look: conversions and units of control (a) and treatment (b)."""

    converted_a: int
    n_a: int
    converted_b: int
    n_b: int


def _difference_and_variance(look: Look) -> tuple[float, float]:
    """The difference p_b - p_a and its plug-in variance.

    When both rates are 0 or 1 the plug-in variance is zero and the ratio would explode; the
    pooled rate, kept half a unit away from 0 and 1, gives a variance that stays honest.
    """
    pa = look.converted_a / look.n_a
    pb = look.converted_b / look.n_b
    var = pa * (1 - pa) / look.n_a + pb * (1 - pb) / look.n_b
    if var <= 0:
        total = look.n_a + look.n_b
        pooled = (look.converted_a + look.converted_b) / total
        pooled = min(max(pooled, 0.5 / total), 1 - 0.5 / total)
        var = pooled * (1 - pooled) * (1 / look.n_a + 1 / look.n_b)
    return pb - pa, var


def msprt_likelihood_ratio(look: Look, tau: float = MIXING_SD) -> float:
    """Mixture likelihood ratio of 'difference ~ N(0, tau^2)' against 'difference = 0'.

    The exponent is capped below float overflow: past e^700 the p-value is 0 either way.
    """
    if look.n_a == 0 or look.n_b == 0:
        return 1.0
    theta, v = _difference_and_variance(look)
    t2 = tau * tau
    exponent = theta * theta * t2 / (2 * v * (v + t2))
    return math.sqrt(v / (v + t2)) * math.exp(min(exponent, 700.0))


def always_valid_p_value(looks: Sequence[Look], tau: float = MIXING_SD) -> float:
    """p_n = min(1, min over looks so far of 1 / Lambda): valid at any (data-driven) stop."""
    p = 1.0
    for look in looks:
        p = min(p, 1.0 / msprt_likelihood_ratio(look, tau))
    return p


def confidence_sequence(look: Look, tau: float = MIXING_SD, alpha: float = ALPHA) -> Estimate:
    """The always-valid (1 - alpha) interval for p_b - p_a at this look (wider than Wald)."""
    theta, v = _difference_and_variance(look)
    t2 = tau * tau
    half = math.sqrt(v * (v + t2) / t2 * (2 * math.log(1 / alpha) + math.log((v + t2) / v)))
    return Estimate(theta, theta - half, theta + half, look.n_a + look.n_b)


@dataclass
class ExperimentResult:
    experiment: str
    control: str
    treatment: str
    rates: dict[str, Estimate]
    difference: Estimate  # treatment - control, fixed-sample 95% (Newcombe)
    always_valid: Estimate  # the same difference with its always-valid 95% interval
    p_value: float  # always-valid


def compare_variants(frame: pd.DataFrame) -> list[ExperimentResult]:
    """From :func:`frames.enrollment_frame`: per two-variant experiment, first variant (by
    name) is the control. Experiments with other than two variants are left out."""
    out = []
    for name, rows in frame.groupby("experiment", sort=True):
        if len(rows) != 2:
            continue
        rows = rows.sort_values("variant")
        names = [str(v) for v in rows["variant"]]
        conv = rows["converted"].to_numpy(dtype=np.int64)
        size = rows["n"].to_numpy(dtype=np.int64)
        va, vb = names
        xa, xb, na, nb = int(conv[0]), int(conv[1]), int(size[0]), int(size[1])
        look = Look(xa, na, xb, nb)
        out.append(
            ExperimentResult(
                experiment=str(name),
                control=va,
                treatment=vb,
                rates={va: wilson(xa, na), vb: wilson(xb, nb)},
                difference=newcombe_difference(xb, nb, xa, na),
                always_valid=confidence_sequence(look),
                p_value=always_valid_p_value([look]),
            )
        )
    return out
