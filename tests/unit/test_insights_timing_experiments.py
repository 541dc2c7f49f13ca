"""Beta-binomial shrinkage and the sequential test against hand formulas and simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from salestrack.analytics.insights.experiments import (
    Look,
    always_valid_p_value,
    compare_variants,
    msprt_likelihood_ratio,
)
from salestrack.analytics.insights.timing import (
    BetaPrior,
    fit_beta_prior,
    follow_up_delay,
    posterior,
    rate_by_local_time,
)


def test_posterior_is_the_conjugate_update() -> None:
    e = posterior(3, 10, BetaPrior(2.0, 8.0))
    assert e.value == pytest.approx(5 / 20)  # (a + k) / (a + b + n), by hand
    assert (e.low, e.high) == pytest.approx(tuple(stats.beta.ppf([0.025, 0.975], 5, 15)))


def test_prior_is_recovered_from_many_cells() -> None:
    rng = np.random.default_rng(3)
    n = np.full(400, 60)
    hits = rng.binomial(n, rng.beta(4.0, 12.0, 400))
    prior = fit_beta_prior(hits, n)
    assert prior.mean == pytest.approx(0.25, abs=0.015)
    assert 10 < prior.a + prior.b < 26  # true strength 16


def test_thin_cells_shrink_towards_the_pooled_rate() -> None:
    cells = pd.DataFrame(
        {"hour": [9, 10, 11, 12], "weekday": [1, 1, 1, 1], "n": [2000, 2000, 2000, 3]}
    )
    cells["hits"] = [500, 700, 300, 3]  # the thin cell shows 100%
    result = rate_by_local_time(cells, "connect")
    thin = next(c for c in result.by_hour if c.hour == 12)
    assert thin.raw.value == 1.0
    assert thin.shrunk.value < 0.5  # pulled towards ~25%, not claiming 100%
    big = next(c for c in result.by_hour if c.hour == 10)
    assert big.shrunk.value == pytest.approx(0.35, abs=0.005)  # 2,000 calls barely move


def test_follow_up_buckets() -> None:
    deals = pd.DataFrame(
        {
            "follow_up_delay_h": [2.0, 20.0, 30.0, 100.0, np.nan],
            "won": [True, True, False, True, False],
            "fast_follow_up": [True, True, False, False, False],
        }
    )
    delay = follow_up_delay(deals)
    assert [b.win_rate.n for b in delay.buckets] == [2, 1, 1, 0]
    assert delay.no_follow_up.n == 1
    assert delay.fast_minus_rest.value == pytest.approx(1.0 - 1 / 3)


def test_msprt_likelihood_ratio_by_hand() -> None:
    look = Look(20, 100, 30, 100)  # diff 0.1, V = (.2*.8 + .3*.7)/100 = 0.0037
    v, t2 = 0.0037, 0.05**2
    expected = np.sqrt(v / (v + t2)) * np.exp(0.01 * t2 / (2 * v * (v + t2)))
    assert msprt_likelihood_ratio(look) == pytest.approx(expected)


def test_always_valid_p_value_survives_peeking() -> None:
    """Under no difference, peeking 40 times: the mSPRT rejects in at most ~5% of experiments,
    a z-test re-run at every look in far more."""
    rng = np.random.default_rng(17)
    sims, looks, batch, p = 400, 40, 50, 0.2
    a = rng.binomial(batch, p, (sims, looks)).cumsum(axis=1)
    b = rng.binomial(batch, p, (sims, looks)).cumsum(axis=1)
    n = batch * np.arange(1, looks + 1)
    msprt = naive = 0
    for s in range(sims):
        history = [Look(int(a[s, k]), int(n[k]), int(b[s, k]), int(n[k])) for k in range(looks)]
        msprt += always_valid_p_value(history) < 0.05
        pa, pb = a[s] / n, b[s] / n
        pooled = (a[s] + b[s]) / (2 * n)
        z = (pb - pa) / np.sqrt(np.maximum(pooled * (1 - pooled) * 2 / n, 1e-12))
        naive += bool(np.any(np.abs(z) > 1.96))
    assert msprt / sims <= 0.06
    assert naive / sims > 0.15


def test_compare_variants() -> None:
    frame = pd.DataFrame(
        {
            "experiment_id": [1, 1],
            "experiment": ["A vs B", "A vs B"],
            "variant": ["B", "A"],
            "n": [1000, 1000],
            "converted": [270, 200],
        }
    )
    (result,) = compare_variants(frame)
    assert (result.control, result.treatment) == ("A", "B")
    assert result.difference.value == pytest.approx(0.07)
    assert result.always_valid.low < result.difference.low  # always-valid is wider
    assert result.p_value < 0.05


def test_always_valid_p_survives_rates_of_zero_and_one() -> None:
    """0/60 against 60/60 has no plug-in variance; the test must decide, not overflow."""
    looks = [Look(0, n, n, n) for n in (20, 40, 60)]
    assert always_valid_p_value(looks) < 1e-4
    assert always_valid_p_value([Look(0, 60, 0, 60)]) == 1.0
