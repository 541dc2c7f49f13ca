"""Each planted effect of the simulator is visible in the raw frames with a plain pandas
group-by (no analytics code): the data really carries what the ground truth claims.

Thresholds are set from the sampling error at these sizes (about 2,000 closed deals per org),
so a broken or missing mechanism fails them while sampling noise does not.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from salestrack.simulate import SimulatedOrg, SimulationParams, simulate

SEEDS = (7, 11, 2024)


def _params(seed: int) -> SimulationParams:
    return SimulationParams(seed=seed, leads_per_rep_month=30.0, activities_per_rep_month=150.0)


@pytest.fixture(scope="module", params=SEEDS)
def org(request: pytest.FixtureRequest) -> SimulatedOrg:
    return simulate(_params(request.param))


@pytest.fixture(scope="module")
def org7() -> SimulatedOrg:
    return simulate(_params(7))


def _closed_deals(org: SimulatedOrg) -> pd.DataFrame:
    """Closed deals with won flag and the deal-level activity indicators, by plain pandas."""
    deals = org.tables["deals"]
    acts = org.tables["activities"]
    closed = deals[deals["stage_name"].isin(["Won", "Lost"])].set_index("id")
    on_deal = acts[acts["deal_id"].notna()]
    demo_deals = set(on_deal.loc[on_deal["type_key"] == "demo", "deal_id"].astype(int))
    check_deals = set(on_deal.loc[on_deal["purpose"] == "check_in", "deal_id"].astype(int))
    first = on_deal[on_deal["purpose"] == "first_meeting"].groupby("deal_id")["started_at"].min()
    follow = on_deal[on_deal["purpose"] == "follow_up"].groupby("deal_id")["started_at"].min()
    gap = (follow - first.reindex(follow.index)).dt.total_seconds() / 3600
    fast_deals = set(gap[(gap > 0) & (gap <= 24)].index.astype(int))
    out = pd.DataFrame(index=closed.index)
    out["won"] = closed["stage_name"] == "Won"
    out["demo"] = out.index.isin(demo_deals)
    out["check_in"] = out.index.isin(check_deals)
    out["fast"] = out.index.isin(fast_deals)
    out["owner_id"] = closed["owner_id"]
    return out


def _log_odds_ratio(frame: pd.DataFrame, flag: str) -> tuple[float, float]:
    """Log odds ratio of winning with vs without ``flag`` and its Woolf standard error."""
    table = pd.crosstab(frame[flag], frame["won"])
    a, b = table.loc[True, True], table.loc[True, False]
    c, d = table.loc[False, True], table.loc[False, False]
    return math.log(a * d / (b * c)), math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)


def test_demo_raises_win_odds(org: SimulatedOrg) -> None:
    deals = _closed_deals(org)
    assert len(deals) > 1500
    log_or, se = _log_odds_ratio(deals, "demo")
    # planted 2.5 conditional; the raw odds ratio is slightly attenuated, SE about 0.1
    assert math.exp(log_or) > 1.7, (math.exp(log_or), se)


def test_null_control_has_no_effect(org: SimulatedOrg) -> None:
    deals = _closed_deals(org)
    share = deals["check_in"].mean()
    assert 0.4 < share < 0.6  # it occurs on a good share of deals
    log_or, se = _log_odds_ratio(deals, "check_in")
    assert abs(log_or) < 2.58 * se, (math.exp(log_or), se)
    assert abs(log_or) < 0.3


def test_fast_follow_up_raises_win_odds(org7: SimulatedOrg) -> None:
    deals = _closed_deals(org7)
    assert 0.3 < deals["fast"].mean() < 0.5
    log_or, se = _log_odds_ratio(deals, "fast")
    assert math.exp(log_or) > 1.3, (math.exp(log_or), se)


def test_connect_rate_follows_local_hour_profile(org7: SimulatedOrg) -> None:
    acts = org7.tables["activities"]
    calls = acts[(acts["type_key"] == "call") & (acts["status"] == "done")]
    zones = org7.tables["accounts"].set_index("id")["time_zone"]
    zone = calls["account_id"].map(zones)
    hour = pd.Series(-1, index=calls.index)
    for name, rows in calls.groupby(zone).groups.items():
        hour.loc[rows] = calls.loc[rows, "started_at"].dt.tz_convert(str(name)).dt.hour
    rate = (calls["outcome"] == "connected").groupby(hour).mean()
    planted = org7.ground_truth["connect_rate_by_local_hour"]["probability"]
    assert set(rate.index) == {int(h) for h in planted}
    assert set(rate.nlargest(4).index) == {10, 11, 16, 17}
    for h, p in planted.items():
        assert abs(rate[int(h)] - p) < 0.06, (h, rate[int(h)], p)


def test_repeat_orders_are_larger(org7: SimulatedOrg) -> None:
    orders = org7.tables["orders"].sort_values(["account_id", "ordered_at", "id"])
    repeat = orders.groupby("account_id").cumcount() > 0
    ratio = orders.loc[repeat, "amount"].mean() / orders.loc[~repeat, "amount"].mean()
    assert repeat.sum() > 500 and (~repeat).sum() > 300
    assert abs(ratio / 1.67 - 1) < 0.10, ratio


def test_csat_rises_with_touch_frequency(org7: SimulatedOrg) -> None:
    acts = org7.tables["activities"]
    selling = acts["type_key"].isin(["call", "email", "meeting", "visit", "demo", "social"])
    touches = acts[selling & (acts["status"] == "done")].groupby("account_id").size()
    per_month = touches / org7.params.months
    csat = org7.tables["satisfaction_responses"]
    csat = csat[csat["kind"] == "csat"].copy()
    csat["touch"] = csat["account_id"].map(per_month).fillna(0.0)
    low, high = csat["touch"].quantile([1 / 3, 2 / 3])
    assert (
        csat.loc[csat["touch"] >= high, "score"].mean()
        > csat.loc[csat["touch"] <= low, "score"].mean()
    )
    slope = np.polyfit(csat["touch"], csat["score"], 1)[0]
    assert 0.035 < slope < 0.105, slope


def test_reps_differ_in_skill(org7: SimulatedOrg) -> None:
    deals = _closed_deals(org7)
    by_rep = deals.groupby("owner_id")["won"].agg(["mean", "size"])
    skill = pd.Series(org7.ground_truth["rep_skill"]["log_odds_by_user_id"])
    skill.index = skill.index.astype(int)
    rank_corr = by_rep["mean"].rank().corr(skill.reindex(by_rep.index).rank())
    assert rank_corr > 0.5
    p = deals["won"].mean()
    binomial_sd = math.sqrt(p * (1 - p) / by_rep["size"].mean())
    assert by_rep["mean"].std() > 1.5 * binomial_sd


def test_cadence_b_converts_more_than_a(org7: SimulatedOrg) -> None:
    enrollments = org7.tables["enrollments"]
    rate = enrollments["converted_at"].notna().groupby(enrollments["variant"]).mean()
    sizes = enrollments["variant"].value_counts()
    assert abs(sizes["A"] - sizes["B"]) <= 1
    assert rate["B"] - rate["A"] > 0.03
    for variant, true_rate in org7.ground_truth["cadence_conversion"]["rate_by_variant"].items():
        assert abs(rate[variant] - true_rate) < 0.04
