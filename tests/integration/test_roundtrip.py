"""What goes into either store comes back identical: Decimal money, UTC times, JSON, links."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from salestrack.domain.actor import SYSTEM
from salestrack.services import accounts, activities, orders
from salestrack.store.uow import UnitOfWork
from tests.factories import make_account, make_deal, make_rep


def test_round_trip_of_typed_values(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    account = make_account(
        uow,
        rep,
        name="Café Ünïcode ☕",
        latitude=52.52,
        longitude=13.405,
        time_zone="Europe/Berlin",
        employees=42,
        tier="A",
    )
    contact = accounts.create_contact(
        uow, rep, name="Zoë", account_id=account.id, email="zoe@example.com"
    )
    deal = make_deal(uow, rep, account_id=account.id, amount="12345678901.23", currency="eur")
    berlin = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # first CEST hour
    call = activities.log_activity(
        uow,
        rep,
        type="call",
        outcome="connected",
        started_at=berlin,
        ended_at=berlin + timedelta(minutes=7),
        contact_id=contact.id,
        deal_id=deal.id,
        notes="line one\nline two; DROP TABLE activities; --",
    )
    orders.create_order(uow, rep, account_id=account.id, amount="-10.50", ordered_at=berlin)

    with uow(SYSTEM):
        a = uow.accounts.get_visible(account.id)
        d = uow.deals.get_visible(deal.id)
        c = uow.activities.get_visible(call.id)
        o = uow.orders.list()[0]
        kinds = {t.key: t.outcomes for t in uow.activity_types.list()}
    assert (a.name, a.latitude, a.longitude, a.employees) == ("Café Ünïcode ☕", 52.52, 13.405, 42)
    assert d.amount == Decimal("12345678901.23")
    assert d.currency == "EUR"
    assert c.started_at == berlin
    assert c.started_at is not None and c.started_at.hour == 1  # 03:30 CEST is 01:30 UTC
    assert c.started_at is not None and c.started_at.utcoffset() == timedelta(0)
    assert c.duration_s == 420
    assert (c.account_id, c.contact_id, c.deal_id) == (account.id, contact.id, deal.id)
    assert c.notes == "line one\nline two; DROP TABLE activities; --"
    assert o.amount == Decimal("-10.50")
    assert kinds["call"] == ["connected", "voicemail", "no_answer", "wrong_number"]
