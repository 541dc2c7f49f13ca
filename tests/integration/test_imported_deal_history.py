"""Deals imported from CRM exports keep their creation time, so cycle length and velocity hold.

Before, an imported deal was created at import time, after it had closed: its cycle came out
negative. The fixtures carry the creation time as each CRM exports it: HubSpot "Create Date",
Pipedrive "Deal - Deal created", Salesforce CreatedDate (Data Loader). The expected cycles are
worked out by hand from the fixture rows (close minus creation, in days).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from salestrack.analytics.metrics import compute
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import open_warehouse
from salestrack.analytics.sync import sync
from salestrack.analytics.warehouse import Warehouse
from salestrack.capture.presets import run_preset_or_mapping
from salestrack.domain.actor import SYSTEM
from salestrack.store.models import Deal
from salestrack.store.uow import UnitOfWork
from tests.factories import make_rep

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
COMPANIES = FIXTURES / "hubspot" / "companies.csv"
DAY = 86_400


def _at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# preset -> files, each deal's (created, closed), the won cycle in days and the money's currency.
CASES = {
    "hubspot": (
        [COMPANIES, FIXTURES / "hubspot" / "deals.csv"],
        {"901": (_at(1, 5, 9), _at(2, 10, 15)), "902": (_at(1, 20, 10), None)},
        (_at(2, 10, 15) - _at(1, 5, 9)).total_seconds() / DAY,  # 36.25
        "USD",
    ),
    "pipedrive": (
        [FIXTURES / "pipedrive" / n for n in ("organizations.csv", "deals.csv")],
        {
            "31": (_at(1, 10, 9), None),
            "32": (_at(1, 15, 12), _at(2, 20, 16)),
            "33": (_at(1, 20, 8), _at(2, 21, 10)),
        },
        (_at(2, 20, 16) - _at(1, 15, 12)).total_seconds() / DAY,  # 36.17
        "EUR",
    ),
    "salesforce": (
        [FIXTURES / "salesforce" / "Opportunity.csv"],
        {
            "0065g00000OpB01AAF": (_at(1, 12, 15, 30), _at(2, 20)),  # CloseDate: midnight UTC
            "0065g00000OpB02AAF": (_at(1, 20, 9), _at(2, 5)),
            # Created and closed the same day: closed at its creation, not 14 h before it.
            "0065g00000OpB03AAF": (_at(2, 10, 14, 45), _at(2, 10, 14, 45)),
            "0065g00000OpB04AAF": (_at(2, 1, 8), None),
        },
        # Two wins: B01 after 38 days 8.5 hours, the same-day B03 after 0 days.
        (_at(2, 20) - _at(1, 12, 15, 30)).total_seconds() / DAY / 2,
        "USD",
    ),
}


def _deals(uow: UnitOfWork, source: str) -> dict[str, tuple[datetime, datetime | None]]:
    with uow(SYSTEM):
        rows = uow.session.execute(
            select(Deal.external_id, Deal.created_at, Deal.closed_at).where(Deal.source == source)
        ).all()
    return {str(key): (created, closed) for key, created, closed in rows}


@pytest.mark.parametrize("preset", sorted(CASES))
def test_imported_deals_keep_their_creation_time_and_cycle_length_is_positive(
    uow: UnitOfWork, engine: Engine, tmp_path: Path, preset: str
) -> None:
    paths, expected, cycle, currency = CASES[preset]
    make_rep(uow, email="rep1@example.com", name="Rep One")
    report = run_preset_or_mapping(uow, SYSTEM, preset, paths)
    assert report.committed
    assert _deals(uow, preset) == expected

    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    sync(engine, warehouse)
    with open_warehouse(warehouse) as source:
        names = ["cycle_days", "velocity", "open_deals", "win_rate", "avg_won_amount"]
        row = compute(names, Scope(SYSTEM, source), currency=currency).frame.iloc[0]
    assert row["cycle_days"] >= 0
    assert row["cycle_days"] == pytest.approx(cycle, rel=1e-9)
    velocity = row["open_deals"] * row["win_rate"] * row["avg_won_amount"] / cycle
    assert row["velocity"] > 0 and row["velocity"] == pytest.approx(velocity, rel=1e-9)


def test_a_deal_created_after_it_closed_is_refused(uow: UnitOfWork) -> None:
    make_rep(uow, email="rep1@example.com", name="Rep One")
    report = run_preset_or_mapping(uow, SYSTEM, "hubspot", CASES["hubspot"][0])
    assert report.rejects[1:] == [
        (5, "created_at", "2026-02-15 08:00 UTC is after the close (2026-02-01 12:00)")
    ]
    assert set(_deals(uow, "hubspot")) == {"901", "902"}


def test_reimporting_with_the_creation_date_fixes_deals_imported_without_it(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    make_rep(uow, email="rep1@example.com", name="Rep One")
    deals = FIXTURES / "hubspot" / "deals.csv"
    rows = [line.split(",") for line in deals.read_text(encoding="utf-8").splitlines()]
    assert rows[0][4] == "Create Date"
    older = tmp_path / "deals.csv"  # the same export without its Create Date column
    older.write_text("".join(",".join(r[:4] + r[5:]) + "\n" for r in rows), encoding="utf-8")
    run_preset_or_mapping(uow, SYSTEM, "hubspot", [COMPANIES, older])
    assert _deals(uow, "hubspot")["901"][0] == uow.clock.now()  # the import's time

    again = run_preset_or_mapping(uow, SYSTEM, "hubspot", [deals])
    assert (again.created, again.updated) == (0, 2)  # 901 and 902; 904 is refused now
    assert _deals(uow, "hubspot")["901"] == (_at(1, 5, 9), _at(2, 10, 15))
