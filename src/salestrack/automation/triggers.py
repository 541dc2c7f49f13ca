"""The explicit hooks that services call after a change, inside the same transaction.

A service calls exactly one of these after it changed a record and before it commits, so the
planned follow-up is written atomically with its cause (a crash leaves neither). Callers that
replay history (imports) pass ``automate=False`` to the service and the hook is not called;
records whose ``source`` is ``import`` or ``simulation`` never set rules off either.
"""

from __future__ import annotations

from salestrack.automation import cadences, followups
from salestrack.store.models import Activity, Deal, StageChange
from salestrack.store.uow import UnitOfWork


def activity_completed(uow: UnitOfWork, activity: Activity) -> list[Activity]:
    """An activity was completed (or logged as done) with an outcome."""
    planned = followups.activity_rule_hits(uow, activity)
    cadences.on_activity_completed(uow, activity)
    return planned


def activity_planned(uow: UnitOfWork, activity: Activity) -> None:
    """A person planned an activity (a booked meeting pauses the prospect's cadence)."""
    cadences.on_activity_planned(uow, activity)


def activity_cancelled(uow: UnitOfWork, activity: Activity) -> None:
    """A person cancelled a planned activity (a cancelled cadence step is skipped)."""
    cadences.on_activity_cancelled(uow, activity)


def deal_stage_entered(uow: UnitOfWork, deal: Deal, change: StageChange) -> list[Activity]:
    """A deal entered a stage (on creation, or by a move)."""
    return followups.stage_rule_hits(uow, deal, change)
