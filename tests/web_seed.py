"""A small simulated org with known sign-ins, for the web tests and the web benchmark.

The simulated people have no passwords; this gives one manager, two reps (one on another team)
and an admin a known password, plans some activities for "my day", and adds a deal in VND.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Engine, select

from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import Clock, SystemClock
from salestrack.services import activities, deals, users
from salestrack.services.setup import init_store
from salestrack.simulate import SimulationParams, simulate
from salestrack.simulate.load import load_into_store
from salestrack.store.models import Account, User
from salestrack.store.uow import UnitOfWork

PASSWORD = "correct horse battery"
SMALL_ORG = SimulationParams(
    seed=11, teams=2, reps=4, months=3, accounts_per_rep=8, activities_per_rep_month=60
)


@dataclass(frozen=True)
class Seeded:
    """E-mails of the users with a known password, and a few record ids the tests visit."""

    manager: str
    rep: str
    other_rep: str
    admin: str
    rep_account_id: int
    other_account_id: int
    rep_deal_id: int
    other_deal_id: int


def _first(engine: Engine, role: str, team_id: int) -> User:
    uow = UnitOfWork(engine)
    with uow(SYSTEM):
        found = uow.users.find_one(role=role, team_id=team_id)
    assert found is not None
    return found


def seed_web_store(
    engine: Engine, params: SimulationParams = SMALL_ORG, clock: Clock | None = None
) -> Seeded:
    """Initialise ``engine``'s store, load a simulated org and prepare the sign-ins."""
    clock = clock or SystemClock()
    init_store(engine)
    load_into_store(engine, simulate(params))
    uow = UnitOfWork(engine, clock)
    manager, rep, other = _first(engine, "manager", 1), _first(engine, "rep", 1), None
    other = _first(engine, "rep", 2)
    admin = users.create_user(
        uow, SYSTEM, email="admin@example.com", name="Admin", role="admin", password=PASSWORD
    )
    for user in (manager, rep, other):
        users.set_password(uow, SYSTEM, user.id, PASSWORD)
    with uow(SYSTEM):
        rep_account = uow.session.scalars(
            select(Account).where(Account.owner_id == rep.id).order_by(Account.id)
        ).first()
        other_account = uow.session.scalars(
            select(Account).where(Account.owner_id == other.id).order_by(Account.id)
        ).first()
    assert rep_account is not None and other_account is not None
    now = clock.now()
    for hours, subject in ((-30, "Overdue call back"), (2, "Call about the proposal")):
        activities.plan_activity(
            uow,
            SYSTEM,
            type="call",
            due_at=now + timedelta(hours=hours),
            owner_id=rep.id,
            account_id=rep_account.id,
            subject=subject,
        )
    deal = deals.create_deal(
        uow,
        SYSTEM,
        name="Saigon expansion",
        amount=Decimal("125000000"),
        currency="VND",
        owner_id=rep.id,
        account_id=rep_account.id,
    )
    other_deal = deals.create_deal(
        uow,
        SYSTEM,
        name="Other team deal",
        amount=Decimal("5000"),
        owner_id=other.id,
        account_id=other_account.id,
    )
    return Seeded(
        manager=manager.email,
        rep=rep.email,
        other_rep=other.email,
        admin=admin.email,
        rep_account_id=rep_account.id,
        other_account_id=other_account.id,
        rep_deal_id=deal.id,
        other_deal_id=other_deal.id,
    )
