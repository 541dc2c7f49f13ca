"""A small org trading in two currencies, USD and VND, built through the services: the fixture
of the insights' currency and first-order tests (tests/integration/test_insights_currency.py).

Reps Ann (accounts A, B, E, F) and Bob (C, D, G). Times are UTC, ``day(n)`` is T0 + n days.

Closed deals, each with its done selling activities (all before the close):

    d1  A  Ann  10,000 USD          call d0, e-mail d1, demo d2   won  d10 09:00
    d2  D  Bob  250,000,000 VND     call d3, meeting d4           won  d12 09:00
    d3  C  Bob  4,000 USD           e-mail d5, call d6            won  d14 10:00
    d4  B  Ann  5,000 USD           call d7                       lost d15 09:00
    d5  E  Ann  6,000 USD           demo d8                       won  d16 09:00

Orders; a won deal records its own order at its close, in its currency (marked "deal"):

    A   10,000 USD d10 09:00 (d1, first) · 1,500 USD d10 15:00 · 2,000 USD d40
    B   25,000,000 VND d20 (first) · 800 USD d30
    C   400 USD d14 10:00 (first: recorded before d3's order at the same instant, so its id is
        lower) · 4,000 USD d14 10:00 (d3) · 900 USD d50
    D   250,000,000 VND d12 (d2, first) · 70,000,000 VND d45
    E   6,000 USD d16 (d5, first)
    F   500 USD d35 (first)
    G   9,000,000 VND d36 (first)

The traps: A's second order is on the day of its first, and C's first two orders share an
instant; by the registry both second orders are repeat orders (a day-based definition calls
them first-day orders). B's first order is in VND and its repeat order in USD.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

from salestrack.analytics.sync import sync
from salestrack.analytics.warehouse import Warehouse
from salestrack.domain.actor import SYSTEM, Actor
from salestrack.services import accounts, activities, deals, orders, users
from salestrack.services.setup import init_store
from salestrack.services.users import actor_for
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork
from tests.golden_org import SettableClock

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday


def day(n: int, hours: int = 0) -> datetime:
    return T0 + timedelta(days=n, hours=hours)


@dataclass
class CurrencyOrg:
    warehouse: Warehouse
    engine: Engine
    ids: dict[str, int]  # rep, account and deal names -> store ids


def build(directory: Path) -> CurrencyOrg:
    engine = make_engine(f"sqlite:///{directory / 'currency.db'}")
    init_store(engine)
    clock = SettableClock()
    clock.at = T0
    uow = UnitOfWork(engine, clock)
    team = users.create_team(uow, SYSTEM, name="Both")
    reps: dict[str, Actor] = {}
    ids: dict[str, int] = {}
    for name in ("ann", "bob"):
        user = users.create_user(
            uow, SYSTEM, email=f"{name}@example.com", name=name.title(), role="rep",
            team_id=team.id,
        )  # fmt: skip
        reps[name], ids[name] = actor_for(user), user.id
    owner = {"A": "ann", "B": "ann", "E": "ann", "F": "ann", "C": "bob", "D": "bob", "G": "bob"}
    for account, rep in owner.items():
        ids[account] = accounts.create_account(uow, reps[rep], name=account, segment="smb").id

    def order(account: str, amount: str, currency: str, at: datetime) -> None:
        clock.at = at
        orders.create_order(
            uow, reps[owner[account]], account_id=ids[account], amount=Decimal(amount),
            ordered_at=at, currency=currency,
        )  # fmt: skip

    closed = (
        ("d1", "A", "10000", "USD", [("call", 0), ("email", 1), ("demo", 2)], "Won", day(10)),
        ("d2", "D", "250000000", "VND", [("call", 3), ("meeting", 4)], "Won", day(12)),
        ("d3", "C", "4000", "USD", [("email", 5), ("call", 6)], "Won", day(14, 1)),
        ("d4", "B", "5000", "USD", [("call", 7)], "Lost", day(15)),
        ("d5", "E", "6000", "USD", [("demo", 8)], "Won", day(16)),
    )
    for name, account, amount, currency, touches, stage, at in closed:
        rep = reps[owner[account]]
        clock.at = T0
        deal = deals.create_deal(
            uow, rep, name=name, amount=amount, currency=currency, account_id=ids[account]
        )
        ids[name] = deal.id
        for kind, n in touches:
            outcome = {"call": "connected", "email": "sent"}.get(kind, "held")
            result = "positive" if outcome == "held" else None
            clock.at = day(n)
            activities.log_activity(
                uow, rep, type=kind, outcome=outcome, result=result, started_at=day(n),
                account_id=ids[account], deal_id=deal.id,
            )  # fmt: skip
        if name == "d3":  # C's manual order at d3's close instant, recorded first
            order("C", "400", "USD", at)
        clock.at = at
        deals.move_deal_stage(uow, rep, deal.id, stage, at=at)

    order("A", "1500", "USD", day(10, 6))
    order("A", "2000", "USD", day(40))
    order("B", "25000000", "VND", day(20))
    order("B", "800", "USD", day(30))
    order("C", "900", "USD", day(50))
    order("D", "70000000", "VND", day(45))
    order("F", "500", "USD", day(35))
    order("G", "9000000", "VND", day(36))

    warehouse = Warehouse(directory / "currency.duckdb")
    sync(engine, warehouse)
    return CurrencyOrg(warehouse, engine, ids)
