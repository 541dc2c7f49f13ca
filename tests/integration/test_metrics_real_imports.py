"""Golden tests on real third-party data: metrics of imported exports against plain pandas.

Two exports of ``../shared/data`` (see its README) go through the presets a user runs,
``salestrack import salesforce`` and ``salestrack import orders``, into a store on SQLite and on
PostgreSQL; the warehouse is synced and the metrics are computed through ``compute()``. The
expected numbers are worked out here from the source files with pandas and Decimal, applying
only the import rules docs/import-presets.md states:

- Salesforce: its stage table (Prospecting, Qualification -> Qualification; Needs Analysis ...
  -> Discovery; ...); an opportunity in any other stage is rejected (8 of the 50 are "Assigned
  dynamically"); amounts are USD (the export names no currency); a closed deal closes on its
  ``closedate``; an account of type Customer, or with a won deal, is a customer; a won deal is
  an order of its account (DESIGN.md section 2).
- Retail orders: one order per invoice and customer, amount = sum of Quantity x Price of its
  lines rounded to the cent, at the invoice time in Europe/London, in GBP; lines without a
  customer, of cancellation invoices (C...) or with a quantity <= 0 are skipped.

Counts must be equal; money agrees to 1e-9 relative (the engine adds doubles, the expected
values are exact decimals). What the data cannot tell is left out: the Salesforce sample has no
owners and no creation dates (an imported deal is created when imported, years after it
closed, so cycle length and velocity mean nothing here), the retail file has no deals.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from salestrack.analytics.metrics import compute
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import open_warehouse
from salestrack.analytics.sync import sync
from salestrack.analytics.warehouse import Warehouse
from salestrack.capture.presets import run_preset_or_mapping
from salestrack.domain.actor import SYSTEM
from salestrack.services.setup import init_store
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork
from tests.conftest import SHARED_DATA, private_pg_schema

SALESFORCE = SHARED_DATA / "salesforce-sample"
RETAIL = SHARED_DATA / "orders" / "online_retail_II_2009-12_to_2010-02.csv"
LONDON = ZoneInfo("Europe/London")

# docs/import-presets.md, "salesforce": how the export's stages map onto the default pipeline.
STAGE_OF = {
    "Prospecting": "Qualification",
    "Qualification": "Qualification",
    "Needs Analysis": "Discovery",
    "Value Proposition": "Discovery",
    "Id. Decision Makers": "Discovery",
    "Perception Analysis": "Discovery",
    "Proposal/Price Quote": "Proposal",
    "Negotiation/Review": "Negotiation",
    "Closed Won": "Won",
    "Closed/Won": "Won",
    "Closed Lost": "Lost",
    "Closed/Lost": "Lost",
}
# The default pipeline `salestrack init` seeds: each stage's kind and probability.
KIND = {"Qualification": "open", "Discovery": "open", "Proposal": "open", "Negotiation": "open"}
KIND |= {"Won": "won", "Lost": "lost"}
PROBABILITY = {"Qualification": "0.10", "Discovery": "0.25", "Proposal": "0.50"}
PROBABILITY |= {"Negotiation": "0.75", "Won": "1.00", "Lost": "0.00"}
CENT = Decimal("0.01")


# --- the expected side: plain pandas over the source files -----------------------------------


def _records(name: str) -> pd.DataFrame:
    """An sObject tree file as a frame; field names case-folded (their case varies upstream)."""
    doc = json.loads((SALESFORCE / f"{name}.json").read_text(encoding="utf-8"))
    rows = [
        {**{k.casefold(): v for k, v in r.items() if k != "attributes"},
         "ref": r["attributes"]["referenceId"]}
        for r in doc["records"]
    ]  # fmt: skip
    return pd.DataFrame(rows)


def salesforce_deals() -> pd.DataFrame:
    """The opportunities that import: stage mapped, kind, exact amount, close time in UTC."""
    opps = _records("Opportunities")
    opps["stage"] = opps["stagename"].map(STAGE_OF)
    deals = opps[opps["stage"].notna()].copy()
    deals["kind"] = deals["stage"].map(KIND)
    deals["amount"] = deals["amount"].map(Decimal)
    deals["weighted"] = deals["amount"] * deals["stage"].map(PROBABILITY).map(Decimal)
    deals["closed_at"] = pd.to_datetime(deals["closedate"], utc=True)
    deals["account"] = deals["accountid"].str.removeprefix("@")
    return deals


def retail_orders() -> pd.DataFrame:
    """One row per invoice and customer: exact amount to the cent, time in UTC, file position."""
    return _retail_orders().copy()


@cache
def _retail_orders() -> pd.DataFrame:
    lines = pd.read_csv(RETAIL, dtype=str, keep_default_na=False)
    lines["position"] = range(len(lines))
    customer = lines["Customer ID"].str.strip()
    cancelled = lines["Invoice"].str.upper().str.startswith("C")
    kept = lines[(customer != "") & ~cancelled & (lines["Quantity"].astype(int) > 0)].copy()
    kept["value"] = [
        Decimal(q) * Decimal(p) for q, p in zip(kept.Quantity, kept.Price, strict=True)
    ]
    orders = (
        kept.groupby(["Invoice", "Customer ID"])
        .agg(value=("value", "sum"), local=("InvoiceDate", "min"), position=("position", "min"))
        .reset_index()
    )
    orders["amount"] = [v.quantize(CENT, ROUND_HALF_EVEN) for v in orders["value"]]
    local = pd.to_datetime(orders["local"]).dt.tz_localize(LONDON)
    orders["at"] = local.dt.tz_convert("UTC")
    # A customer's first order is the earliest; two invoices in the same minute (5 customers)
    # count in file order, the order the store numbers them in.
    orders = orders.sort_values(["at", "position"], kind="stable")
    orders["is_first"] = ~orders.duplicated("Customer ID")
    return orders.reset_index(drop=True)


def relationship_figures(
    orders: pd.DataFrame, window: pd.Series | None = None
) -> dict[str, object]:
    """The relationship metrics of ``orders`` (first/repeat judged over all of them)."""
    chosen = orders if window is None else orders[window]
    first, repeat = chosen[chosen["is_first"]], chosen[~chosen["is_first"]]
    per_customer = chosen.groupby("Customer ID").size()
    revenue = sum(chosen["amount"], Decimal(0))
    first_revenue = sum(first["amount"], Decimal(0))
    repeat_revenue = sum(repeat["amount"], Decimal(0))
    return {
        "orders": len(chosen),
        "revenue": revenue,
        "avg_order_value": revenue / len(chosen),
        "first_orders": len(first),
        "first_order_revenue": first_revenue,
        "first_order_value": first_revenue / len(first),
        "repeat_orders": len(repeat),
        "repeat_order_revenue": repeat_revenue,
        "repeat_order_value": repeat_revenue / len(repeat),
        "repeat_spend_ratio": (repeat_revenue / len(repeat)) / (first_revenue / len(first)),
        "customers": len(per_customer),
        "repeat_customers": int((per_customer >= 2).sum()),
        "repeat_purchase_rate": Decimal(int((per_customer >= 2).sum())) / len(per_customer),
        "orders_per_customer": Decimal(len(chosen)) / len(per_customer),
    }


# --- the side under test: import, sync, compute ----------------------------------------------


def _imported(url: str, preset: str, paths: list[Path], warehouse: Warehouse) -> None:
    engine = make_engine(url)
    try:
        init_store(engine)
        report = run_preset_or_mapping(UnitOfWork(engine), SYSTEM, preset, paths)
        assert report.committed
        sync(engine, warehouse)
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def warehouses(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Warehouse]:
    """The Salesforce sample and the retail orders, each imported into a fresh store and synced
    into a warehouse of its own (the store is dropped once copied)."""
    folder = tmp_path_factory.mktemp(f"real-{request.param}")
    loads = {
        "salesforce": sorted(SALESFORCE.glob("*.json")),
        "orders": [RETAIL],
    }
    found = {}
    for preset, paths in loads.items():
        warehouse = Warehouse(folder / f"{preset}.duckdb")
        if request.param == "sqlite":
            _imported(f"sqlite:///{folder / preset}.db", preset, paths, warehouse)
        else:
            request.getfixturevalue("pg_available")
            with private_pg_schema() as url:
                _imported(url, preset, paths, warehouse)
        found[preset] = warehouse
    return found


@pytest.fixture
def salesforce(warehouses: dict[str, Warehouse]) -> Iterator[Scope]:
    with open_warehouse(warehouses["salesforce"]) as source:
        yield Scope(SYSTEM, source)


@pytest.fixture
def retail(warehouses: dict[str, Warehouse]) -> Iterator[Scope]:
    with open_warehouse(warehouses["orders"]) as source:
        yield Scope(SYSTEM, source)


def assert_figures(row: pd.Series, expected: dict[str, object]) -> None:
    """Counts (ints) equal; money and rates (Decimal) within 1e-9 relative."""
    wrong = {}
    for name, value in expected.items():
        got = row[name]
        if isinstance(value, int):
            ok = not pd.isna(got) and int(got) == got == value
        else:
            ok = not pd.isna(got) and math.isclose(float(got), float(value), rel_tol=1e-9)  # type: ignore[arg-type]
        if not ok:
            wrong[name] = (got, value)
    assert wrong == {}


# --- Salesforce: the pipeline ---------------------------------------------------------------


def test_salesforce_pipeline_matches_the_export(salesforce: Scope) -> None:
    deals = salesforce_deals()
    assert len(deals) == 42  # 50 opportunities, 8 "Assigned dynamically" rejected
    open_, won, lost = (deals[deals["kind"] == k] for k in ("open", "won", "lost"))
    won_amount = sum(won["amount"], Decimal(0))
    expected: dict[str, object] = {
        "deals_created": len(deals),
        "open_deals": len(open_),
        "open_amount": sum(open_["amount"], Decimal(0)),
        "forecast": sum(open_["weighted"], Decimal(0)),
        "deals_won": len(won),
        "deals_won_in_currency": len(won),
        "deals_lost": len(lost),
        "deals_closed": len(won) + len(lost),
        "won_amount": won_amount,
        "avg_won_amount": won_amount / len(won),
        "win_rate": Decimal(len(won)) / (len(won) + len(lost)),
    }
    row = compute(list(expected), salesforce).frame.iloc[0]
    assert_figures(row, expected)


def test_salesforce_open_pipeline_by_stage(salesforce: Scope) -> None:
    deals = salesforce_deals()
    names = ["open_deals", "open_amount", "forecast", "deals_won", "deals_lost"]
    frame = compute(names, salesforce, by=["stage"]).frame.set_index("stage")
    assert set(frame.index) == set(KIND)
    for stage in KIND:
        mine = deals[deals["stage"] == stage]
        is_open = KIND[stage] == "open"
        assert_figures(
            frame.loc[stage],
            {
                "open_deals": len(mine) if is_open else 0,
                "open_amount": sum(mine["amount"], Decimal(0)) if is_open else Decimal(0),
                "forecast": sum(mine["weighted"], Decimal(0)) if is_open else Decimal(0),
                "deals_won": len(mine) if KIND[stage] == "won" else 0,
                "deals_lost": len(mine) if KIND[stage] == "lost" else 0,
            },
        )


def test_salesforce_closes_by_month_in_los_angeles(salesforce: Scope) -> None:
    """Giraffe closed 2021-02-01 05:12 UTC: still January in Los Angeles."""
    tz = "America/Los_Angeles"
    deals = salesforce_deals()
    closed = deals[deals["kind"] != "open"].copy()
    closed["month"] = closed["closed_at"].dt.tz_convert(tz).dt.strftime("%Y-%m")
    expected = closed.groupby(["month", "kind"]).size().unstack(fill_value=0)
    assert (closed["closed_at"].dt.strftime("%Y-%m") != closed["month"]).any()  # the trap

    frame = compute(["deals_won", "deals_lost"], salesforce, period="month", tz=tz).frame
    got = {f"{p:%Y-%m}": (w, lo) for p, w, lo in frame.itertuples(index=False) if w or lo}
    assert got == {
        month: (int(row.get("won", 0)), int(row.get("lost", 0)))
        for month, row in expected.iterrows()
    }


def test_salesforce_deals_without_an_owner_form_one_group_by_rep(salesforce: Scope) -> None:
    """The export carries no owner: a breakdown by rep keeps every deal, in the empty group."""
    deals = salesforce_deals()
    frame = compute(["open_deals", "deals_closed"], salesforce, by=["rep"]).frame
    assert len(frame) == 1 and pd.isna(frame["rep"].iloc[0])
    assert int(frame["open_deals"].iloc[0]) == int((deals["kind"] == "open").sum())
    assert int(frame["deals_closed"].iloc[0]) == int((deals["kind"] != "open").sum())


def test_salesforce_won_deals_are_orders_and_make_customers(salesforce: Scope) -> None:
    deals = salesforce_deals()
    won = deals[deals["kind"] == "won"]
    accounts = _records("Accounts")
    typed = set(accounts.loc[accounts["type"].str.casefold() == "customer", "ref"])
    revenue = sum(won["amount"], Decimal(0))
    expected: dict[str, object] = {
        "orders": len(won),
        "revenue": revenue,
        "avg_order_value": revenue / len(won),
        "customers": won["account"].nunique(),
        "customer_accounts": len(typed | set(won["account"])),
    }
    assert_figures(compute(list(expected), salesforce).frame.iloc[0], expected)


# --- Retail orders: relationships -----------------------------------------------------------

RELATIONSHIPS = [
    "orders", "revenue", "avg_order_value", "first_orders", "first_order_revenue",
    "first_order_value", "repeat_orders", "repeat_order_revenue", "repeat_order_value",
    "repeat_spend_ratio", "customers", "repeat_customers", "repeat_purchase_rate",
    "orders_per_customer",
]  # fmt: skip


def test_retail_relationships_over_the_whole_file(retail: Scope) -> None:
    orders = retail_orders()
    expected = relationship_figures(orders)
    row = compute(RELATIONSHIPS, retail, currency="GBP").frame.iloc[0]
    assert_figures(row, expected)


def test_retail_relationships_in_january_in_london(retail: Scope) -> None:
    """First and repeat are judged over all orders; customers count those ordering in January."""
    start = datetime(2010, 1, 1, tzinfo=LONDON)
    end = datetime(2010, 2, 1, tzinfo=LONDON)
    orders = retail_orders()
    january = (orders["at"] >= start) & (orders["at"] < end)
    expected = relationship_figures(orders, january)
    row = compute(RELATIONSHIPS, retail, start=start, end=end, currency="GBP").frame.iloc[0]
    assert_figures(row, expected)


def test_retail_revenue_by_month_in_tokyo(retail: Scope) -> None:
    tz = "Asia/Tokyo"
    orders = retail_orders()
    orders["month"] = orders["at"].dt.tz_convert(tz).dt.strftime("%Y-%m")
    # Invoices after 15:00 London on a month's last day fall in the next month in Tokyo.
    assert (orders["at"].dt.tz_convert(LONDON).dt.strftime("%Y-%m") != orders["month"]).any()
    expected = {
        month: (len(group), sum(group["amount"], Decimal(0)))
        for month, group in orders.groupby("month")
    }
    start, end = (
        datetime(2009, 12, 1, tzinfo=ZoneInfo(tz)),
        datetime(2010, 4, 1, tzinfo=ZoneInfo(tz)),
    )
    frame = compute(
        ["orders", "revenue"], retail, period="month", tz=tz, start=start, end=end, currency="GBP"
    ).frame
    got = {f"{p:%Y-%m}": (n, r) for p, n, r in frame.itertuples(index=False)}
    assert set(got) == {"2009-12", "2010-01", "2010-02", "2010-03"}  # every month of the window
    assert expected["2010-03"][0] > 0  # 28 February's late invoices, already March in Tokyo
    for month, (count, revenue) in got.items():
        want_count, want_revenue = expected.get(month, (0, Decimal(0)))
        assert int(count) == want_count, month
        assert math.isclose(revenue, float(want_revenue), rel_tol=1e-9), month


def test_retail_pounds_are_not_added_to_dollars(retail: Scope) -> None:
    """Asked in USD, the pound orders still count as orders but add no money."""
    row = compute(["orders", "revenue", "avg_order_value"], retail, currency="USD").frame.iloc[0]
    assert int(row["orders"]) == len(retail_orders())
    assert row["revenue"] == 0.0
    assert pd.isna(row["avg_order_value"])
