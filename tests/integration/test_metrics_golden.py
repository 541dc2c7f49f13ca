"""Golden tests: every metric of the registry on the hand-made org of ``tests/golden_org.py``.

Expected values are worked out by hand from that module's description; the comment next to each
number says which rows make it up (a1..a7 are Ann's activities, b1..b5 Bob's, c1..c3 Cat's).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from salestrack.analytics.metrics import REGISTRY, compute, leaderboard
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import open_warehouse
from salestrack.domain.actor import SYSTEM
from salestrack.errors import ValidationFailed
from tests import golden_org
from tests.golden_org import END, NOW, NY, START, GoldenOrg

WINDOW = {"start": START, "end": END, "tz": NY, "now": NOW}

# Totals for the whole org (admin) over March 2026 in New York.
EXPECTED: dict[str, float] = {
    # Volume: a1-a7, b1-b5, c1-c3; planned a6, b3; cancelled b4.
    "activities": 15,
    "activities_done": 12,
    "activities_planned": 2,
    "activities_cancelled": 1,
    "done_share": 12 / 15,
    "overdue": 2,  # a6 due 03-09, b3 due 03-25, both before now (04-02)
    "logged_on_time": 11,  # every done activity but a5 (logged 49 h after it happened)
    "logging_coverage": 11 / 12,
    "selling_hours": (600 + 3600 + 300) / 3600,  # a1, a4, b1
    "admin_hours": 0.5,  # a7, a task
    "activity_hours": 1.75,
    "selling_share": 1.25 / 1.75,
    # Outcomes.
    "calls_made": 7,  # a1, a2, a5, b1, b5, c1, c3
    "calls_connected": 4,  # a1, b1, c1, c3
    "connect_rate": 4 / 7,
    "emails_sent": 2,  # a3 (replied), c2 (sent)
    "emails_replied": 1,
    "reply_rate": 0.5,
    "meetings": 2,  # a4 meeting held, b2 demo no-show
    "meetings_held": 1,
    "meetings_no_show": 1,
    "held_rate": 0.5,
    "no_show_rate": 0.5,
    "results_logged": 1,  # a4 positive
    "results_positive": 1,
    "positive_rate": 1.0,
    # Prospecting: L1, L2 (Ann), L3 (Cat); L1 and L3 qualified, L1 became d1.
    "leads_created": 3,
    "leads_qualified": 2,
    "leads_converted": 1,
    "qualification_rate": 2 / 3,
    "qualified_to_deal_rate": 0.5,
    "lead_to_deal_rate": 1 / 3,
    "leads_touched": 1,  # L1, by a3 one day after it was created
    "first_touch_hours": 24,
    "speed_to_first_touch": 24,
    # Pipeline: d1 won (5 days), d3 won (10 days), d2 lost; d4 (Qualification, 10%) and
    # d5 (Proposal, 50%) open.
    "deals_created": 5,
    "deals_won": 2,
    "deals_won_in_currency": 2,  # every amount of this org is in USD
    "deals_lost": 1,
    "deals_closed": 3,
    "win_rate": 2 / 3,
    "won_amount": 7000,
    "avg_won_amount": 3500,
    "won_cycle_days": 15,
    "cycle_days": 7.5,
    "open_deals": 2,
    "open_amount": 5000,
    "forecast": 1000 * 0.10 + 4000 * 0.50,
    "velocity": 2 * (2 / 3) * 3500 / 7.5,
    "stalled_deals": 1,  # d4, never touched since 03-02; d5 was touched on 03-30
    # Stage entries: d1 Q, D, P (all passed); d2 Q (lost); d3 Q (won); d4 Q; d5 Q (passed), P.
    "stage_entries": 8,
    "stage_advances": 5,
    "stage_conversion": 5 / 8,
    # Finished stays: d1 Q 1, D 2, P 2; d2 Q 8; d3 Q 10; d5 Q 1 day.
    "stage_exits": 6,
    "stage_days": 24,
    "time_in_stage": 4,
    # Orders in the window: Acme 5000 (d1; repeat, Acme ordered on 02-15), Cyan 2000 (d3,
    # first), Cyan 500 (03-20, repeat).
    "orders": 3,
    "orders_in_currency": 3,
    "revenue": 7500,
    "avg_order_value": 2500,
    "first_orders": 1,
    "first_orders_in_currency": 1,
    "first_order_revenue": 2000,
    "first_order_value": 2000,
    "repeat_orders": 2,
    "repeat_orders_in_currency": 2,
    "repeat_order_revenue": 5500,
    "repeat_order_value": 2750,
    "repeat_spend_ratio": 2750 / 2000,
    "customers": 2,
    "repeat_customers": 1,  # Cyan, two orders in the window
    "repeat_purchase_rate": 0.5,
    "orders_per_customer": 3 / 2,
    "customer_accounts": 2,  # Acme and Cyan became customers by winning d1, d3
    # Acme last touched by a4 on 03-04 09:00, Cyan by c3 on 04-01 02:00; now 04-02 12:00.
    "customer_idle_days": 29.125 + 34 / 24,
    "days_since_touch": (29.125 + 34 / 24) / 2,
    # Satisfaction: CSAT 5 (Ann), 4 (Cat); NPS 9 (promoter), 3 (detractor), 7 (passive).
    "csat_responses": 2,
    "csat_points": 9,
    "csat": 4.5,
    "nps_responses": 3,
    "nps_promoters": 1,
    "nps_detractors": 1,
    "nps": 0.0,
    # One row compared with itself: every input is the best.
    "composite_score": 100.0,
}


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GoldenOrg]:
    built = golden_org.build(tmp_path_factory.mktemp("golden"))
    yield built
    built.engine.dispose()


@pytest.fixture
def admin(org: GoldenOrg) -> Iterator[Scope]:
    with open_warehouse(org.warehouse) as source:
        yield Scope(SYSTEM, source)


def _close(actual: object, expected: float) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return pd.isna(actual)
    return not pd.isna(actual) and math.isclose(float(actual), expected, abs_tol=1e-9)  # type: ignore[arg-type]


def test_every_metric_has_a_golden_value() -> None:
    plain = {m.name for m in REGISTRY if m.runner is None}
    assert plain == set(EXPECTED)


def test_every_metric_total_matches_the_hand_computed_value(admin: Scope) -> None:
    result = compute(list(EXPECTED), admin, **WINDOW)  # type: ignore[arg-type]
    assert len(result.frame) == 1
    row = result.frame.iloc[0]
    wrong = {n: (row[n], v) for n, v in EXPECTED.items() if not _close(row[n], v)}
    assert wrong == {}
    assert result.as_of is not None
    assert result.as_of.tzinfo is UTC


def _weekly(scope: Scope, tz: str) -> dict[tuple[str, str], int]:
    frame = compute("activities", scope, by=["rep"], period="week", **{**WINDOW, "tz": tz}).frame
    return {
        (str(rep), f"{period:%m-%d}"): int(n)
        for rep, period, n in frame[["rep", "period", "activities"]].itertuples(index=False)
    }


def test_weeks_in_new_york_include_empty_weeks_and_idle_reps(org: GoldenOrg, admin: Scope) -> None:
    ids = org.ids
    weeks = ["02-23", "03-02", "03-09", "03-16", "03-23", "03-30"]  # 03-01 is a Sunday
    counts = _weekly(admin, NY)
    assert {w for _, w in counts} == set(weeks)
    assert {r for r, _ in counts} == {str(ids[n]) for n in ("mia", "ann", "bob", "dan", "cat")}
    by_rep = {
        # a1-a5, a7 in the week of 03-02; a6 due 03-09.
        "ann": {"03-02": 6, "03-09": 1},
        # b1, b2, b4 (cancelled, due 03-11); b3 due 03-24 20:00 New York; b5 on 03-30.
        "bob": {"03-09": 3, "03-23": 1, "03-30": 1},
        # c1 is Sunday 03-15 23:30 in New York: still the week of 03-09.
        "cat": {"03-09": 1, "03-16": 1, "03-30": 1},
        "dan": {},
        "mia": {},
    }
    for name, expected in by_rep.items():
        got = {w: counts[(str(ids[name]), w)] for w in weeks}
        assert got == {w: expected.get(w, 0) for w in weeks}, name


def test_a_call_at_2330_local_lands_in_its_local_day_and_week(org: GoldenOrg, admin: Scope) -> None:
    cat = {"rep": [org.ids["cat"]]}

    def calls(period: str, tz: str) -> dict[str, int]:
        window = {**WINDOW, "tz": tz}
        frame = compute("calls_made", admin, period=period, filters=cat, **window).frame
        pairs = zip(frame.period, frame.calls_made, strict=True)
        return {f"{p:%m-%d}": int(n) for p, n in pairs if n}

    assert calls("day", NY) == {"03-15": 1, "03-31": 1}
    assert calls("day", "UTC") == {"03-16": 1, "04-01": 1}
    assert calls("week", NY) == {"03-09": 1, "03-30": 1}
    assert calls("week", "UTC") == {"03-16": 1, "03-30": 1}
    assert calls("month", NY) == {"03-01": 2}  # c3 is March 31 in New York
    assert calls("quarter", NY) == {"01-01": 2}


def test_deals_without_an_account_form_the_empty_segment(admin: Scope) -> None:
    frame = compute(["deals_created", "win_rate"], admin, by=["segment"], **WINDOW).frame
    rows = {s if isinstance(s, str) else None: (c, w) for s, c, w in frame.itertuples(index=False)}
    assert rows.keys() == {"smb", "enterprise", None}
    assert rows["smb"] == (2, 1.0)  # d1, d3 won
    assert rows["enterprise"][:1] == (2,) and rows["enterprise"][1] == 0.0  # d2 lost, d5 open
    assert rows[None][0] == 1 and pd.isna(rows[None][1])  # d4: nothing closed, no rate


def test_stage_conversion_and_time_in_stage_by_stage(admin: Scope) -> None:
    names = ["stage_entries", "stage_conversion", "time_in_stage"]
    frame = compute(names, admin, by=["stage"], **WINDOW).frame.set_index("stage")
    assert frame.loc["Qualification"].tolist() == [5, 3 / 5, 20 / 4]  # d1,d3,d5 moved on
    assert frame.loc["Discovery"].tolist() == [1, 1.0, 2.0]
    assert frame.loc["Proposal"].tolist() == [2, 0.5, 2.0]  # d1 won, d5 still there


def test_composite_score_weighs_results_not_volume(org: GoldenOrg, admin: Scope) -> None:
    frame = compute("composite_score", admin, by=["rep"], **WINDOW).frame
    score = dict(zip(frame.rep, frame.composite_score, strict=True))
    ids = org.ids
    # Ann: best won amount, win rate and wins; 5/6 logged on time.
    assert math.isclose(score[ids["ann"]], 100 * (0.4 + 0.3 + 0.2 + 0.1 * 5 / 6))
    # Cat: 2000 of 5000 won, win rate 1, one win, everything logged on time.
    assert math.isclose(score[ids["cat"]], 100 * (0.4 * 0.4 + 0.3 + 0.2 + 0.1))
    # Bob: five activities but nothing won: only the logging share counts.
    assert math.isclose(score[ids["bob"]], 10.0)
    assert score[ids["dan"]] == 0.0


def test_leaderboard_ranks_with_change_from_the_previous_window(
    org: GoldenOrg, admin: Scope
) -> None:
    board = leaderboard("won_amount", admin, start=START, end=END, tz=NY, now=NOW).frame
    top = board.iloc[0]
    assert (top.rep, top.value, top.previous, top.change, top["rank"]) == (
        org.ids["ann"], 5000.0, 0.0, 5000.0, 1.0,
    )  # fmt: skip
    assert pd.isna(top.change_pct)  # nothing won in February: no relative change
    assert board.iloc[1].rep == org.ids["cat"]
    assert set(board["rank"].iloc[2:]) == {3.0}


def test_goal_attainment_and_pace(org: GoldenOrg, admin: Scope) -> None:
    done = compute("goal_attainment", admin, now=NOW).frame.set_index("metric")
    ann = done.loc["calls_made"]  # a1, a2, a5 in the week of 03-02; target 4
    assert (ann.rep, ann.actual, ann.attainment, ann.elapsed) == (org.ids["ann"], 3, 0.75, 1.0)
    north = done.loc["won_amount"]  # d1 (Ann); d3 is South's
    assert (north.team, north.actual, north.attainment) == (org.ids["north"], 5000, 0.5)

    mid = datetime(2026, 3, 16, tzinfo=UTC)  # 15 of March's 31 days gone
    running = compute("goal_attainment", admin, now=mid).frame.set_index("metric")
    month = running.loc["won_amount"]
    assert math.isclose(month.elapsed, 15 / 31)
    assert math.isclose(month.pace, 5000 / (10000 * 15 / 31))
    assert math.isclose(month.projected, 5000 * 31 / 15)


def test_requests_outside_a_metrics_dimensions_are_refused(admin: Scope) -> None:
    with pytest.raises(ValidationFailed, match="cannot be split by period"):
        compute("open_deals", admin, period="week")
    with pytest.raises(ValidationFailed, match="cannot be split by activity_type"):
        compute("win_rate", admin, by=["activity_type"])
    with pytest.raises(ValidationFailed, match="not a metric"):
        compute("win_rates", admin)
    with pytest.raises(ValidationFailed, match="IANA"):
        compute("activities", admin, tz="Mars/Olympus")


def test_docs_page_is_generated_from_the_registry() -> None:
    from salestrack.analytics.metrics.docs import render

    committed = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
    assert committed.read_text() == render(), "run: salestrack metrics --docs > docs/metrics.md"


def test_a_period_breakdown_has_no_undated_bucket(admin: Scope) -> None:
    """Open deals have no close date; by month they belong to no period, not to a blank one."""
    frame = compute("win_rate", admin, by=["rep"], period="month").frame
    assert len(frame) > 0
    assert frame["period"].notna().all()
