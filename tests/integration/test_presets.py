"""CRM presets and the orders preset on real exports; expected figures computed independently."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from salestrack.capture.presets import run_preset_or_mapping
from salestrack.domain.actor import SYSTEM
from salestrack.store.models import Account, Activity, Contact, Deal, Order, Stage
from salestrack.store.uow import UnitOfWork
from tests.conftest import SHARED_DATA
from tests.factories import make_rep

SF = SHARED_DATA / "salesforce-sample"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RETAIL = SHARED_DATA / "orders" / "online_retail_II_2009-12_to_2010-02.csv"


def _count(uow: UnitOfWork, model: type, **by: object) -> int:
    with uow(SYSTEM):
        stmt = select(func.count()).select_from(model).filter_by(**by)
        return int(uow.session.scalar(stmt) or 0)


def _sf_records(name: str) -> list[dict[str, object]]:
    records: list[dict[str, object]] = json.loads((SF / f"{name}.json").read_text())["records"]
    return records


@pytest.mark.parametrize("suffix", ["json", "csv"])
def test_salesforce_tree_export(uow: UnitOfWork, suffix: str) -> None:
    paths = sorted(SF.glob(f"*.{suffix}"))
    report = run_preset_or_mapping(uow, SYSTEM, "salesforce", paths)
    opportunities = _sf_records("Opportunities")
    # Independently: the sample's one non-standard stage is "Assigned dynamically".
    odd = [o for o in opportunities if o["StageName"] == "Assigned dynamically"]
    assert (_count(uow, Account), _count(uow, Contact)) == (50, 150)
    assert _count(uow, Deal) == len(opportunities) - len(odd) == 42
    assert report.rejected == len(odd)
    assert {field for _, field, _ in report.rejects} == {"stage"}
    with uow(SYSTEM):
        contact = uow.session.scalars(select(Contact).filter_by(external_id="ContactRef1")).one()
        account = uow.session.get(Account, contact.account_id)
        amounts = uow.session.scalars(select(Deal.amount)).all()
        won = uow.session.scalar(
            select(func.count()).select_from(Deal).join(Stage).where(Stage.kind == "won")
        )
    assert contact.email == "lsinisbury0@dropbox.com"
    assert account is not None and account.external_id == "AccountRef10"
    expected = sum(Decimal(str(o["amount"])) for o in opportunities if o not in odd)
    assert sum(amounts) == expected
    closed_won = sum(o["StageName"] == "Closed/Won" for o in opportunities)
    assert won == closed_won and _count(uow, Order, source="deal") == closed_won
    again = run_preset_or_mapping(uow, SYSTEM, "salesforce", paths)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 242)


def test_salesforce_csv_and_json_give_the_same_links(uow: UnitOfWork) -> None:
    """The CSV has no referenceId; its rows are numbered like the JSON's, so links agree."""
    run_preset_or_mapping(uow, SYSTEM, "salesforce", [SF / "Accounts.json", SF / "Contacts.csv"])
    with SF.joinpath("Contacts.csv").open(newline="") as handle:
        expected = {r["email"]: r["accountId"].lstrip("@") for r in csv.DictReader(handle)}
    with uow(SYSTEM):
        got = dict(
            uow.session.execute(
                select(Contact.email, Account.external_id).join(
                    Account, Contact.account_id == Account.id
                )
            ).all()
        )
    assert got == {k.lower(): v for k, v in expected.items()}


def test_hubspot_export(uow: UnitOfWork) -> None:
    make_rep(uow, email="rep1@example.com", name="Rep One")
    # E-mails and tasks: tests/integration/test_hubspot_activities.py.
    names = ("companies", "contacts", "deals", "calls", "meetings")
    paths = [FIXTURES / "hubspot" / f"{name}.csv" for name in names]
    report = run_preset_or_mapping(uow, SYSTEM, "hubspot", paths)
    assert (_count(uow, Account), _count(uow, Contact), _count(uow, Deal)) == (2, 2, 2)
    assert [(f, r.split(" (")[0]) for _, f, r in report.rejects] == [
        ("stage", "'Stalled Forever' is not a stage"),
        ("created_at", "2026-02-15 08:00 UTC is after the close"),
    ]
    with uow(SYSTEM):
        acts = {a.external_id: a for a in uow.session.scalars(select(Activity))}
        tom = uow.session.scalars(select(Contact).filter_by(external_id="702")).one()
    assert tom.account_id is not None  # the first of "5002;5001"
    assert (acts["3001"].outcome, acts["3001"].notes) == (
        "connected",
        "Asked for pricing,\nsent deck",
    )
    assert acts["3002"].outcome == "voicemail"  # owner "rep one" matched ignoring case
    assert [acts[k].status for k in ("4001", "4002", "4003")] == ["done", "planned", "cancelled"]
    assert acts["4001"].outcome == "held"


def test_pipedrive_export(uow: UnitOfWork) -> None:
    make_rep(uow, email="rep1@example.com", name="Rep One")
    paths = sorted((FIXTURES / "pipedrive").glob("*.csv"))
    report = run_preset_or_mapping(uow, SYSTEM, "pipedrive", paths)
    assert (_count(uow, Account), _count(uow, Contact), _count(uow, Deal)) == (2, 2, 3)
    with uow(SYSTEM):
        stages = dict(uow.session.execute(select(Deal.external_id, Stage.name).join(Stage)).all())
        acts = {a.external_id: a for a in uow.session.scalars(select(Activity))}
    assert stages == {"31": "Proposal", "32": "Won", "33": "Lost"}
    assert (acts["41"].outcome, acts["42"].outcome, acts["43"].status) == (
        "held",
        "completed",
        "planned",
    )
    # Pipedrive records no call outcome: a done call is rejected, not guessed.
    assert [(line, f) for line, f, _ in report.rejects] == [(5, "outcome")]


def test_orders_preset_against_plain_pandas(uow: UnitOfWork) -> None:
    report = run_preset_or_mapping(uow, SYSTEM, "orders", [RETAIL])
    lines = pd.read_csv(RETAIL, dtype={"Customer ID": str, "Invoice": str})
    with_customer = lines[lines["Customer ID"].notna()]
    sales = with_customer[
        ~with_customer["Invoice"].str.startswith("C") & (with_customer["Quantity"] > 0)
    ]
    per_order = (
        (sales["Quantity"] * sales["Price"]).groupby([sales["Invoice"], sales["Customer ID"]]).sum()
    )
    assert _count(uow, Order, source="retail") == len(per_order) == report.created
    assert _count(uow, Account, source="retail") == sales["Customer ID"].nunique()
    with uow(SYSTEM):
        total = sum(uow.session.scalars(select(Order.amount).filter_by(source="retail")))
    expected = sum(Decimal(f"{v:.2f}") for v in per_order.round(2))
    assert total == expected
    notes = " | ".join(report.notes)
    assert f"skipped {lines['Customer ID'].isna().sum():,} lines without a customer" in notes
    cancelled = with_customer["Invoice"].str.startswith("C").sum()
    assert f"skipped {cancelled:,} lines of cancellation invoices" in notes
    again = run_preset_or_mapping(uow, SYSTEM, "orders", [RETAIL])
    assert (again.created, again.unchanged) == (0, len(per_order))
