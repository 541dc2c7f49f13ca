"""Activities: plan, log, complete, cancel and reschedule the work reps do every day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from salestrack.automation import triggers
from salestrack.domain import rules
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import PURPOSES, RESULTS, ActivityStatus, Direction, Source
from salestrack.errors import ValidationFailed
from salestrack.services.fields import Rules, apply, ensure_link, validate
from salestrack.services.permissions import check_assign, check_change
from salestrack.store.models import Activity, ActivityType
from salestrack.store.uow import UnitOfWork

ACTIVITY_FIELDS: Rules = {
    "purpose": lambda v: rules.choice("purpose", v, PURPOSES),
    "direction": lambda v: rules.choice("direction", v, [d.value for d in Direction]),
    "subject": lambda v: rules.optional_text("subject", v, max_len=500),
    "notes": lambda v: rules.optional_text("notes", v, max_len=100_000),
    "due_at": lambda v: rules.utc("due_at", v),
    "started_at": lambda v: rules.utc("started_at", v),
    "duration_s": lambda v: rules.duration("duration_s", v),
    "next_step": lambda v: rules.optional_text("next_step", v, max_len=500),
    "owner_id": lambda v: v,
    "account_id": lambda v: v,
    "contact_id": lambda v: v,
    "deal_id": lambda v: v,
    "lead_id": lambda v: v,
    "latitude": lambda v: float(v),
    "longitude": lambda v: float(v),
    "accuracy_m": lambda v: float(v),
    "source": lambda v: rules.choice("source", v, [s.value for s in Source]),
    "external_id": lambda v: rules.optional_text("external_id", v, max_len=255),
    "enrollment_id": lambda v: v,
}


def activity_type(uow: UnitOfWork, key: str) -> ActivityType:
    """The active activity type with this key, or an error listing the known ones."""
    found = uow.memo(
        ActivityType, key, lambda: uow.activity_types.find_one(key=key, is_active=True)
    )
    if found is None:
        known = ", ".join(t.key for t in uow.activity_types.list(limit=1000, is_active=True))
        raise ValidationFailed("type", f"{key!r} is not an activity type ({known})")
    return found


def _links(uow: UnitOfWork, values: dict[str, Any]) -> None:
    """Check every link and fill the account from the deal or contact when it was left out."""
    if values.get("owner_id") != uow.actor.id or uow.actor.id is None:  # the actor exists
        ensure_link(uow.users, values.get("owner_id"), "owner_id")
    ensure_link(uow.accounts, values.get("account_id"), "account_id")
    contact = ensure_link(uow.contacts, values.get("contact_id"), "contact_id")
    deal = ensure_link(uow.deals, values.get("deal_id"), "deal_id")
    ensure_link(uow.leads, values.get("lead_id"), "lead_id")
    if values.get("account_id") is None:
        values["account_id"] = (deal.account_id if deal else None) or (
            contact.account_id if contact else None
        )
    rules.coordinates(values.get("latitude"), values.get("longitude"))


def _outcome(kind: ActivityType, outcome: str | None, result: str | None) -> tuple[str, str | None]:
    chosen = rules.outcome(kind.key, outcome, kind.outcomes)
    if result is None:
        return chosen, None
    if not kind.has_result:
        raise ValidationFailed("result", f"a {kind.key} has no result, only an outcome")
    return chosen, rules.choice("result", result, RESULTS)


def _duration(start: datetime | None, ended_at: datetime) -> int | None:
    """Turn an end time into a duration, refusing an end before the start."""
    end = rules.utc("ended_at", ended_at)
    if start is None:
        raise ValidationFailed("started_at", "is required when ended_at is given")
    rules.ordered("started_at", start, "ended_at", end)
    return rules.duration("ended_at", int((end - start).total_seconds()))


def _new(
    uow: UnitOfWork, actor: Actor, type_key: str, fields: dict[str, Any]
) -> tuple[Activity, ActivityType]:
    """A valid new activity, added to the session but not flushed.

    It is flushed by the caller's commit, or, in a bulk, with the rest of the bulk; the checks
    read only reference rows, so they need not flush the activities before it.
    """
    with uow.session.no_autoflush:
        kind = activity_type(uow, type_key)
        values = validate(ACTIVITY_FIELDS, fields)
        values.setdefault("owner_id", actor.id)
        check_assign(uow, actor, values["owner_id"], f"create a {type_key}")
        _links(uow, values)
    activity = Activity(type_id=kind.id, **values)
    uow.session.add(activity)
    return activity, kind


def plan_activity(
    uow: UnitOfWork,
    actor: Actor,
    *,
    type: str,
    due_at: datetime,
    automate: bool = True,
    **fields: Any,
) -> Activity:
    """Put an activity on someone's agenda for ``due_at``.

    A meeting or demo booked this way pauses the prospect's cadence unless ``automate=False``.
    """
    with uow(actor, "activity.planned"):
        activity, _ = _new(uow, actor, type, {"due_at": due_at, **fields})
        activity.status = ActivityStatus.PLANNED.value
        if automate:
            triggers.activity_planned(uow, activity)
        uow.commit()
    return activity


def log_activity(
    uow: UnitOfWork,
    actor: Actor,
    *,
    type: str,
    outcome: str | None,
    result: str | None = None,
    ended_at: datetime | None = None,
    automate: bool = True,
    **fields: Any,
) -> Activity:
    """Record an activity that already happened, with its outcome (the quick log).

    Follow-up rules fire as for a completion; ``automate=False`` (imports) keeps them quiet.
    """
    with uow(actor, "activity.logged"):
        now = uow.clock.now()
        fields.setdefault("started_at", now)
        activity, kind = _new(uow, actor, type, fields)
        if ended_at is not None:
            activity.duration_s = _duration(activity.started_at, ended_at)
        activity.outcome, activity.result = _outcome(kind, outcome, result)
        activity.status = ActivityStatus.DONE.value
        activity.completed_at = activity.started_at
        activity.logged_at = now
        if automate:
            triggers.activity_completed(uow, activity)
        uow.commit()
    return activity


def _planned(uow: UnitOfWork, actor: Actor, activity_id: int, verb: str) -> Activity:
    activity = uow.activities.get_visible(activity_id)
    check_change(uow, actor, activity.owner_id, f"{verb} this activity")
    if activity.status != ActivityStatus.PLANNED:
        raise ValidationFailed(
            "status", f"only a planned activity can be {verb}d; this one is {activity.status}"
        )
    return activity


def complete_activity(
    uow: UnitOfWork,
    actor: Actor,
    activity_id: int,
    *,
    outcome: str | None,
    result: str | None = None,
    next_step: str | None = None,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    automate: bool = True,
) -> Activity:
    """Mark a planned activity done; an outcome from its type's vocabulary is required.

    In the same transaction the automation reacts (follow-up rules, the cadence's next step,
    a reply pausing a cadence) unless ``automate=False``.
    """
    with uow(actor, "activity.completed"):
        activity = _planned(uow, actor, activity_id, "complete")
        kind = uow.activity_types.get_visible(activity.type_id)
        now = uow.clock.now()
        activity.outcome, activity.result = _outcome(kind, outcome, result)
        activity.next_step = rules.optional_text("next_step", next_step, max_len=500)
        activity.started_at = (
            rules.utc("started_at", started_at) if started_at else activity.due_at or now
        )
        if ended_at is not None:
            activity.duration_s = _duration(activity.started_at, ended_at)
        activity.status = ActivityStatus.DONE.value
        activity.completed_at = now
        activity.logged_at = now
        if automate:
            triggers.activity_completed(uow, activity)
        uow.commit()
    return activity


def cancel_activity(
    uow: UnitOfWork,
    actor: Actor,
    activity_id: int,
    reason: str | None = None,
    *,
    automate: bool = True,
) -> Activity:
    """Call a planned activity off; a cancelled cadence step moves the cadence to the next."""
    with uow(actor, "activity.cancelled"):
        activity = _planned(uow, actor, activity_id, "cancel")
        activity.status = ActivityStatus.CANCELLED.value
        if reason:
            activity.notes = rules.optional_text("reason", reason, max_len=100_000)
        if automate:
            triggers.activity_cancelled(uow, activity)
        uow.commit()
    return activity


def reschedule_activity(
    uow: UnitOfWork, actor: Actor, activity_id: int, due_at: datetime
) -> Activity:
    with uow(actor, "activity.rescheduled"):
        activity = _planned(uow, actor, activity_id, "reschedule")
        activity.due_at = rules.utc("due_at", due_at)
        uow.commit()
    return activity


def update_activity(uow: UnitOfWork, actor: Actor, activity_id: int, **changes: Any) -> Activity:
    """Edit descriptive fields and links; status moves through the functions above."""
    with uow(actor, "activity.updated"):
        activity = uow.activities.get_visible(activity_id)
        check_change(uow, actor, activity.owner_id, "change this activity")
        values = validate(ACTIVITY_FIELDS, changes)
        if "owner_id" in values:
            check_assign(uow, actor, values["owner_id"], "reassign this activity")
        _links(uow, {k: v for k, v in values.items() if k != "owner_id"})
        apply(activity, values)
        uow.commit()
    return activity
