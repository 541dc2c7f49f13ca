"""Factories for automation tests: rules, a manager with a team, and rule-made activities."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from salestrack.automation.rules import create_rule
from salestrack.domain.actor import SYSTEM, Actor
from salestrack.services.users import actor_for
from salestrack.store.models import Activity, ActivityType, AutomationRule, Team
from salestrack.store.uow import UnitOfWork
from tests.factories import make_user

_n = itertools.count(1)


def make_rule(uow: UnitOfWork, actor: Actor = SYSTEM, **kw: Any) -> AutomationRule:
    kw.setdefault("name", f"Rule {next(_n)}")
    kw.setdefault("kind", "follow_up")
    kw.setdefault("plan_type", "call")
    return create_rule(uow, actor, **kw)


def make_manager(uow: UnitOfWork, team: Team) -> Actor:
    return actor_for(make_user(uow, "manager", team_id=team.id))


def rule_made(uow: UnitOfWork, **by: Any) -> Sequence[tuple[str, Activity]]:
    """Every activity the automation planned, with its type key, oldest first."""
    with uow(SYSTEM):
        rows = uow.session.execute(
            select(ActivityType.key, Activity)
            .join(ActivityType, Activity.type_id == ActivityType.id)
            .where(Activity.source == "rule", *(getattr(Activity, k) == v for k, v in by.items()))
            .order_by(Activity.id)
        ).all()
    return [(key, activity) for key, activity in rows]
