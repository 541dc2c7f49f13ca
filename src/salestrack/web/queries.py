"""Reads for the rep pages: lists and timelines through the store's visibility rule.

Repositories page by id; these pages want newest first and joins, so they build their own
SELECT but always filter with :func:`salestrack.store.scope.visible` for the acting user.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from salestrack.domain.vocab import ActivityStatus, StageKind
from salestrack.store.models import (
    Account,
    Activity,
    ActivityType,
    Deal,
    Goal,
    Stage,
    StageChange,
    User,
)
from salestrack.store.scope import visible
from salestrack.store.uow import UnitOfWork

GOOD_OUTCOMES = ("connected", "replied", "held", "completed")
QUICK_TYPES = ("call", "email", "meeting", "visit")


@dataclass
class ActivityFilters:
    """The filters of the activity list; drill-downs from the team page fill them in."""

    type: str | None = None
    status: str | None = None
    outcome: str | None = None
    owner: int | None = None
    account: int | None = None
    deal: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    good: bool = False

    def where(self, types: dict[str, int]) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.type:
            clauses.append(Activity.type_id == types.get(self.type, -1))
        if self.status:
            clauses.append(Activity.status == self.status)
        if self.outcome:
            clauses.append(Activity.outcome == self.outcome)
        if self.good:
            clauses.append(Activity.outcome.in_(GOOD_OUTCOMES))
        if self.owner:
            clauses.append(Activity.owner_id == self.owner)
        if self.account:
            clauses.append(Activity.account_id == self.account)
        if self.deal:
            clauses.append(Activity.deal_id == self.deal)
        if self.start:
            clauses.append(Activity.started_at >= self.start)
        if self.end:
            clauses.append(Activity.started_at < self.end)
        return clauses


def activity_types(uow: UnitOfWork) -> dict[int, ActivityType]:
    return {t.id: t for t in uow.activity_types.list(limit=1000)}


def type_ids(uow: UnitOfWork) -> dict[str, int]:
    return {t.key: t.id for t in uow.activity_types.list(limit=1000)}


def activities(
    uow: UnitOfWork, *where: ColumnElement[bool], limit: int = 50, newest_first: bool = True
) -> Sequence[Activity]:
    """Visible activities matching ``where``, newest first (by start, else due time)."""
    when = Activity.started_at if newest_first else Activity.due_at
    stmt = (
        select(Activity)
        .where(visible(uow.actor, Activity), *where)
        .order_by(when.desc() if newest_first else when.asc(), Activity.id.desc())
        .limit(limit)
    )
    return uow.session.scalars(stmt).all()


@dataclass
class Day:
    """A rep's day: what is overdue, what is planned today, what was done today, goal pace."""

    overdue: Sequence[Activity]
    planned: Sequence[Activity]
    done: Sequence[Activity]
    goals: list[dict[str, Any]] = field(default_factory=list)


def my_day(uow: UnitOfWork, user_id: int, day_start: datetime, now: datetime) -> Day:
    """The agenda of ``user_id`` for the local day starting at ``day_start`` (aware UTC)."""
    day_end = day_start + timedelta(days=1)
    mine = Activity.owner_id == user_id
    planned = Activity.status == ActivityStatus.PLANNED.value
    stmt = select(Activity).where(visible(uow.actor, Activity), mine, planned)
    due = uow.session.scalars(
        stmt.where(Activity.due_at < day_end).order_by(Activity.due_at).limit(100)
    ).all()
    done = activities(
        uow,
        mine,
        Activity.status == ActivityStatus.DONE.value,
        Activity.started_at >= day_start,
        Activity.started_at < day_end,
    )
    return Day(
        overdue=[a for a in due if a.due_at is not None and a.due_at < now],
        planned=[a for a in due if a.due_at is not None and a.due_at >= now],
        done=done,
        goals=goal_pace(uow, user_id, now),
    )


PERIOD_DAYS = {"week": 7, "month": 30, "quarter": 91}
GOAL_TYPES = {"calls": "call", "demos": "demo", "visits": "visit", "meetings": "meeting"}


def goal_pace(uow: UnitOfWork, user_id: int, now: datetime) -> list[dict[str, Any]]:
    """Current goals on activity counts: done so far against target and against pace."""
    out: list[dict[str, Any]] = []
    types = type_ids(uow)
    earliest = now - timedelta(days=max(PERIOD_DAYS.values()))
    for goal in uow.goals.list(
        Goal.period_start > earliest, Goal.period_start <= now, user_id=user_id
    ):
        length = timedelta(days=PERIOD_DAYS.get(goal.period, 7))
        if goal.metric not in GOAL_TYPES or now >= goal.period_start + length:
            continue
        done = uow.activities.count(
            Activity.owner_id == user_id,
            Activity.status == ActivityStatus.DONE.value,
            Activity.type_id == types.get(GOAL_TYPES[goal.metric], -1),
            Activity.started_at >= goal.period_start,
            Activity.started_at < goal.period_start + length,
        )
        elapsed = (now - goal.period_start) / length
        out.append(
            {
                "metric": goal.metric,
                "target": float(goal.target),
                "done": done,
                "share": done / float(goal.target) if goal.target else None,
                "pace": elapsed,
            }
        )
    return out


def open_deals_by_stage(
    uow: UnitOfWork, owner: int | None
) -> tuple[list[Stage], dict[int, list[Deal]]]:
    """Stages of the deals' pipeline in order, and the visible deals in each (open ones, and
    won/lost ones closed in the last 30 days, so a move to Won stays in sight)."""
    stages = sorted(uow.stages.list(limit=1000), key=lambda s: (s.pipeline_id, s.position))
    now = uow.clock.now()
    stmt = (
        select(Deal)
        .join(Stage, Stage.id == Deal.stage_id)
        .where(
            visible(uow.actor, Deal),
            or_(Stage.kind == StageKind.OPEN.value, Deal.closed_at >= now - timedelta(days=30)),
        )
        .order_by(Deal.amount.desc())
        .limit(400)
    )
    if owner:
        stmt = stmt.where(Deal.owner_id == owner)
    by_stage: dict[int, list[Deal]] = {s.id: [] for s in stages}
    for deal in uow.session.scalars(stmt):
        by_stage.setdefault(deal.stage_id, []).append(deal)
    return stages, by_stage


def stage_history(uow: UnitOfWork, deal_ids: Sequence[int]) -> Sequence[StageChange]:
    """Stage moves of deals the actor can see (callers pass visible deal ids only)."""
    if not deal_ids:
        return []
    stmt = (
        select(StageChange).where(StageChange.deal_id.in_(deal_ids)).order_by(StageChange.at.desc())
    )
    return uow.session.scalars(stmt.limit(200)).all()


def names(
    uow: UnitOfWork, model: type[Account] | type[User] | type[Deal], ids: set[int]
) -> dict[int, str]:
    """Names of the visible rows among ``ids`` (for labels in lists and timelines)."""
    clean = {i for i in ids if i}
    if not clean:
        return {}
    rows = uow.session.execute(
        select(model.id, model.name).where(model.id.in_(clean), visible(uow.actor, model))
    ).all()
    return {int(r[0]): str(r[1]) for r in rows}
