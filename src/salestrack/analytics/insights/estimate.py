"""The one shape every insight returns: a value with its 95% interval and the sample behind it,
plus the small interval formulas several insights share (Wilson, Newcombe, ratio of means)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from scipy import stats

Z95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class Estimate:
    """A point estimate, its 95% interval [low, high] and the number of units it rests on."""

    value: float
    low: float
    high: float
    n: int

    def covers(self, truth: float) -> bool:
        return self.low <= truth <= self.high

    def excludes(self, null: float) -> bool:
        """True when the interval lies entirely on one side of ``null`` (a reportable effect)."""
        return not self.covers(null)

    def as_dict(self) -> dict[str, Any]:
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in asdict(self).items()
        }


NAN_ESTIMATE = Estimate(math.nan, math.nan, math.nan, 0)


def wilson(successes: int, n: int, z: float = Z95) -> Estimate:
    """Wilson score interval for a proportion: well-behaved near 0 and 1 and for small n."""
    if n <= 0:
        return NAN_ESTIMATE
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Estimate(p, max(centre - half, 0.0), min(centre + half, 1.0), n)


def newcombe_difference(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> Estimate:
    """p1 - p2 with Newcombe's hybrid score interval (method 10), built from the two Wilson
    intervals; better coverage than the Wald interval when a rate is near 0 or 1."""
    a, b = wilson(x1, n1, z), wilson(x2, n2, z)
    if a.n == 0 or b.n == 0:
        return NAN_ESTIMATE
    d = a.value - b.value
    low = d - math.sqrt((a.value - a.low) ** 2 + (b.high - b.value) ** 2)
    high = d + math.sqrt((a.high - a.value) ** 2 + (b.value - b.low) ** 2)
    return Estimate(d, low, high, n1 + n2)


def mean_interval(values: Any) -> Estimate:
    """Mean with a t interval (values: a 1-d array-like of floats)."""
    import numpy as np

    arr = np.asarray(values, dtype=float)
    n = len(arr)
    if n == 0:
        return NAN_ESTIMATE
    mean = float(arr.mean())
    if n == 1:
        return Estimate(mean, math.nan, math.nan, 1)
    half = float(stats.t.ppf(0.975, n - 1)) * float(arr.std(ddof=1)) / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def from_log(log_value: float, se: float, n: int) -> Estimate:
    """An estimate made on the log scale (odds ratio, ratio of means), back on its own scale."""
    return Estimate(
        math.exp(log_value), math.exp(log_value - Z95 * se), math.exp(log_value + Z95 * se), n
    )
