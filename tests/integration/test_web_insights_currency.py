"""The insights pages add money in the org's currency only, with the registry's first orders,
on the two-currency org of ``tests/currency_org.py`` (expected numbers by hand from its
description). They used to credit a 250,000,000 VND win to calls and meetings beside dollars.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from salestrack.analytics.warehouse import Warehouse
from salestrack.web import insight_data as d
from salestrack.web.data import WarehouseReader
from salestrack.web.i18n import Formatter
from salestrack.web.insight_views import attribution as attribution_view
from tests import currency_org
from tests.currency_org import CurrencyOrg


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CurrencyOrg, WarehouseReader]]:
    folder: Path = tmp_path_factory.mktemp("web-currency")
    org = currency_org.build(folder)
    # The pages keep their own read-write connection, so they read a warehouse of their own.
    reader = WarehouseReader(org.engine, Warehouse(folder / "pages.duckdb"), max_age_s=3600)
    yield org, reader
    reader.close()
    org.engine.dispose()


def _reps(org: CurrencyOrg) -> list[int]:
    return [org.ids["ann"], org.ids["bob"]]


def test_attribution_shares_dollars_only(site: tuple[CurrencyOrg, WarehouseReader]) -> None:
    org, reader = site
    frame = d.attribution(reader, _reps(org), "USD")
    share = {(r.model, r.type): r.share for r in frame.itertuples()}
    # USD wins: d1 10,000 (call, e-mail, demo), d3 4,000 (e-mail, call), d5 6,000 (demo); the
    # meeting touched only d2, won in VND, so it is not among the types at all.
    assert {t for _, t in share} == {"call", "email", "demo"}
    assert share["first_touch", "call"] == pytest.approx(10_000 / 20_000)
    assert share["last_touch", "demo"] == pytest.approx(16_000 / 20_000)
    assert share["linear", "demo"] == pytest.approx(28_000 / 3 / 20_000)
    assert share["position_based", "call"] == pytest.approx(6_000 / 20_000)
    assert int(frame["deals"].max()) == 2  # call and e-mail each touched 2 USD wins
    dong = d.attribution(reader, _reps(org), "VND")
    assert set(dong["type"]) == {"call", "meeting"}


def test_attribution_sentence_names_the_currency(
    site: tuple[CurrencyOrg, WarehouseReader],
) -> None:
    org, reader = site
    view = attribution_view(reader, _reps(org), Formatter("en", "UTC", "USD"))
    assert "revenue won in USD: 47%" in view.sentence  # demo, 28,000 / 3 of 20,000


def test_customers_in_one_currency(site: tuple[CurrencyOrg, WarehouseReader]) -> None:
    org, reader = site
    frame = d.customers(reader, _reps(org), "USD").set_index("account_id")
    row = {a: frame.loc[org.ids[a]] for a in "ABCDEFG"}
    assert row["A"]["orders"] == 3
    assert (row["A"]["revenue"], row["A"]["first_order"], row["A"]["repeat_order"]) == (
        13_500,
        10_000,
        1_750,  # 1,500 on the first order's day and 2,000 later: both repeat orders
    )
    assert (row["C"]["first_order"], row["C"]["repeat_order"]) == (400, 2_450)
    assert row["B"]["revenue"] == 800 and pd.isna(row["B"]["first_order"])  # first in VND
    assert row["D"]["orders"] == 2 and pd.isna(row["D"]["revenue"])  # no USD order at all
    seg = d.clv_by_segment(frame.reset_index())
    # Revenue per USD customer, all in segment smb: A, B, C, E, F.
    assert (float(seg["mean"].iloc[0]), int(seg["n"].iloc[0])) == (
        pytest.approx((13_500 + 800 + 5_300 + 6_000 + 500) / 5),
        5,
    )
