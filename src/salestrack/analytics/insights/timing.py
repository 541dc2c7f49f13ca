"""When to reach out: connect (calls) and reply (e-mails) rate by hour of day and weekday in the
prospect's local time, shrunk for thin cells with an empirical-Bayes Beta-binomial, and the
effect of the delay between the first meeting and the first follow-up.

Shrinkage: every cell's rate is drawn from one Beta(a, b) fitted to all cells by maximum
marginal likelihood; a cell's estimate is its posterior Beta(a + hits, b + misses), whose mean
and 2.5/97.5% quantiles are reported. Big cells barely move; a cell with 3 calls is pulled
towards the overall rate instead of claiming 0% or 100%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize, stats

from salestrack.analytics.insights.estimate import Estimate, newcombe_difference, wilson

MAX_STRENGTH = 1e7  # prior a + b; reached when the cells do not vary beyond binomial noise
DELAY_BUCKETS: tuple[tuple[str, float, float], ...] = (
    ("within 24 h", 0.0, 24.0),
    ("1-3 days", 24.0, 72.0),
    ("3-7 days", 72.0, 168.0),
    ("over 7 days", 168.0, math.inf),
)


@dataclass(frozen=True)
class BetaPrior:
    a: float
    b: float

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)


def fit_beta_prior(hits: NDArray[np.int64], n: NDArray[np.int64]) -> BetaPrior:
    """Maximum marginal likelihood Beta(a, b) for the cells' true rates, parametrised by the
    mean (logit) and the strength a + b (log, bounded so a homogeneous set stays finite)."""
    hits, n = np.asarray(hits), np.asarray(n)
    keep = n > 0
    hits, n = hits[keep], n[keep]
    pooled = float(np.clip((hits.sum() + 0.5) / (n.sum() + 1.0), 1e-6, 1 - 1e-6))
    if len(n) < 2:
        return BetaPrior(pooled * 2.0, (1 - pooled) * 2.0)

    def nll(theta: NDArray[np.float64]) -> float:
        mean = 1.0 / (1.0 + math.exp(-theta[0]))
        strength = math.exp(theta[1])
        return -float(stats.betabinom.logpmf(hits, n, mean * strength, (1 - mean) * strength).sum())

    start = np.array([math.log(pooled / (1 - pooled)), math.log(50.0)])
    bounds = [(-15.0, 15.0), (math.log(0.5), math.log(MAX_STRENGTH))]
    best = optimize.minimize(nll, start, method="L-BFGS-B", bounds=bounds)
    mean = 1.0 / (1.0 + math.exp(-best.x[0]))
    strength = math.exp(best.x[1])
    return BetaPrior(mean * strength, (1 - mean) * strength)


def posterior(hits: int, n: int, prior: BetaPrior) -> Estimate:
    """Posterior mean and equal-tailed 95% interval of one cell's rate."""
    a, b = prior.a + hits, prior.b + n - hits
    low, high = stats.beta.ppf([0.025, 0.975], a, b)
    return Estimate(a / (a + b), float(low), float(high), int(n))


@dataclass(frozen=True)
class RateCell:
    """One hour (weekday 0 = all days) with its raw rate and its shrunk rate."""

    hour: int
    weekday: int
    hits: int
    raw: Estimate
    shrunk: Estimate


@dataclass
class TimingResult:
    """Rates by local hour (all weekdays), by hour x weekday, and the pooled rate."""

    what: str
    overall: Estimate
    by_hour: list[RateCell]
    by_cell: list[RateCell]
    prior_hour: BetaPrior
    prior_cell: BetaPrior

    def best_hours(self) -> list[RateCell]:
        """Hours whose whole interval lies above the overall rate, best first."""
        above = [c for c in self.by_hour if c.shrunk.low > self.overall.value]
        return sorted(above, key=lambda c: -c.shrunk.value)


def _cells(frame: pd.DataFrame, keys: list[str]) -> tuple[list[RateCell], BetaPrior]:
    grouped = frame.groupby(keys, as_index=False)[["n", "hits"]].sum()
    hits = grouped["hits"].to_numpy(dtype=np.int64)
    n = grouped["n"].to_numpy(dtype=np.int64)
    prior = fit_beta_prior(hits, n)
    hours = grouped["hour"].to_numpy(dtype=np.int64)
    weekdays = (
        grouped["weekday"].to_numpy(dtype=np.int64) if "weekday" in keys else np.zeros_like(hours)
    )
    out = [
        RateCell(int(h), int(d), int(k), wilson(int(k), int(m)), posterior(int(k), int(m), prior))
        for h, d, k, m in zip(hours, weekdays, hits, n, strict=True)
    ]
    return out, prior


def rate_by_local_time(cells: pd.DataFrame, what: str) -> TimingResult:
    """From :func:`frames.outcome_by_local_time` (hour, weekday, n, hits)."""
    by_hour, prior_hour = _cells(cells, ["hour"])
    by_cell, prior_cell = _cells(cells, ["hour", "weekday"])
    overall = wilson(int(cells["hits"].sum()), int(cells["n"].sum()))
    return TimingResult(what, overall, by_hour, by_cell, prior_hour, prior_cell)


@dataclass(frozen=True)
class DelayBucket:
    label: str
    win_rate: Estimate


@dataclass
class FollowUpDelay:
    """Win rate by delay from first meeting to first follow-up, and fast vs the rest."""

    buckets: list[DelayBucket]
    no_follow_up: Estimate
    fast_minus_rest: Estimate


def follow_up_delay(deals: pd.DataFrame) -> FollowUpDelay:
    """From :func:`frames.deal_frame`: closed deals bucketed by follow_up_delay_h."""
    delay = deals["follow_up_delay_h"].to_numpy(dtype=float)
    won = deals["won"].to_numpy(dtype=bool)
    buckets = []
    for label, lo, hi in DELAY_BUCKETS:
        rows = (delay > lo) & (delay <= hi) if lo > 0 else (delay >= lo) & (delay <= hi)
        buckets.append(DelayBucket(label, wilson(int(won[rows].sum()), int(rows.sum()))))
    none = np.isnan(delay)
    fast = deals["fast_follow_up"].to_numpy(dtype=bool)
    diff = newcombe_difference(
        int(won[fast].sum()), int(fast.sum()), int(won[~fast].sum()), int((~fast).sum())
    )
    return FollowUpDelay(buckets, wilson(int(won[none].sum()), int(none.sum())), diff)
