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
    pa = look.converted_a / look.n_a
    pb = look.converted_b / look.n_b
    var = pa * (1 - pa) / look.n_a + pb * (1 - pb) / look.n_b
    return pb - pa, max(var, 1e-12)


def msprt_likelihood_ratio(look: Look, tau: float = MIXING_SD) -> float:
    """Mixture likelihood ratio of 'difference ~ N(0, tau^2)' against 'difference = 0'."""
    theta, v = _difference_and_variance(look)
    t2 = tau * tau
    return math.sqrt(v / (v + t2)) * math.exp(theta * theta * t2 / (2 * v * (v + t2)))


def always_valid_p_value(looks: Sequence[Look], tau: float = MIXING_SD) -> float:
    """p_n = min(1, min over looks so far of 1 / Lambda): valid at any (data-driven) stop."""
    p = 1.0
    for look in looks:
        if look.n_a > 0 and look.n_b > 0:
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
