"""Repeat-customer value, CSAT slope, NPS and time shares against second computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from salestrack.analytics.insights.coverage import coverage
from salestrack.analytics.insights.relationships import (
    csat_touch_slope,
    nps,
    order_value_ratio,
    retention_at,
)


def _orders(seed: int = 2, accounts: int = 400, ratio: float = 1.6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    count = 1 + rng.poisson(2.0, accounts)
    account = np.repeat(np.arange(accounts), count)
    seq = np.concatenate([np.arange(1, c + 1) for c in count])
    scale = np.exp(rng.normal(8, 0.4, accounts))[account]
    amount = scale * rng.lognormal(-0.05, 0.3, len(account)) * np.where(seq > 1, ratio, 1.0)
    return pd.DataFrame(
        {"account_id": account, "amount": amount, "seq": seq, "is_first": seq == 1}
    ).assign(in_currency=True)


def test_order_value_ratio_matches_pandas_and_a_cluster_bootstrap() -> None:
    orders = _orders()
    result = order_value_ratio(orders)
    repeat = orders["seq"] > 1
    plain = orders.loc[repeat, "amount"].mean() / orders.loc[~repeat, "amount"].mean()
    assert result.ratio.value == pytest.approx(plain)
    # second way: resample accounts (clusters) 2,000 times
    rng = np.random.default_rng(0)
    groups = [g for _, g in orders.groupby("account_id")]
    sums = np.array(
        [
            [
                g.loc[g.seq > 1, "amount"].sum(),
                (g.seq > 1).sum(),
                g.loc[g.seq == 1, "amount"].sum(),
                1,
            ]
            for g in groups
        ]
    )
    draws = rng.integers(0, len(groups), (2000, len(groups)))
    boot = sums[draws].sum(axis=1)
    ratios = (boot[:, 0] / boot[:, 1]) / (boot[:, 2] / boot[:, 3])
    sd_log = np.log(ratios).std()
    delta_sd = math.log(result.ratio.high / result.ratio.low) / (2 * 1.959964)
    assert delta_sd == pytest.approx(sd_log, rel=0.15)


def test_order_value_ratio_covers_truth_in_most_samples() -> None:
    covered = sum(order_value_ratio(_orders(seed=s)).ratio.covers(1.6) for s in range(40))
    assert covered >= 34  # 95% nominal; P(< 34 of 40) is about 1.5% if calibrated


def test_csat_slope_matches_least_squares() -> None:
    rng = np.random.default_rng(4)
    touches = rng.uniform(0, 20, 300)
    account = np.arange(300)
    frame = pd.DataFrame(
        {
            "account_id": np.repeat(account, 2),
            "kind": "csat",
            "touches_per_month": np.repeat(touches, 2),
            "score": np.round(
                np.clip(3 + 0.07 * np.repeat(touches, 2) + rng.normal(0, 0.8, 600), 1, 5)
            ),
        }
    )
    e = csat_touch_slope(frame)
    assert e.value == pytest.approx(np.polyfit(frame.touches_per_month, frame.score, 1)[0])
    assert e.low < e.value < e.high and e.n == 600


def test_nps_by_hand() -> None:
    e = nps(np.array([10, 9, 9, 8, 7, 6, 3, 10, 0, 9]))  # 5 promoters, 3 detractors of 10
    assert e.value == pytest.approx(20.0)
    se = math.sqrt((0.5 + 0.3 - 0.2**2) / 10)
    assert e.high - e.value == pytest.approx(100 * 1.959964 * se, rel=1e-5)


def test_retention_only_counts_cohorts_old_enough() -> None:
    cohorts = pd.DataFrame(
        {
            "cohort": pd.to_datetime(["2025-01-01"] * 2 + ["2025-03-01"] * 2 + ["2025-05-01"]),
            "month": [0, 3, 0, 1, 0],
            "customers": [10, 4, 20, 5, 8],
        }
    )
    e = retention_at(cohorts, 3)  # last cohort May: Jan (4 months) and Mar (2) -> only Jan
    assert (e.value, e.n) == (0.4, 10)


def test_coverage_by_hand() -> None:
    frame = pd.DataFrame(
        {
            "owner_id": [1, 1, 2],
            "category": ["selling", "admin", "selling"],
            "done": [5, 10, 5],
            "logged_24h": [5, 8, 5],
            "seconds": [500.0, 1000.0, 500.0],
            "seconds_sq": [5 * 100.0**2, 10 * 100.0**2, 5 * 100.0**2],
        }
    )
    result = coverage(frame)
    assert result.logged_within_24h.value == pytest.approx(18 / 20)
    assert result.by_rep[1].value == pytest.approx(13 / 15)
    assert result.selling_time_share.value == pytest.approx(0.5)
    # 20 activities of 100 s each: the share is a proportion, se = sqrt(.5 * .5 / 20)
    half = result.selling_time_share.high - 0.5
    assert half == pytest.approx(1.959964 * math.sqrt(0.25 / 20), rel=1e-4)
