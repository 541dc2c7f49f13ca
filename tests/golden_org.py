"""A small sales org built through the services, whose metric values are worked out by hand.

Two teams: North (manager Mia; reps Ann, Bob and Dan, who does nothing) and South (rep Cat).
Every event below is placed at a stated UTC time; the golden tests derive their expected
numbers from this description (see the comments there). The reference window is March 2026 in
New York, ``[2026-03-01 00:00 EST, 2026-04-01 00:00 EDT)``, and "now" is 2026-04-02 12:00 UTC.

Time zone traps: DST starts in New York on 2026-03-08. Cat's call c1 is at 03-16 03:30 UTC, which
is Sunday 03-15 23:30 in New York (another day and ISO week than in UTC), and c3 at 04-01 02:00
UTC is still March 31 in New York.
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
from salestrack.services import accounts, activities, deals, goals, leads, orders, users
from salestrack.services.setup import init_store
from salestrack.services.users import actor_for
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork

NY = "America/New_York"
START = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)  # 2026-03-01 00:00 EST
END = datetime(2026, 4, 1, 4, 0, tzinfo=UTC)  # 2026-04-01 00:00 EDT
NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday


class SettableClock:
    """The services read time from the clock; the builder moves it to each event."""

    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


@dataclass
class GoldenOrg:
    warehouse: Warehouse
    engine: Engine
    actors: dict[str, Actor]
    ids: dict[str, int]


def day(n: int, minutes: int = 0) -> datetime:
    """T0 plus ``n`` days and ``minutes`` (whole numbers keep durations exact)."""
    return T0 + timedelta(days=n, minutes=minutes)


def build(directory: Path) -> GoldenOrg:
    engine = make_engine(f"sqlite:///{directory / 'golden.db'}")
    init_store(engine)
    clock = SettableClock()
    uow = UnitOfWork(engine, clock)
    ids: dict[str, int] = {}

    north = users.create_team(uow, SYSTEM, name="North")
    south = users.create_team(uow, SYSTEM, name="South")
    people = {
        "mia": ("manager", north.id),
        "ann": ("rep", north.id),
        "bob": ("rep", north.id),
        "dan": ("rep", north.id),
        "cat": ("rep", south.id),
    }
    actors = {}
    for name, (role, team) in people.items():
        user = users.create_user(
            uow, SYSTEM, email=f"{name}@example.com", name=name.title(), role=role, team_id=team
        )
        actors[name] = actor_for(user)
        ids[name] = user.id
    ids["north"], ids["south"] = north.id, south.id
    ann, bob, cat, mia = actors["ann"], actors["bob"], actors["cat"], actors["mia"]

    acme = accounts.create_account(uow, ann, name="Acme", segment="smb", time_zone=NY)
    bolt = accounts.create_account(uow, bob, name="Bolt", segment="enterprise", time_zone=NY)
    cyan = accounts.create_account(uow, cat, name="Cyan", segment="smb", time_zone=NY)
    ids.update(acme=acme.id, bolt=bolt.id, cyan=cyan.id)

    # Deals, all created at T0 except d5 (T0 + 7 days).
    d1 = deals.create_deal(uow, ann, name="d1", amount="5000", account_id=acme.id)
    d2 = deals.create_deal(uow, bob, name="d2", amount="3000", account_id=bolt.id)
    d3 = deals.create_deal(uow, cat, name="d3", amount="2000", account_id=cyan.id)
    d4 = deals.create_deal(uow, ann, name="d4 (no account)", amount="1000")
    ids.update(d1=d1.id, d2=d2.id, d3=d3.id, d4=d4.id)

    # An order of Acme before the window: Acme's later orders are repeat orders.
    clock.at = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)
    orders.create_order(uow, ann, account_id=acme.id, amount=Decimal("1000"), ordered_at=clock.at)

    # Leads: L1 qualified a day later and converted to d1; L2 stays new; L3 qualified at once.
    clock.at = T0
    l1 = leads.create_lead(uow, ann, name="L1")
    leads.create_lead(uow, ann, name="L2")
    ids["l1"] = l1.id

    def log(actor: Actor, at: datetime, logged: datetime | None = None, **kw: object) -> int:
        clock.at = logged or at
        return activities.log_activity(uow, actor, started_at=at, **kw).id  # type: ignore[arg-type]

    # Ann: a1 ... a7.
    log(ann, T0, type="call", outcome="connected", account_id=acme.id, ended_at=day(0, 10))
    log(ann, day(1), type="call", outcome="no_answer", account_id=acme.id)
    log(ann, day(1), type="email", outcome="replied", lead_id=l1.id)
    log(ann, day(2), type="meeting", outcome="held", result="positive", account_id=acme.id,
        deal_id=d1.id, ended_at=day(2, 60))  # fmt: skip
    log(ann, T0, day(2, 60), type="call", outcome="voicemail")  # logged 49 h late
    clock.at = T0
    activities.plan_activity(uow, ann, type="call", due_at=day(7))  # a6, still planned
    log(ann, day(3), type="task", outcome="completed", ended_at=day(3, 30))

    clock.at = day(1)
    leads.update_lead(uow, ann, l1.id, status="qualified", converted_deal_id=d1.id)
    clock.at = day(2)
    leads.create_lead(uow, cat, name="L3", status="qualified")

    # Pipeline moves.
    deals.move_deal_stage(uow, ann, d1.id, "Discovery", at=day(1))
    deals.move_deal_stage(uow, ann, d1.id, "Proposal", at=day(3))
    clock.at = day(5)
    deals.move_deal_stage(uow, ann, d1.id, "Won")
    clock.at = day(7)
    d5 = deals.create_deal(uow, bob, name="d5", amount="4000", account_id=bolt.id)
    ids["d5"] = d5.id
    clock.at = day(8)
    deals.move_deal_stage(uow, bob, d5.id, "Proposal")
    deals.move_deal_stage(uow, bob, d2.id, "Lost")
    clock.at = day(10)
    deals.move_deal_stage(uow, cat, d3.id, "Won")

    # Bob: b1 ... b5.
    log(bob, day(7), type="call", outcome="connected", account_id=bolt.id, deal_id=d5.id,
        ended_at=day(7, 5))  # fmt: skip
    log(bob, day(8), type="demo", outcome="no_show", account_id=bolt.id, deal_id=d2.id)
    clock.at = day(8)
    activities.plan_activity(uow, bob, type="email", due_at=datetime(2026, 3, 25, tzinfo=UTC))
    b4 = activities.plan_activity(uow, bob, type="call", due_at=day(9))
    activities.cancel_activity(uow, bob, b4.id)
    log(bob, datetime(2026, 3, 30, 9, tzinfo=UTC), type="call", outcome="no_answer",
        account_id=bolt.id, deal_id=d5.id)  # fmt: skip

    # Cat: c1 ... c3 at the time zone traps.
    log(cat, datetime(2026, 3, 16, 3, 30, tzinfo=UTC), type="call", outcome="connected",
        account_id=cyan.id)  # fmt: skip
    log(cat, datetime(2026, 3, 16, 4, 30, tzinfo=UTC), type="email", outcome="sent",
        account_id=cyan.id)  # fmt: skip
    log(cat, datetime(2026, 4, 1, 2, 0, tzinfo=UTC), type="call", outcome="connected",
        account_id=cyan.id)  # fmt: skip

    clock.at = datetime(2026, 3, 20, 9, tzinfo=UTC)
    orders.create_order(uow, cat, account_id=cyan.id, amount=Decimal("500"), ordered_at=clock.at)

    # Satisfaction.
    for actor, account, kind, score, when in (
        (ann, acme, "csat", 5, day(6)),
        (ann, acme, "nps", 9, day(6)),
        (bob, bolt, "nps", 3, day(9)),
        (cat, cyan, "csat", 4, day(11)),
        (cat, cyan, "nps", 7, day(11)),
    ):
        clock.at = when
        orders.record_satisfaction(
            uow, actor, kind=kind, score=score, responded_at=when, account_id=account.id,
            rep_id=actor.id,
        )  # fmt: skip

    # Goals: Ann 4 calls in the week of 2026-03-02; North 10,000 won in March 2026 (UTC).
    clock.at = T0
    week, month = datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    goals.create_goal(
        uow, mia, metric="calls_made", period="week", period_start=week, target=4, user_id=ann.id
    )
    goals.create_goal(
        uow, mia, metric="won_amount", period="month", period_start=month, target=10000,
        team_id=north.id,
    )  # fmt: skip

    warehouse = Warehouse(directory / "golden.duckdb")
    sync(engine, warehouse)
    return GoldenOrg(warehouse, engine, actors, ids)
