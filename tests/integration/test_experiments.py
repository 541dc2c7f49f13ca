"""A timing experiment: variants change step times, assignment is stable, results add up."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from salestrack.automation import cadences
from salestrack.automation.experiments import create_experiment, experiment_results
from salestrack.cli.app import build_app
from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import FixedClock
from salestrack.errors import ValidationFailed
from salestrack.services import activities as act
from salestrack.services.leads import create_lead
from salestrack.store.uow import UnitOfWork
from tests.automation_factories import rule_made
from tests.factories import make_rep

VARIANTS = {"10am": {"1": {"at_local": "10:00"}}, "4pm": {"1": {"at_local": "16:00"}}}


def _setup(uow: UnitOfWork) -> None:
    cadences.create_cadence(uow, SYSTEM, name="Calls", steps=[{"day": 0, "type": "call"}])
    create_experiment(
        uow, SYSTEM, name="first-call-time", cadence="Calls", variants=VARIANTS, metric="connected"
    )


def test_variants_set_the_local_time_and_results_count_conversions(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    _setup(uow)
    _, rep = make_rep(uow)
    enrolments = []
    for i in range(12):
        lead = create_lead(uow, rep, name=f"Lead {i}", time_zone="Europe/Berlin")
        enrolments.append(cadences.enrol(uow, rep, "Calls", lead_id=lead.id))
    assert Counter(e.variant for e in enrolments) == {"10am": 6, "4pm": 6}
    for enrolment in enrolments:
        [(_, call)] = rule_made(uow, enrollment_id=enrolment.id)
        # Enrolled Monday 10:00 in Berlin (CET, UTC+1): 16:00 is still ahead today, 10:00
        # is not, so the 10am variant calls on Tuesday.
        expected = {
            "10am": datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
            "4pm": datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
        }
        assert call.due_at == expected[enrolment.variant or ""]
        clock.advance(timedelta(minutes=1))
        connected = enrolment.variant == "4pm" or enrolment.id % 3 == 0
        act.complete_activity(uow, rep, call.id, outcome="connected" if connected else "no_answer")
    result = experiment_results(uow, SYSTEM, "first-call-time")
    counts = {v.name: (v.arm.n, v.arm.conversions) for v in result.variants}
    expected_10am = sum(1 for e in enrolments if e.variant == "10am" and e.id % 3 == 0)
    assert counts == {"10am": (6, expected_10am), "4pm": (6, 6)}
    comparison = result.comparisons["4pm"]
    assert comparison.difference == pytest.approx(1 - expected_10am / 6)
    assert comparison.decision.value == "continue"  # 12 units prove nothing yet

    url = uow.engine.url.render_as_string(hide_password=False)
    output = CliRunner().invoke(
        build_app(), ["experiments", "show", "first-call-time", "--db", url]
    )
    assert output.exit_code == 0, output.output
    assert "4pm" in output.output and "continue" in output.output


def test_a_unit_enrolled_again_keeps_its_variant(uow: UnitOfWork) -> None:
    _setup(uow)
    _, rep = make_rep(uow)
    lead = create_lead(uow, rep, name="Returning")
    first = cadences.enrol(uow, rep, "Calls", lead_id=lead.id)
    [(_, call)] = rule_made(uow, enrollment_id=first.id)
    act.complete_activity(uow, rep, call.id, outcome="no_answer")  # one step: finished
    for i in range(5):  # others move the stratum's counter on
        cadences.enrol(uow, rep, "Calls", lead_id=create_lead(uow, rep, name=f"x{i}").id)
    again = cadences.enrol(uow, rep, "Calls", lead_id=lead.id)
    assert again.variant == first.variant


def test_variants_are_checked(uow: UnitOfWork) -> None:
    cadences.create_cadence(uow, SYSTEM, name="Calls", steps=[{"day": 0, "type": "call"}])
    for variants in (
        {"only": {}},
        {"a": {}, "b": {"2": {"at_local": "10:00"}}},
        {"a": {}, "b": {"1": {"type": "email"}}},
    ):
        with pytest.raises(ValidationFailed):
            create_experiment(uow, SYSTEM, name="x", cadence="Calls", variants=variants)
