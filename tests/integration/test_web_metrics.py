"""The team overview's pipeline figures come from the metrics registry: they agree with the
leaderboard's own counts, with the registry, and with the store read directly.

The seeded store (``tests/web_seed.py``) is a simulated org whose history ends a few days ago,
plus two deals opened now: one of 125,000,000 VND and one of 5,000 USD. The overview used to
count open deals with SQL of its own ("open stage, created before the window's end") and showed
20 deals for 389k while the registry said 22 deals for 125M, having added the VND amount to the
dollars. Both were wrong: the two new deals are open, and dong are not dollars.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from salestrack.analytics.metrics import compute
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import IbisSource
from salestrack.analytics.warehouse import Warehouse
from salestrack.domain.actor import SYSTEM
from salestrack.services import deals
from salestrack.store.engine import make_engine
from salestrack.store.models import Deal, Order, Stage
from salestrack.store.uow import UnitOfWork
from salestrack.web.data import (
    WarehouseReader,
    Window,
    data_end,
    leaderboard,
    scope_ids,
    velocity_metrics,
)
from tests.web_seed import Seeded, seed_web_store


@dataclass
class Site:
    engine: Engine
    reader: WarehouseReader
    seeded: Seeded


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder: Path = tmp_path_factory.mktemp("web-metrics")
    engine = make_engine(f"sqlite:///{folder / 's.db'}")
    seeded = seed_web_store(engine)
    reader = WarehouseReader(engine, Warehouse(folder / "s.duckdb"), max_age_s=0)
    yield Site(engine, reader, seeded)
    reader.close()
    engine.dispose()


def _window(site: Site, days: int = 90) -> Window:
    end = data_end(site.reader, datetime.now(UTC))
    return Window(end - timedelta(days=days), end)


def _store_deals(engine: Engine) -> pd.DataFrame:
    """Every deal with its stage kind, read from the store (not the warehouse)."""
    uow = UnitOfWork(engine)
    with uow(SYSTEM):
        rows = uow.session.execute(
            select(Deal.id, Deal.owner_id, Deal.amount, Deal.currency, Stage.kind).join(
                Stage, Stage.id == Deal.stage_id
            )
        ).all()
    return pd.DataFrame(rows, columns=["id", "owner_id", "amount", "currency", "kind"])


def test_velocity_parts_match_the_leaderboard(site: Site) -> None:
    every = scope_ids(site.reader, SYSTEM)
    window = _window(site)
    for ids in (every, every[: max(1, len(every) // 2)]):
        board = leaderboard(site.reader, ids, window)
        won, closed = board["won"].sum(), board["closed"].sum()
        got = velocity_metrics(site.reader, ids, window)
        assert got["win_rate"] == (pytest.approx(won / closed) if closed else None)
        if won:
            assert got["avg_won"] == pytest.approx(board["won_amount"].sum() / won)
            weighted = (board["cycle_days"] * board["won"]).sum()
            assert got["cycle_days"] == pytest.approx(weighted / won)


def test_open_pipeline_counts_every_open_deal_and_adds_only_the_orgs_currency(site: Site) -> None:
    """The check that would have caught 20 deals / 389k against 22 deals / 125M."""
    stored = _store_deals(site.engine)
    open_now = stored[stored["kind"] == "open"]
    dollars = sum(open_now.loc[open_now["currency"] == "USD", "amount"], Decimal(0))
    dong = sum(open_now.loc[open_now["currency"] == "VND", "amount"], Decimal(0))
    assert dong == Decimal("125000000")  # the seed's deal, opened after the history ends

    window = _window(site, days=28)
    got = velocity_metrics(site.reader, scope_ids(site.reader, SYSTEM), window)
    assert got["open_deals"] == len(open_now)
    assert got["open_amount"] == pytest.approx(float(dollars), rel=1e-12)

    with site.reader.cursor() as cur:
        scope = Scope(SYSTEM, IbisSource("duckdb", site.reader.warehouse.ibis(cur), {}))
        usd = compute(["open_deals", "open_amount"], scope).frame.iloc[0]
        vnd = compute("open_amount", scope, currency="VND").frame.iloc[0]
    assert (usd["open_deals"], usd["open_amount"]) == (got["open_deals"], got["open_amount"])
    assert vnd["open_amount"] == float(dong)


def test_velocity_is_the_registrys_formula_over_the_overviews_parts(site: Site) -> None:
    got = velocity_metrics(site.reader, scope_ids(site.reader, SYSTEM), _window(site))
    parts = (got["open_deals"], got["win_rate"], got["avg_won"], got["cycle_days"])
    assert all(v is not None for v in parts)
    open_deals, win_rate, avg_won, cycle = parts
    assert got["per_day"] == pytest.approx(open_deals * win_rate * avg_won / cycle)  # type: ignore[operator]


def test_a_deal_won_in_another_currency_counts_as_a_win_but_not_as_money(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    seeded = seed_web_store(engine)
    uow = UnitOfWork(engine)
    deals.move_deal_stage(uow, SYSTEM, seeded.rep_deal_id, "Won")  # the 125M VND deal
    reader = WarehouseReader(engine, Warehouse(tmp_path / "s.duckdb"), max_age_s=0)
    try:
        stored = _store_deals(engine)
        won = stored[stored["kind"] == "won"]
        won_usd = won[won["currency"] == "USD"]
        with uow(SYSTEM):
            orders = pd.DataFrame(
                uow.session.execute(select(Order.amount, Order.currency)).all(),
                columns=["amount", "currency"],
            )
        usd_orders = orders[orders["currency"] == "USD"]
        with reader.cursor() as cur:
            scope = Scope(SYSTEM, IbisSource("duckdb", reader.warehouse.ibis(cur), {}))
            names = ["deals_won", "won_amount", "avg_won_amount", "orders", "revenue"]
            row = compute([*names, "avg_order_value"], scope).frame.iloc[0]
    finally:
        reader.close()
        engine.dispose()
    assert "VND" in set(won["currency"]) and "VND" in set(orders["currency"])
    assert row["deals_won"] == len(won)  # the VND win is a win
    assert row["won_amount"] == pytest.approx(float(won_usd["amount"].sum()), rel=1e-12)
    assert row["avg_won_amount"] == pytest.approx(float(won_usd["amount"].mean()), rel=1e-12)
    assert row["orders"] == len(orders)
    assert row["revenue"] == pytest.approx(float(usd_orders["amount"].sum()), rel=1e-12)
    assert row["avg_order_value"] == pytest.approx(float(usd_orders["amount"].mean()), rel=1e-12)
