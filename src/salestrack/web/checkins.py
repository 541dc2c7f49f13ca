"""Check-in and check-out of a visit from a phone, until the capture service provides them.

A thin stand-in written on the public services: checking in opens a planned visit that started
now at the phone's position; checking out completes it with its outcome, next step and
duration. Swap these two functions for ``capture``'s check-in service when it lands.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from salestrack.domain.actor import Actor
from salestrack.domain.vocab import ActivityStatus
from salestrack.services import activities
from salestrack.store.models import Activity
from salestrack.store.scope import visible
from salestrack.store.uow import UnitOfWork


def check_in(
    uow: UnitOfWork,
    actor: Actor,
    *,
    account_id: int,
    latitude: float | None,
    longitude: float | None,
    accuracy_m: float | None,
) -> Activity:
    """Start a visit at an account where the rep is standing (position when the phone gave it)."""
    now = uow.clock.now()
    position: dict[str, Any] = {
        k: v
        for k, v in (("latitude", latitude), ("longitude", longitude), ("accuracy_m", accuracy_m))
        if v is not None
    }
    return activities.plan_activity(
        uow,
        actor,
        type="visit",
        due_at=now,
        started_at=now,
        account_id=account_id,
        purpose="check_in",
        source="mobile",
        **position,
    )


def check_out(
    uow: UnitOfWork, actor: Actor, activity_id: int, *, outcome: str, next_step: str
) -> Activity:
    """End the visit: done, with its outcome and next step; its duration runs until now."""
    with uow(actor):
        visit = uow.activities.get_visible(activity_id)
        started = visit.started_at
    return activities.complete_activity(
        uow,
        actor,
        activity_id,
        outcome=outcome,
        next_step=next_step,
        started_at=started,
        ended_at=uow.clock.now(),
    )


def open_visits(uow: UnitOfWork, actor: Actor) -> list[Activity]:
    """The actor's visits checked in and not yet checked out."""
    with uow(actor):
        visit_type = uow.activity_types.find_one(key="visit")
        if visit_type is None or actor.id is None:
            return []
        stmt = select(Activity).where(
            visible(actor, Activity),
            Activity.owner_id == actor.id,
            Activity.type_id == visit_type.id,
            Activity.status == ActivityStatus.PLANNED.value,
            Activity.started_at.is_not(None),
        )
        return list(uow.session.scalars(stmt.order_by(Activity.started_at.desc()).limit(10)))
