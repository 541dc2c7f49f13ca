"""Cadences: steps in the prospect's working hours, one at a time, paused by a reply or meeting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salestrack.automation import cadences
from salestrack.automation.runner import run_rules
from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import FixedClock
from salestrack.errors import Conflict, NotFound, ValidationFailed
from salestrack.services import activities as act
from salestrack.services.leads import create_lead
from salestrack.store.models import Enrollment
from salestrack.store.uow import UnitOfWork
from tests.automation_factories import rule_made
from tests.factories import make_rep

STEPS = [
    {
        "day": 0,
        "type": "email",
        "purpose": "prospecting",
        "at_local": "09:00",
        "template": "Hi {contact}, ...",
    },
    {"day": 2, "type": "call", "purpose": "prospecting", "at_local": "16:30"},
    {"day": 5, "type": "email", "purpose": "follow_up"},
]


def _enrolment(uow: UnitOfWork, enrollment_id: int) -> Enrollment:
    with uow(SYSTEM):
        found = uow.enrollments.get_any(enrollment_id)
    assert found is not None
    return found


def _open_steps(uow: UnitOfWork, enrollment_id: int) -> list[tuple[str, str, datetime | None]]:
    return [
        (kind, a.status, a.due_at)
        for kind, a in rule_made(uow, enrollment_id=enrollment_id)
        if a.status == "planned"
    ]


def test_steps_progress_pause_on_reply_and_resume(uow: UnitOfWork, clock: FixedClock) -> None:
    _, rep = make_rep(uow)
    cadences.create_cadence(uow, SYSTEM, name="Outbound", steps=STEPS)
    lead = create_lead(uow, rep, name="Pat Doe", company="Initech", time_zone="America/New_York")
    enrollment = cadences.enrol(uow, rep, "Outbound", lead_id=lead.id)
    # Monday 04:00 in New York: step 1 today at 09:00 EST = 14:00 UTC.
    [(kind, _, due)] = _open_steps(uow, enrollment.id)
    assert (kind, due) == ("email", datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    [(_, first)] = rule_made(uow, enrollment_id=enrollment.id)
    assert first.notes == "Hi Pat Doe, ..."

    clock.advance(timedelta(hours=6))
    act.complete_activity(uow, rep, first.id, outcome="sent")
    # Two working days later (Wednesday) at 16:30 EST = 21:30 UTC.
    [(kind, _, due)] = _open_steps(uow, enrollment.id)
    assert (kind, due) == ("call", datetime(2026, 3, 4, 21, 30, tzinfo=UTC))
    assert _enrolment(uow, enrollment.id).current_step == 2

    second = rule_made(uow, enrollment_id=enrollment.id)[-1][1]
    clock.advance(timedelta(days=2, hours=13))
    act.complete_activity(uow, rep, second.id, outcome="no_answer")
    # Three more working days: Monday 9 March, 10:00 EDT (clocks moved on the 8th) = 14:00 UTC.
    [(kind, _, due)] = _open_steps(uow, enrollment.id)
    assert (kind, due) == ("email", datetime(2026, 3, 9, 14, 0, tzinfo=UTC))

    # The prospect replies: the enrolment pauses and its open step is cancelled.
    act.log_activity(
        uow, rep, type="email", direction="inbound", outcome="replied", lead_id=lead.id
    )
    paused = _enrolment(uow, enrollment.id)
    assert (paused.status, paused.pause_reason) == ("paused", "replied")
    assert _open_steps(uow, enrollment.id) == []

    clock.advance(timedelta(days=1))
    cadences.resume_enrollment(uow, rep, enrollment.id)
    [(kind, _, due)] = _open_steps(uow, enrollment.id)
    assert kind == "email" and due is not None and due > clock.now()
    third = rule_made(uow, enrollment_id=enrollment.id)[-1][1]
    assert third.external_id == f"cadence:{enrollment.id}:3:1"
    act.complete_activity(uow, rep, third.id, outcome="sent")
    done = _enrolment(uow, enrollment.id)
    assert (done.status, done.current_step) == ("finished", 4)
    assert run_rules(uow).total_planned == 0
    assert len(rule_made(uow, enrollment_id=enrollment.id)) == 4  # 3 steps + 1 re-planned


def test_a_booked_meeting_pauses_and_enrolling_twice_is_refused(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    cadences.create_cadence(uow, SYSTEM, name="Outbound", steps=STEPS)
    lead = create_lead(uow, rep, name="Sam")
    enrollment = cadences.enrol(uow, rep, "Outbound", lead_id=lead.id)
    with pytest.raises(Conflict):
        cadences.enrol(uow, rep, "Outbound", lead_id=lead.id)
    act.plan_activity(
        uow, rep, type="meeting", due_at=uow.clock.now() + timedelta(days=3), lead_id=lead.id
    )
    assert _enrolment(uow, enrollment.id).pause_reason == "meeting_booked"
    assert _open_steps(uow, enrollment.id) == []
    with pytest.raises(ValidationFailed):
        cadences.pause_enrollment(uow, rep, enrollment.id)


def test_cadence_definitions_are_checked(uow: UnitOfWork) -> None:
    bad = [
        [],
        [{"day": 3, "type": "email"}, {"day": 1, "type": "call"}],
        [{"day": 0, "type": "fax"}],
        [{"day": 0, "type": "email", "template": "Hi {first_name}"}],
        [{"day": 0, "type": "email", "at_local": "9am"}],
    ]
    for steps in bad:
        with pytest.raises(ValidationFailed):
            cadences.create_cadence(uow, SYSTEM, name="Bad", steps=steps)


def test_cancelling_a_step_skips_it_and_others_cannot_touch_the_enrolment(
    uow: UnitOfWork,
) -> None:
    _, rep = make_rep(uow)
    _, stranger = make_rep(uow)
    cadences.create_cadence(uow, SYSTEM, name="Outbound", steps=STEPS)
    lead = create_lead(uow, rep, name="Kim")
    enrollment = cadences.enrol(uow, rep, "Outbound", lead_id=lead.id)
    [(_, first)] = rule_made(uow, enrollment_id=enrollment.id)
    act.cancel_activity(uow, rep, first.id, reason="no e-mail address")
    [(kind, _, _)] = _open_steps(uow, enrollment.id)
    assert kind == "call"
    assert _enrolment(uow, enrollment.id).current_step == 2
    with pytest.raises(NotFound):
        cadences.pause_enrollment(uow, stranger, enrollment.id)
