"""Goals: a target for a rep or a team on one metric over a week, month or quarter."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from salestrack.domain import rules
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import GoalPeriod
from salestrack.errors import ValidationFailed
from salestrack.services.fields import Rules, apply, ensure_link, validate
from salestrack.services.permissions import require_manager
from salestrack.store.models import Goal
from salestrack.store.uow import UnitOfWork

GOAL_FIELDS: Rules = {
    "metric": lambda v: rules.require_text("metric", v, max_len=64),
    "period": lambda v: rules.choice("period", v, [p.value for p in GoalPeriod]),
    "period_start": lambda v: rules.utc("period_start", v),
    "target": lambda v: _target(v),
}


def _target(value: Any) -> Decimal:
    if value is None:
        raise ValidationFailed("target", "is required")
    target = rules.money("target", value)
    if target <= 0:
        raise ValidationFailed("target", "must be greater than zero")
    return target


def create_goal(
    uow: UnitOfWork,
    actor: Actor,
    *,
    metric: str,
    period: str,
    period_start: datetime,
    target: Decimal | int | str,
    user_id: int | None = None,
    team_id: int | None = None,
) -> Goal:
    """Set a goal for exactly one rep or one team; managers and admins set goals."""
    require_manager(actor, "set a goal")
    if (user_id is None) == (team_id is None):
        raise ValidationFailed("user_id", "give exactly one of user_id and team_id")
    with uow(actor, "goal.created"):
        values = validate(
            GOAL_FIELDS,
            {"metric": metric, "period": period, "period_start": period_start, "target": target},
        )
        ensure_link(uow.users, user_id, "user_id")
        ensure_link(uow.teams, team_id, "team_id")
        goal = uow.goals.add(Goal(**values, user_id=user_id, team_id=team_id))
        uow.commit()
    return goal


def update_goal(uow: UnitOfWork, actor: Actor, goal_id: int, **changes: Any) -> Goal:
    require_manager(actor, "change a goal")
    with uow(actor, "goal.updated"):
        goal = uow.goals.get_visible(goal_id)
        apply(goal, validate(GOAL_FIELDS, changes))
        uow.commit()
    return goal
