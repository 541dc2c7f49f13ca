"""Interval formulas and the effectiveness model against independent computations."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from salestrack.analytics.insights.effectiveness import (
    adjusted_odds_ratios,
    feature_flags,
    usable_features,
    win_rate_lift,
)
from salestrack.analytics.insights.estimate import newcombe_difference, wilson


def test_wilson_interval_by_hand() -> None:
    # 8 of 10, z = 1.959964: centre (0.8 + z^2/20) / (1 + z^2/10) = 0.71674,
    # half-width z sqrt(0.016 + z^2/400) / (1 + z^2/10) = 0.22657 (computed by hand).
    e = wilson(8, 10)
    assert (e.value, e.n) == (0.8, 10)
    assert e.low == pytest.approx(0.71674 - 0.22657, abs=1e-4)
    assert e.high == pytest.approx(0.71674 + 0.22657, abs=1e-4)
    assert (e.low, e.high) == pytest.approx(proportion_confint(8, 10, method="wilson"))
    assert wilson(0, 0).n == 0 and math.isnan(wilson(0, 0).value)


def test_newcombe_difference_matches_statsmodels() -> None:
    e = newcombe_difference(56, 70, 48, 80)
    low, high = confint_proportions_2indep(56, 70, 48, 80, method="newcomb", compare="diff")
    assert e.value == pytest.approx(56 / 70 - 48 / 80)
    assert (e.low, e.high) == pytest.approx((low, high))


def _deals(n: int = 3000, seed: int = 1) -> pd.DataFrame:
    """Synthetic closed deals from a known logistic model (demo OR 3, task none)."""
    rng = np.random.default_rng(seed)
    demo = rng.random(n) < 0.5
    task = rng.random(n) < 0.6
    owner = rng.integers(1, 6, n)
    segment = rng.choice(["smb", "mid", "enterprise"], n)
    amount = np.exp(rng.normal(10, 0.5, n))
    skill = np.array([0.0, -0.5, 0.0, 0.3, 0.6, -0.4])[owner]
    logit = -0.3 + math.log(3.0) * demo - 0.2 * np.log(amount / 20000) + skill
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "deal_id": np.arange(n),
            "owner_id": owner,
            "amount": amount,
            "segment": segment,
            "won": won,
            "type:demo": demo.astype(int),
            "purpose:demo": demo.astype(int),
            "type:task": task.astype(int),
            "type:meeting": np.ones(n, dtype=int),
            "fast_follow_up": np.zeros(n, dtype=bool),
        }
    )


def test_identical_and_constant_features_are_folded() -> None:
    kept = usable_features(feature_flags(_deals()))
    assert kept["type:demo"] == ["type:demo", "purpose:demo"]
    assert "type:meeting" not in kept and "fast_follow_up" not in kept


def _formula_fit(deals: pd.DataFrame, *extra: str) -> Any:
    """The same model written as a statsmodels formula: the independent computation."""
    frame = deals.assign(
        demo=deals["type:demo"], task=deals["type:task"], log_amount=np.log(deals["amount"])
    )
    terms = ["demo", "task", "log_amount", *extra, "C(segment, Treatment('smb'))", "C(owner_id)"]
    return smf.logit(f"won ~ {' + '.join(terms)}", frame.astype({"won": float})).fit(disp=0)


def test_adjusted_odds_ratios_match_a_formula_fit() -> None:
    deals = _deals()
    model = adjusted_odds_ratios(deals)
    assert model.converged
    check = _formula_fit(deals)
    demo = model.odds_ratios["type:demo"]
    assert demo.value == pytest.approx(math.exp(check.params["demo"]), rel=1e-6)
    low, high = np.exp(check.conf_int().loc["demo"])
    assert (demo.low, demo.high) == pytest.approx((low, high), rel=1e-6)
    assert demo.covers(3.0)
    assert model.odds_ratios["type:task"].covers(1.0)
    # rep effects are centred on the average rep, as contrasts of the same fit
    effects = model.rep_effects
    assert sum(e.value for e in effects.values()) == pytest.approx(0.0, abs=1e-9)
    beta = {o: check.params.get(f"C(owner_id)[T.{o}]", 0.0) for o in range(1, 6)}
    mean = sum(beta.values()) / 5
    for owner, e in effects.items():
        assert e.value == pytest.approx(beta[owner] - mean, abs=1e-6)


def test_deal_size_is_compared_within_each_currency() -> None:
    """A third of the deals recorded in VND (25,000 to the dollar): a currency indicator absorbs
    the rate, so the fit equals one with a currency fixed effect and does not depend on the
    rate."""
    deals = _deals()
    in_vnd = np.random.default_rng(7).random(len(deals)) < 1 / 3
    mixed = deals.assign(
        amount=np.where(in_vnd, deals["amount"] * 25_000, deals["amount"]),
        currency=np.where(in_vnd, "VND", "USD"),
    )
    model = adjusted_odds_ratios(mixed)
    check = _formula_fit(mixed, "C(currency)")
    demo = model.odds_ratios["type:demo"]
    assert demo.value == pytest.approx(math.exp(check.params["demo"]), rel=1e-6)
    # Whatever the rate: the same deals all recorded in dollars give the same estimate.
    in_dollars = adjusted_odds_ratios(deals.assign(currency=mixed["currency"]))
    assert demo.value == pytest.approx(in_dollars.odds_ratios["type:demo"].value, rel=1e-6)


def test_lift_is_the_plain_win_rate_difference() -> None:
    deals = _deals()
    (demo,) = [lift for lift in win_rate_lift(deals) if lift.feature == "type:demo"]
    has = deals["type:demo"] > 0
    assert demo.with_.value == pytest.approx(deals.loc[has, "won"].mean())
    assert demo.without.value == pytest.approx(deals.loc[~has, "won"].mean())
    assert demo.difference.low > 0
