"""The insights add money in one currency, the report's, and call an order first or repeat as
the metrics registry does, on the two-currency org of ``tests/currency_org.py``.

Expected numbers come from the org's description, worked out by hand (stated next to them) and
again with plain pandas on the orders read back from the store, never from the insights' SQL.
Before this, the insights added the VND amounts to the dollars and took an account's orders on
the day of its first order as first-day purchases.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime

import duckdb
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from salestrack.analytics.insights import frames
from salestrack.analytics.insights.attribution import Journeys, attribute
from salestrack.analytics.insights.clv import customer_value, expected_order_value
from salestrack.analytics.insights.relationships import (
    order_value_ratio,
    repeat_purchase_rate,
    spend_ratio,
)
from salestrack.analytics.insights.report import build_report, report_json
from salestrack.analytics.metrics import compute, make_query
from salestrack.analytics.metrics.facts import ORDERS
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import open_warehouse, to_frame
from salestrack.domain.actor import SYSTEM
from salestrack.errors import ValidationFailed
from salestrack.store.models import Order
from salestrack.store.uow import UnitOfWork
from tests import currency_org
from tests.currency_org import CurrencyOrg

WEEK_S = 7 * 86_400.0


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CurrencyOrg]:
    built = currency_org.build(tmp_path_factory.mktemp("currency"))
    yield built
    built.engine.dispose()


@pytest.fixture
def src(org: CurrencyOrg) -> Iterator[frames.Source]:
    with org.warehouse.connect(read_only=True) as conn:
        yield frames.scoped_source(conn, None)


@pytest.fixture
def conn(org: CurrencyOrg) -> Iterator[duckdb.DuckDBPyConnection]:
    with org.warehouse.connect(read_only=True) as c:
        yield c


@pytest.fixture(scope="module")
def store_orders(org: CurrencyOrg) -> pd.DataFrame:
    """Every order as the store holds it, classified with plain pandas: an account's first is
    its earliest by time, then by id."""
    uow = UnitOfWork(org.engine)
    with uow(SYSTEM):
        rows = uow.session.execute(
            select(Order.id, Order.account_id, Order.amount, Order.currency, Order.ordered_at)
        ).all()
    frame = pd.DataFrame(rows, columns=["id", "account_id", "amount", "currency", "ordered_at"])
    frame["amount"] = frame["amount"].astype(float)
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"], utc=True).dt.tz_localize(None)
    frame = frame.sort_values(["account_id", "ordered_at", "id"]).reset_index(drop=True)
    frame["is_first"] = frame.groupby("account_id").cumcount() == 0
    return frame


def _names(org: CurrencyOrg) -> dict[int, str]:
    return {org.ids[a]: a for a in "ABCDEFG"}


# --- first and repeat orders -------------------------------------------------------------------


def test_first_orders_by_hand(org: CurrencyOrg, store_orders: pd.DataFrame) -> None:
    names = _names(org)
    firsts = {(names[int(r.account_id)], r.amount) for r in store_orders.itertuples() if r.is_first}
    # A's 1,500 shares a day with its first order and C's 4,000 an instant: both are repeats.
    assert firsts == {
        ("A", 10_000), ("B", 25_000_000), ("C", 400), ("D", 250_000_000), ("E", 6_000),
        ("F", 500), ("G", 9_000_000),
    }  # fmt: skip
    assert len(store_orders) == 13


def test_insights_classify_orders_as_the_registry_does(
    org: CurrencyOrg, src: frames.Source, store_orders: pd.DataFrame
) -> None:
    def keyed(frame: pd.DataFrame) -> list[tuple[int, datetime, float, bool]]:
        return sorted(
            (int(a), pd.Timestamp(t).to_pydatetime(), float(x), bool(f))
            for a, t, x, f in frame[["account_id", "ordered_at", "amount", "is_first"]].itertuples(
                index=False
            )
        )

    insights = keyed(frames.order_frame(src))
    with open_warehouse(org.warehouse) as source:
        registry = keyed(to_frame(ORDERS.build(Scope(SYSTEM, source), make_query([]), frozenset())))
    assert insights == registry == keyed(store_orders)


# --- order value, spend, repeat rate ---------------------------------------------------------


def _plain_order_values(orders: pd.DataFrame, currency: str) -> tuple[float, float, int, int]:
    priced = orders[orders["currency"] == currency]
    first, repeat = priced[priced["is_first"]], priced[~priced["is_first"]]
    return first["amount"].mean(), repeat["amount"].mean(), len(first), len(repeat)


@pytest.mark.parametrize("currency", ["USD", "VND"])
def test_order_value_ratio_adds_one_currency(
    org: CurrencyOrg, src: frames.Source, store_orders: pd.DataFrame, currency: str
) -> None:
    first, repeat, n_first, n_repeat = _plain_order_values(store_orders, currency)
    result = order_value_ratio(frames.order_frame(src, currency))
    assert (result.first.value, result.first.n) == (pytest.approx(first), n_first)
    assert (result.repeat.value, result.repeat.n) == (pytest.approx(repeat), n_repeat)
    assert result.ratio.value == pytest.approx(repeat / first)
    assert result.ratio.low < result.ratio.value < result.ratio.high
    with open_warehouse(org.warehouse) as source:
        row = compute(
            ["first_order_value", "repeat_order_value", "repeat_spend_ratio"],
            Scope(SYSTEM, source),
            currency=currency,
        ).frame.iloc[0]
    assert row["first_order_value"] == pytest.approx(result.first.value)
    assert row["repeat_order_value"] == pytest.approx(result.repeat.value)
    assert row["repeat_spend_ratio"] == pytest.approx(result.ratio.value)


def test_order_value_ratio_in_dollars_by_hand(src: frames.Source) -> None:
    result = order_value_ratio(frames.order_frame(src, "USD"))
    # First in USD: A 10,000, C 400, E 6,000, F 500. Repeat in USD: A 1,500 and 2,000, B 800,
    # C 4,000 and 900. B's first (VND) and D's orders (VND) stay out.
    assert (result.first.value, result.first.n) == (pytest.approx(16_900 / 4), 4)
    assert (result.repeat.value, result.repeat.n) == (pytest.approx(9_200 / 5), 5)
    assert result.ratio.value == pytest.approx(1_840 / 4_225)


def test_spend_and_repeat_rate(org: CurrencyOrg, src: frames.Source) -> None:
    customers = frames.customer_frame(src, "USD")
    # Repeat customers spending USD: A 13,500, B 800, C 5,300; one-time: E 6,000, F 500.
    # D and G never ordered in USD; G, a one-time VND customer, is not a one-time USD customer.
    spend = spend_ratio(customers)
    assert (spend.repeat.value, spend.repeat.n) == (pytest.approx(19_600 / 3), 3)
    assert (spend.first.value, spend.first.n) == (pytest.approx(3_250), 2)
    assert spend.ratio.value == pytest.approx((19_600 / 3) / 3_250)
    # A count, so every customer: A, B, C and D ordered again, of 7.
    rate = repeat_purchase_rate(customers)
    assert (rate.value, rate.n) == (pytest.approx(4 / 7), 7)


# --- lifetime value inputs ---------------------------------------------------------------------


def _plain_customers(orders: pd.DataFrame, currency: str) -> pd.DataFrame:
    end = orders["ordered_at"].max()
    rows = []
    for account, group in orders.groupby("account_id"):
        priced = group[group["currency"] == currency]
        repeat = priced[~priced["is_first"]]
        first_at, last_at = group["ordered_at"].min(), group["ordered_at"].max()
        rows.append(
            {
                "account_id": account,
                "orders": len(group),
                "frequency": len(group) - 1,
                "recency": (last_at - first_at).total_seconds() / WEEK_S,
                "age": (end - first_at).total_seconds() / WEEK_S,
                "orders_in_currency": len(priced),
                "total_spend": priced["amount"].sum() if len(priced) else math.nan,
                "repeat_orders_in_currency": len(repeat),
                "repeat_value": repeat["amount"].mean() if len(repeat) else math.nan,
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("currency", ["USD", "VND"])
def test_customer_frame_matches_pandas(
    src: frames.Source, store_orders: pd.DataFrame, currency: str
) -> None:
    expected = _plain_customers(store_orders, currency)
    got = frames.customer_frame(src, currency)[list(expected.columns)]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_customer_frame_counts_every_order_by_hand(org: CurrencyOrg, src: frames.Source) -> None:
    got = frames.customer_frame(src, "USD").set_index("account_id")
    a, c = got.loc[org.ids["A"]], got.loc[org.ids["C"]]
    # A: 10,000 and 1,500 on day 10, 2,000 on day 40: two repeat purchases of mean 1,750.
    assert (a["frequency"], a["repeat_value"]) == (2, 1_750)
    # C: 400 and 4,000 at one instant, 900 on day 50: repeats 4,000 and 900.
    assert (c["frequency"], c["repeat_value"]) == (2, 2_450)


def test_customer_value_spends_only_the_currency(org: CurrencyOrg, src: frames.Source) -> None:
    customers = frames.customer_frame(src, "USD")
    value = customer_value(customers, draws=20)
    assert value.purchases.n == 7  # the purchase model counts every customer
    assert value.spend.n == 3  # Gamma-Gamma: A, B, C have repeat orders in USD
    per = value.per_customer.set_index("account_id")
    assert set(per.index) == {org.ids[a] for a in "ABCEF"}  # D and G never bought in USD
    assert value.total.n == 5
    a = per.loc[org.ids["A"]]
    assert a["expected_value"] == pytest.approx(
        expected_order_value(value.spend.values(), np.array([2.0]), np.array([1_750.0]))[0]
    )


# --- attribution and the report -------------------------------------------------------------


def _journeys(src: frames.Source, currency: str) -> Journeys:
    return Journeys.from_frames(frames.deal_frame(src, currency), frames.touch_frame(src))


def test_attribution_credits_dollars_by_hand(src: frames.Source) -> None:
    result = attribute(_journeys(src, "USD"), by="revenue", bootstrap=20)
    credit = {m: {c: e.value for c, e in by.items()} for m, by in result.credits.items()}
    # USD wins: d1 10,000 (call, e-mail, demo), d3 4,000 (e-mail, call), d5 6,000 (demo).
    # The meeting touched only d2, won in VND: no dollar is credited to it by position.
    assert result.total == pytest.approx(20_000)
    expected = {
        "first_touch": {"call": 10_000, "email": 4_000, "demo": 6_000, "meeting": 0},
        "last_touch": {"call": 4_000, "email": 0, "demo": 16_000, "meeting": 0},
        "linear": {"call": 16_000 / 3, "email": 16_000 / 3, "demo": 28_000 / 3, "meeting": 0},
        "position_based": {"call": 6_000, "email": 4_000, "demo": 10_000, "meeting": 0},
        # Each won journey's value split evenly over its distinct channels.
        "shapley": {"call": 16_000 / 3, "email": 16_000 / 3, "demo": 28_000 / 3, "meeting": 0},
    }
    for model, want in expected.items():
        assert credit[model] == pytest.approx(want), model
    # Time decay, half-life 7 days: hours before close d1 240, 216, 192; d3 217, 193; d5 192.
    w1 = np.exp2(-np.array([240.0, 216.0, 192.0]) / 168.0)
    w3 = np.exp2(-np.array([217.0, 193.0]) / 168.0)
    d1, d3 = 10_000 * w1 / w1.sum(), 4_000 * w3 / w3.sum()
    assert credit["time_decay"] == pytest.approx(
        {"call": d1[0] + d3[1], "email": d1[1] + d3[0], "demo": d1[2] + 6_000, "meeting": 0}
    )
    assert sum(credit["markov"].values()) == pytest.approx(20_000)
    assert {e.n for e in result.credits["linear"].values()} == {3}


def test_attribution_in_dong_and_by_deals(src: frames.Source) -> None:
    dong = attribute(_journeys(src, "VND"), by="revenue", bootstrap=20)
    assert dong.total == pytest.approx(250_000_000)  # d2 alone
    linear = {c: e.value for c, e in dong.credits["linear"].items()}
    assert linear == pytest.approx({"call": 125e6, "meeting": 125e6, "email": 0, "demo": 0})
    # Won deals are a count: all four wins, whatever their currency.
    deals = attribute(_journeys(src, "VND"), by="deals", bootstrap=20)
    assert deals.total == 4


@pytest.mark.parametrize(
    ("currency", "ann", "bob"), [("USD", 16_000, 4_000), ("VND", 0, 250_000_000)]
)
def test_report_leaderboard_and_registry_agree(
    org: CurrencyOrg, conn: duckdb.DuckDBPyConnection, currency: str, ann: float, bob: float
) -> None:
    report = build_report(conn, currency=currency)
    won = {row.rep_id: row.won_revenue for row in report.leaderboard}
    assert won == {org.ids["ann"]: ann, org.ids["bob"]: bob}
    assert {row.rep_id: row.closed for row in report.leaderboard} == {
        org.ids["ann"]: 3,  # d1, d4 (lost), d5: counts take every deal
        org.ids["bob"]: 2,
    }
    with open_warehouse(org.warehouse) as source:
        frame = compute("won_amount", Scope(SYSTEM, source), by=["rep"], currency=currency).frame
    registry = dict(zip(frame["rep"].astype(int), frame["won_amount"], strict=True))
    assert {rep: registry.get(rep, 0) for rep in won} == pytest.approx(won)


def test_report_states_its_currency(conn: duckdb.DuckDBPyConnection) -> None:
    report = build_report(conn, currency="VND")
    data = report_json(report)
    assert data["currency"] == "VND"
    # VND: first orders B 25,000,000, D 250,000,000, G 9,000,000; repeat D 70,000,000.
    assert data["order_value"]["first"]["value"] == pytest.approx(284_000_000 / 3)
    assert data["order_value"]["repeat"]["value"] == pytest.approx(70_000_000)
    sentence = report.sentences["relationships"][0]
    assert sentence.startswith("Repeat orders are worth 0.74 ")
    assert "(70,000,000 vs 94,666,667 VND on average)" in sentence


@pytest.mark.parametrize("code", ["usd", "US", "DOLLAR"])
def test_report_refuses_a_currency_that_is_not_an_iso_code(
    conn: duckdb.DuckDBPyConnection, code: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        build_report(conn, currency=code)
    assert caught.value.field == "currency"
