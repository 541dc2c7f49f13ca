"""Cadences (sequences): ordered steps planned one at a time for an enrolled prospect.

Enrolling plans step 1; completing a step plans the next one ``delay`` working days later at
the step's local time in the prospect's zone, kept inside business hours. A reply (an outcome
``replied``) or a booked meeting/demo for the same lead, contact or deal pauses the enrolment
and cancels its open step, because a rep must not send "just following up" to someone who
answered. Resuming plans the open step again. A running experiment on the cadence assigns each
new enrolment a variant, whose overrides change step times and delays.

Step keys are ``cadence:<enrolment>:<step>:<resumes>``: stable across re-runs, fresh after a
resume, so nothing is planned twice and a resumed step is not mistaken for the cancelled one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy import or_, select

from salestrack.automation import business_time as bt
from salestrack.automation import experiments as ex
from salestrack.automation.planner import Planner, check_template
from salestrack.domain import rules as checks
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import PURPOSES, ActivityStatus
from salestrack.errors import Conflict, ValidationFailed
from salestrack.services.fields import ensure_link
from salestrack.services.permissions import check_assign, check_change, require_manager
from salestrack.store.models import (
    Activity,
    ActivityType,
    Cadence,
    CadenceStep,
    Contact,
    Deal,
    Enrollment,
    Lead,
)
from salestrack.store.uow import UnitOfWork

DEFAULT_STEP_TIME = time(10, 0)
REPLY_OUTCOMES = frozenset({"replied"})
MEETING_TYPES = frozenset({"meeting", "demo"})


class Status:
    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"


def create_cadence(
    uow: UnitOfWork, actor: Actor, *, name: str, steps: Sequence[Mapping[str, Any]]
) -> Cadence:
    """A cadence from steps ``{"day": 0, "type": "email", "purpose": ..., "template": ...,
    "at_local": "10:00"}``; days count working days from enrolment and must not go back."""
    require_manager(actor, "create a cadence")
    with uow(actor, "cadence.created"):
        if not steps:
            raise ValidationFailed("steps", "a cadence needs at least one step")
        if uow.cadences.find_one(name=name) is not None:
            raise Conflict(f"a cadence named {name!r} already exists")
        cadence = uow.cadences.add(
            Cadence(name=checks.require_text("name", name, max_len=200), owner_id=actor.id)
        )
        previous = 0
        for position, step in enumerate(steps, start=1):
            field = f"steps[{position}]"
            day = step.get("day", 0)
            if not isinstance(day, int) or day < previous:
                raise ValidationFailed(field, "day must be a whole number, not before the last")
            previous = day
            kind = uow.activity_types.find_one(key=step.get("type"), is_active=True)
            if kind is None:
                raise ValidationFailed(field, f"{step.get('type')!r} is not an activity type")
            at = step.get("at_local")
            check_template(field, step.get("template"))
            uow.cadence_steps.add(
                CadenceStep(
                    cadence_id=cadence.id,
                    position=position,
                    day_offset=day,
                    type_id=kind.id,
                    purpose=checks.choice(field, step.get("purpose", "prospecting"), PURPOSES),
                    template=step.get("template"),
                    at_local=bt.parse_hhmm(field, at).strftime("%H:%M") if at else None,
                )
            )
        uow.commit()
    return cadence


def steps_of(
    uow: UnitOfWork, actor: Actor, cadence_ids: Sequence[int]
) -> dict[int, list[tuple[CadenceStep, str]]]:
    """Each cadence's steps in order, with the key of the activity type each step plans."""
    found: dict[int, list[tuple[CadenceStep, str]]] = {cadence_id: [] for cadence_id in cadence_ids}
    with uow(actor):
        rows = uow.session.execute(
            select(CadenceStep, ActivityType.key)
            .join(ActivityType, CadenceStep.type_id == ActivityType.id)
            .where(CadenceStep.cadence_id.in_(list(found)))
            .order_by(CadenceStep.cadence_id, CadenceStep.position)
        ).all()
    for step, key in rows:
        found[step.cadence_id].append((step, key))
    return found


def _steps(uow: UnitOfWork, cadence_id: int) -> list[CadenceStep]:
    return list(
        uow.session.scalars(
            select(CadenceStep)
            .where(CadenceStep.cadence_id == cadence_id)
            .order_by(CadenceStep.position)
        )
    )


def enrol(
    uow: UnitOfWork,
    actor: Actor,
    cadence: str,
    *,
    lead_id: int | None = None,
    contact_id: int | None = None,
    deal_id: int | None = None,
    owner_id: int | None = None,
) -> Enrollment:
    """Enrol one lead, contact or deal; plans step 1 and assigns a variant if one runs."""
    with uow(actor, "cadence.enrolled"):
        target = uow.cadences.find_one(name=cadence, is_active=True)
        if target is None:
            raise ValidationFailed("cadence", f"{cadence!r} is not an active cadence")
        links = {"lead_id": lead_id, "contact_id": contact_id, "deal_id": deal_id}
        given = {k: v for k, v in links.items() if v is not None}
        if len(given) != 1:
            raise ValidationFailed("unit", "enrol exactly one of lead_id, contact_id, deal_id")
        ((link, unit_id),) = given.items()
        unit: Lead | Contact | Deal | None
        if link == "lead_id":
            unit = ensure_link(uow.leads, unit_id, link)
        elif link == "contact_id":
            unit = ensure_link(uow.contacts, unit_id, link)
        else:
            unit = ensure_link(uow.deals, unit_id, link)
        owner = owner_id or (unit.owner_id if unit else None) or actor.id
        check_assign(uow, actor, owner, "enrol into a cadence")
        unit_key = f"{link.removesuffix('_id')}:{unit_id}"
        busy = uow.enrollments.find_one(
            Enrollment.status.in_((Status.ACTIVE, Status.PAUSED)),
            cadence_id=target.id,
            unit_key=unit_key,
        )
        if busy is not None:
            raise Conflict(f"{unit_key} is already enrolled in {cadence!r}")
        experiment = ex.running_for(uow, target)
        stratum = f"owner:{owner}"
        enrollment = uow.enrollments.add(
            Enrollment(
                cadence_id=target.id,
                experiment_id=experiment.id if experiment else None,
                variant=ex.choose_variant(uow, experiment, unit_key, stratum)
                if experiment
                else None,
                owner_id=owner,
                status=Status.ACTIVE,
                current_step=1,
                enrolled_at=uow.clock.now(),
                unit_key=unit_key,
                stratum=stratum,
                resumes=0,
                **links,
            )
        )
        _plan_step(uow, enrollment, uow.clock.now())
        uow.commit()
    return enrollment


def _plan_step(uow: UnitOfWork, enrollment: Enrollment, after: datetime) -> None:
    """Plan the enrolment's current step: its delay in working days, its local time."""
    steps = _steps(uow, enrollment.cadence_id)
    position = enrollment.current_step
    step = steps[position - 1]
    previous_day = steps[position - 2].day_offset if position > 1 else 0
    experiment = (
        uow.experiments.get_any(enrollment.experiment_id) if enrollment.experiment_id else None
    )
    change = ex.overrides(experiment, enrollment.variant, position)
    delay = int(change.get("delay_days", step.day_offset - previous_day))
    at_text = change.get("at_local") or step.at_local
    at = bt.clamp_to_hours(bt.parse_hhmm("at_local", at_text) if at_text else DEFAULT_STEP_TIME)
    kind = uow.activity_types.get_any(step.type_id)
    cadence = uow.cadences.get_any(enrollment.cadence_id)
    assert kind is not None and cadence is not None
    planner = Planner(uow.session)
    candidate = planner.candidate(
        f"cadence:{enrollment.id}:{position}:{enrollment.resumes}",
        after,
        enrollment.owner_id,
        account_id=_account_of(uow, enrollment),
        contact_id=enrollment.contact_id,
        deal_id=enrollment.deal_id,
        lead_id=enrollment.lead_id,
        step=position,
        cadence=cadence.name,
    )
    item = planner.item(
        candidate,
        type_key=kind.key,
        purpose=step.purpose,
        days=delay,
        at=at,
        subject="{cadence} step {step}: {contact} {account}",
        enrollment_id=enrollment.id,
        notes=step.template,
    )
    planner.add([item])


def _account_of(uow: UnitOfWork, enrollment: Enrollment) -> int | None:
    for repo, row_id in (
        (uow.deals, enrollment.deal_id),
        (uow.contacts, enrollment.contact_id),
        (uow.leads, enrollment.lead_id),
    ):
        if row_id is not None:
            row = repo.get_any(row_id)
            return getattr(row, "account_id", None)
    return None


def _enrollments_of(uow: UnitOfWork, activity: Activity) -> list[Enrollment]:
    """Active enrolments of the lead, contact or deal an activity is about."""
    match = [
        column == value
        for column, value in (
            (Enrollment.lead_id, activity.lead_id),
            (Enrollment.contact_id, activity.contact_id),
            (Enrollment.deal_id, activity.deal_id),
        )
        if value is not None
    ]
    if not match:
        return []
    return list(
        uow.session.scalars(
            select(Enrollment).where(or_(*match), Enrollment.status == Status.ACTIVE)
        )
    )


def _pause(uow: UnitOfWork, enrollment: Enrollment, reason: str, keep: int | None = None) -> None:
    """Pause and cancel the open step (except the activity ``keep`` that caused the pause)."""
    enrollment.status = Status.PAUSED
    enrollment.paused_at = uow.clock.now()
    enrollment.pause_reason = reason
    for open_step in uow.session.scalars(
        select(Activity).where(
            Activity.enrollment_id == enrollment.id,
            Activity.status == ActivityStatus.PLANNED.value,
            Activity.id != (keep or 0),
        )
    ):
        open_step.status = ActivityStatus.CANCELLED.value
        open_step.notes = f"cadence paused: {reason}"


def on_activity_completed(uow: UnitOfWork, activity: Activity) -> None:
    """Trigger: a done step advances its enrolment; a reply or held meeting pauses it."""
    kind = uow.session.get(ActivityType, activity.type_id)
    key = kind.key if kind else ""
    reason = "replied" if activity.outcome in REPLY_OUTCOMES else None
    if key in MEETING_TYPES and activity.outcome == "held" and activity.enrollment_id is None:
        reason = "meeting_booked"
    if reason:
        for other in _enrollments_of(uow, activity):
            _pause(uow, other, reason, keep=activity.id)
    _advance(uow, activity)


def on_activity_cancelled(uow: UnitOfWork, activity: Activity) -> None:
    """Trigger: a rep cancelled a step by hand, which skips it (the cadence goes on)."""
    _advance(uow, activity)


def _advance(uow: UnitOfWork, activity: Activity) -> None:
    """Move the enrolment past the step ``activity`` was, and plan the next one if active."""
    if activity.enrollment_id is None:
        return
    enrollment = uow.enrollments.get_any(activity.enrollment_id)
    parts = (activity.external_id or "").split(":")
    if enrollment is None or parts[:2] != ["cadence", str(enrollment.id)] or len(parts) != 4:
        return
    if int(parts[2]) != enrollment.current_step:
        return  # an old step completed late; the enrolment has moved on
    enrollment.current_step += 1
    if enrollment.current_step > len(_steps(uow, enrollment.cadence_id)):
        enrollment.status = Status.FINISHED
        enrollment.finished_at = uow.clock.now()
    elif enrollment.status == Status.ACTIVE:
        _plan_step(uow, enrollment, activity.completed_at or uow.clock.now())


def on_activity_planned(uow: UnitOfWork, activity: Activity) -> None:
    """Trigger: a meeting or demo booked with an enrolled prospect pauses the cadence."""
    kind = uow.session.get(ActivityType, activity.type_id)
    if kind is not None and kind.key in MEETING_TYPES and activity.enrollment_id is None:
        for enrollment in _enrollments_of(uow, activity):
            _pause(uow, enrollment, "meeting_booked")


def pause_enrollment(
    uow: UnitOfWork, actor: Actor, enrollment_id: int, reason: str = "manual"
) -> Enrollment:
    with uow(actor, "cadence.paused"):
        enrollment = uow.enrollments.get_visible(enrollment_id)
        check_change(uow, actor, enrollment.owner_id, "pause this enrolment")
        if enrollment.status != Status.ACTIVE:
            raise ValidationFailed(
                "status", f"only an active enrolment can be paused; it is {enrollment.status}"
            )
        _pause(uow, enrollment, checks.require_text("reason", reason, max_len=32))
        uow.commit()
    return enrollment


def resume_enrollment(uow: UnitOfWork, actor: Actor, enrollment_id: int) -> Enrollment:
    """Continue a paused enrolment: its open step is planned again from now."""
    with uow(actor, "cadence.resumed"):
        enrollment = uow.enrollments.get_visible(enrollment_id)
        check_change(uow, actor, enrollment.owner_id, "resume this enrolment")
        if enrollment.status != Status.PAUSED:
            raise ValidationFailed(
                "status", f"only a paused enrolment can resume; it is {enrollment.status}"
            )
        enrollment.status = Status.ACTIVE
        enrollment.paused_at = None
        enrollment.pause_reason = None
        enrollment.resumes += 1
        if enrollment.current_step > len(_steps(uow, enrollment.cadence_id)):
            enrollment.status = Status.FINISHED
            enrollment.finished_at = uow.clock.now()
        else:
            _plan_step(uow, enrollment, uow.clock.now())
        uow.commit()
    return enrollment
