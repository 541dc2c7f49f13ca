"""Who may see which rows: the one place where visibility is turned into SQL.

A rep sees their own records and the history of the accounts they own; a manager sees the
records of their team's members; an admin sees everything. Every query for a user goes through
:func:`visible`, so an edge cannot forget the rule.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true

from salestrack.domain.actor import Actor
from salestrack.store.models import (
    Account,
    Activity,
    ApiToken,
    AutomationRule,
    CalendarFeed,
    Contact,
    CustomerEvent,
    Deal,
    Enrollment,
    FieldRoute,
    Goal,
    ImportJob,
    ImportReject,
    Lead,
    Order,
    SatisfactionResponse,
    Team,
    User,
)


def _team_members(actor: Actor) -> Any:
    return select(User.id).where(User.team_id == actor.team_id).scalar_subquery()


def _owned_by(column: Any, actor: Actor) -> ColumnElement[bool]:
    clause: ColumnElement[bool] = column == actor.id
    if actor.is_manager and actor.team_id is not None:
        clause = column.in_(_team_members(actor))
    return clause


def _accounts_of(actor: Actor) -> Any:
    return select(Account.id).where(_owned_by(Account.owner_id, actor)).scalar_subquery()


def visible(actor: Actor, model: type[Any]) -> ColumnElement[bool]:
    """A WHERE clause limiting ``model`` to the rows ``actor`` may see."""
    if actor.is_admin:
        return true()
    if model is User:
        if actor.team_id is None:
            return User.id == actor.id
        return or_(User.id == actor.id, User.team_id == actor.team_id)
    if model is Team:
        return Team.id == actor.team_id if actor.team_id is not None else false()
    if model is Account:
        return _owned_by(Account.owner_id, actor)
    if model in (Contact, Deal, Activity):
        return or_(_owned_by(model.owner_id, actor), model.account_id.in_(_accounts_of(actor)))
    if model is Lead:
        return _owned_by(Lead.owner_id, actor)
    if model is Enrollment:
        return _owned_by(Enrollment.owner_id, actor)
    if model is FieldRoute:
        return _owned_by(FieldRoute.rep_id, actor)
    if model in (Order, CustomerEvent):
        account_id: ColumnElement[int] = model.account_id
        return account_id.in_(_accounts_of(actor))
    if model is SatisfactionResponse:
        return or_(
            _owned_by(SatisfactionResponse.rep_id, actor),
            SatisfactionResponse.account_id.in_(_accounts_of(actor)),
        )
    if model is Goal:
        own = _owned_by(Goal.user_id, actor)
        return or_(own, Goal.team_id == actor.team_id) if actor.team_id is not None else own
    if model is ImportJob:
        return _owned_by(ImportJob.user_id, actor)
    if model is ImportReject:  # a reject shows the original row: as private as its import
        jobs = select(ImportJob.id).where(_owned_by(ImportJob.user_id, actor))
        return ImportReject.import_id.in_(jobs.scalar_subquery())
    if model is AutomationRule:
        # A team's rule acts on its members' work only; the others' rules are none of theirs.
        everyone = AutomationRule.team_id.is_(None)
        if actor.team_id is None:
            return everyone
        return or_(everyone, AutomationRule.team_id == actor.team_id)
    if model in (ApiToken, CalendarFeed):
        user_id: ColumnElement[int] = model.user_id
        return user_id == actor.id
    # Reference data (pipelines, stages, activity types, cadences, experiments) is visible to
    # every user.
    return true()


def managed_users(actor: Actor) -> ColumnElement[bool]:
    """Users whose own work ``actor`` sees as an owner would: themselves, a manager's team, all.

    Narrower than :func:`visible` for users (a rep sees teammates' names, not their day): it
    picks whose planned day a page may show or plan, the same rule as :func:`_owned_by`.
    """
    return true() if actor.is_admin else _owned_by(User.id, actor)
