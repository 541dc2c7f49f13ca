"""Leads, contacts and accounts imported from CRM exports keep the CRM's creation time.

Before, they were created at the time of the import, so "leads created" per month (the
prospecting metric) put a CRM's whole history in the month it was imported. The expected
figures are read straight from the fixture files with the csv module.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from salestrack.analytics.metrics import compute
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import open_warehouse
from salestrack.analytics.sync import sync
from salestrack.analytics.warehouse import Warehouse
from salestrack.capture.presets import run_preset_or_mapping
from salestrack.domain.actor import SYSTEM
from salestrack.store.models import Account, Contact, Lead, Tracked
from salestrack.store.uow import UnitOfWork
from tests.factories import make_rep

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SALESFORCE = [FIXTURES / "salesforce" / n for n in ("User.csv", "Lead.csv")]
HUBSPOT = FIXTURES / "hubspot"


def _created(uow: UnitOfWork, model: type[Tracked]) -> dict[str, datetime]:
    with uow(SYSTEM):
        external_id = model.external_id  # type: ignore[attr-defined]
        rows = uow.session.execute(select(external_id, model.created_at)).all()
    return {str(key): created for key, created in rows}


def _lead_dates() -> dict[str, datetime]:
    with (FIXTURES / "salesforce" / "Lead.csv").open(encoding="utf-8") as handle:
        return {
            row["ID"]: datetime.strptime(row["CREATEDDATE"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=UTC
            )
            for row in csv.DictReader(handle)
        }


def test_salesforce_leads_count_in_the_month_the_crm_created_them(
    uow: UnitOfWork, engine: Engine, tmp_path: Path
) -> None:
    make_rep(uow, email="rep1@example.com", name="Rep One")
    make_rep(uow, email="rep2@example.com", name="Rep Two")
    report = run_preset_or_mapping(uow, SYSTEM, "salesforce", SALESFORCE)
    assert report.rejected == 0
    expected = _lead_dates()
    assert _created(uow, Lead) == expected

    warehouse = Warehouse(tmp_path / "w.duckdb")
    sync(engine, warehouse)
    with open_warehouse(warehouse) as source:
        frame = compute("leads_created", Scope(SYSTEM, source), period="month").frame
    got = {f"{row.period:%Y-%m}": int(row.leads_created) for row in frame.itertuples()}
    assert got == dict(Counter(f"{at:%Y-%m}" for at in expected.values()))
    assert f"{uow.clock.now():%Y-%m}" not in got  # nothing lands in the month of the import


def _with_create_dates(tmp_path: Path, name: str, dates: list[str]) -> Path:
    """The HubSpot fixture ``name`` with a Create Date column, one value per row."""
    lines = (HUBSPOT / name).read_text(encoding="utf-8").splitlines()
    rows = [f"{lines[0]},Create Date"] + [
        f"{line},{d}" for line, d in zip(lines[1:], dates, strict=True)
    ]
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_hubspot_create_dates_are_kept_refused_in_the_future_and_kept_on_reimport(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    make_rep(uow, email="rep1@example.com", name="Rep One")
    companies = _with_create_dates(tmp_path, "companies.csv", ["2019-03-01 08:30", ""])
    future = f"{uow.clock.now().year + 1}-01-01 00:00"
    contacts = _with_create_dates(tmp_path, "contacts.csv", ["2020-07-15 14:00", future])
    report = run_preset_or_mapping(uow, SYSTEM, "hubspot", [companies, contacts])

    assert [r for r in report.rejects if r[1] == "created_at"] == [
        (3, "created_at", "is in the future")
    ]
    assert _created(uow, Account) == {
        "5001": datetime(2019, 3, 1, 8, 30, tzinfo=UTC),
        "5002": uow.clock.now(),  # no date in the export: the time of the import
    }
    assert _created(uow, Contact) == {"701": datetime(2020, 7, 15, 14, 0, tzinfo=UTC)}

    # The export without its Create Date column changes nothing: a blank is no new value.
    again = run_preset_or_mapping(uow, SYSTEM, "hubspot", [HUBSPOT / "companies.csv"])
    assert again.created == 0
    assert _created(uow, Account)["5001"] == datetime(2019, 3, 1, 8, 30, tzinfo=UTC)
