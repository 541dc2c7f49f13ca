"""Experiment statistics pinned to published numbers, scipy, and a simulation of peeking."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from salestrack.automation.experiment_stats import (
    Arm,
    Decision,
    always_valid_p,
    compare,
    difference_interval,
    msprt_ratio,
    wilson,
    z_test_p,
)


def test_newcombe_interval_matches_the_published_example() -> None:
    # Newcombe (1998), Stat Med 17:873, table II, example (a): 56/70 vs 48/80,
    # method 10 gives 0.0524 to 0.3339.
    low, high = difference_interval(control=Arm(80, 48), treatment=Arm(70, 56))
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


@pytest.mark.parametrize(("k", "n"), [(0, 10), (1, 29), (56, 70), (81, 263), (10, 10)])
def test_wilson_matches_scipy(k: int, n: int) -> None:
    expected = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert wilson(Arm(n, k)) == pytest.approx((expected.low, expected.high), abs=1e-9)


def test_z_test_matches_scipy_chi_square_without_correction() -> None:
    control, treatment = Arm(1000, 200), Arm(1000, 236)
    table = [[200, 800], [236, 764]]
    expected = stats.chi2_contingency(table, correction=False).pvalue
    assert z_test_p(control, treatment) == pytest.approx(expected, rel=1e-9)


def test_msprt_ratio_by_hand() -> None:
    control, treatment, tau = Arm(400, 80), Arm(400, 112), 0.05
    v = 0.28 * 0.72 / 400 + 0.2 * 0.8 / 400  # = 0.000904
    d = 0.08
    by_hand = math.sqrt(v / (v + tau**2)) * math.exp(d**2 * tau**2 / (2 * v * (v + tau**2)))
    assert msprt_ratio(control, treatment, tau) == pytest.approx(by_hand, rel=1e-12)
    assert always_valid_p([(control, treatment)], tau) == pytest.approx(1 / by_hand)


def test_stop_rule() -> None:
    big = compare([(Arm(2000, 400), Arm(2000, 520))])
    assert big.decision is Decision.TREATMENT_BETTER
    assert big.interval[0] > 0
    worse = compare([(Arm(2000, 520), Arm(2000, 400))])
    assert worse.decision is Decision.CONTROL_BETTER
    early = compare([(Arm(50, 10), Arm(50, 13))], max_per_arm=1000)
    assert early.decision is Decision.CONTINUE
    done = compare([(Arm(1000, 200), Arm(1000, 205))], max_per_arm=1000)
    assert done.decision is Decision.NO_DIFFERENCE
    # The always-valid p-value never rises again once a look was strong.
    looks = [(Arm(2000, 400), Arm(2000, 520)), (Arm(2100, 440), Arm(2100, 470))]
    assert always_valid_p(looks) == always_valid_p(looks[:1])


def test_peeking_keeps_false_positives_at_alpha_only_with_the_sequential_test() -> None:
    """A/A tests looked at 40 times: the naive z-test cries wolf, the mSPRT does not."""
    rng = np.random.default_rng(7)
    sims, n, looks, rate, alpha = 400, 4000, 40, 0.2, 0.05
    a = rng.random((sims, n)) < rate
    b = rng.random((sims, n)) < rate
    naive = sequential = 0
    checkpoints = np.linspace(n // looks, n, looks).astype(int)
    ca, cb = a.cumsum(axis=1), b.cumsum(axis=1)
    for s in range(sims):
        arms = [
            (Arm(int(k), int(ca[s, k - 1])), Arm(int(k), int(cb[s, k - 1]))) for k in checkpoints
        ]
        naive += any(z_test_p(c, t) < alpha for c, t in arms)
        sequential += always_valid_p(arms) < alpha
    assert naive / sims > 0.12  # peeking at a fixed-horizon test inflates errors
    assert sequential / sims <= alpha + 0.02  # the sequential test holds alpha


def test_counts_are_checked() -> None:
    with pytest.raises(ValueError, match="conversions <= n"):
        Arm(10, 11)
    assert wilson(Arm(0, 0)) == (0.0, 1.0)
    # Before the first enrolment nothing is known: the whole range, never NaN (the API sends it).
    assert difference_interval(Arm(0, 0), Arm(4, 1)) == (-1.0, 1.0)
