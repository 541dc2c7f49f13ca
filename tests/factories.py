"""Small factories with overridable defaults, so each test states only what it cares about."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from salestrack.domain.actor import SYSTEM, Actor
from salestrack.services import accounts, deals, users
from salestrack.services.users import actor_for
from salestrack.store.models import Account, Deal, Team, User
from salestrack.store.uow import UnitOfWork

_n = itertools.count(1)


def make_team(uow: UnitOfWork, **kw: Any) -> Team:
    return users.create_team(uow, SYSTEM, name=kw.pop("name", f"Team {next(_n)}"), **kw)


def make_user(uow: UnitOfWork, role: str = "rep", **kw: Any) -> User:
    n = next(_n)
    return users.create_user(
        uow,
        SYSTEM,
        email=kw.pop("email", f"user{n}@example.com"),
        name=kw.pop("name", f"User {n}"),
        role=role,
        **kw,
    )


def make_rep(uow: UnitOfWork, team: Team | None = None, **kw: Any) -> tuple[User, Actor]:
    user = make_user(uow, "rep", team_id=team.id if team else None, **kw)
    return user, actor_for(user)


def make_account(uow: UnitOfWork, actor: Actor = SYSTEM, **kw: Any) -> Account:
    return accounts.create_account(uow, actor, name=kw.pop("name", f"Acme {next(_n)}"), **kw)


def make_deal(uow: UnitOfWork, actor: Actor, **kw: Any) -> Deal:
    return deals.create_deal(
        uow,
        actor,
        name=kw.pop("name", f"Deal {next(_n)}"),
        amount=kw.pop("amount", Decimal("1000.00")),
        **kw,
    )
