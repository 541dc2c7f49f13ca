"""The automation resources: rules, cadences, enrolments, experiments and customer events.

Declared like the records in ``resources.py`` (which lists them with the others), so they get
the same paging, ETags, idempotency and problem responses. Who may do what is the automation
services' business, as for every other resource. A cadence answers with its steps and a
customer event with the tasks it planned, each read for a whole page at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from salestrack.api.resource import COMMON_SORT, NAMED_SORT, Action, Resource
from salestrack.api.schemas.activities import ActivityOut
from salestrack.api.schemas.automation import (
    CadenceCreate,
    CadenceOut,
    CustomerEventCreate,
    CustomerEventOut,
    EnrollmentCreate,
    EnrollmentOut,
    ExperimentCreate,
    ExperimentOut,
    NoBody,
    Pause,
    RuleCreate,
    RuleOut,
    RuleUpdate,
    StepOut,
)
from salestrack.api.schemas.common import IdField, ListQuery
from salestrack.automation import cadences, events, experiments, rules
from salestrack.domain.actor import Actor
from salestrack.store import models as m
from salestrack.store.uow import UnitOfWork

M = TypeVar("M", bound=BaseModel)


class RuleQuery(ListQuery):
    name: str | None = None
    kind: str | None = None
    team_id: IdField | None = None
    is_active: bool | None = None


class CadenceQuery(ListQuery):
    name: str | None = None
    owner_id: IdField | None = None
    is_active: bool | None = None


class EnrollmentQuery(ListQuery):
    cadence_id: IdField | None = None
    experiment_id: IdField | None = None
    variant: str | None = None
    status: str | None = None
    owner_id: IdField | None = None
    lead_id: IdField | None = None
    contact_id: IdField | None = None
    deal_id: IdField | None = None


class ExperimentQuery(ListQuery):
    name: str | None = None
    cadence_id: IdField | None = None
    status: str | None = None
    metric: str | None = None


class CustomerEventQuery(ListQuery):
    account_id: IdField | None = None
    kind: str | None = None
    source: str | None = None
    external_id: str | None = None


def _with(out: type[M], row: Any, **extra: Any) -> M:
    """``out`` from the row's columns plus the values the row does not hold."""
    values = {name: getattr(row, name) for name in out.model_fields if name not in extra}
    return out.model_validate({**values, **extra})


def present_cadences(uow: UnitOfWork, actor: Actor, rows: Sequence[Any]) -> list[CadenceOut]:
    steps = cadences.steps_of(uow, actor, [row.id for row in rows])
    return [
        _with(
            CadenceOut,
            row,
            steps=[
                StepOut(
                    position=step.position,
                    day=step.day_offset,
                    type=key,
                    type_id=step.type_id,
                    purpose=step.purpose,
                    template=step.template,
                    at_local=step.at_local,
                )
                for step, key in steps[row.id]
            ],
        )
        for row in rows
    ]


def post_event(uow: UnitOfWork, actor: Actor, **fields: Any) -> m.CustomerEvent:
    """Post an event; the tasks it planned are read back with it by :func:`present_events`."""
    event, _ = events.post_customer_event(uow, actor, **fields)
    return event


def present_events(uow: UnitOfWork, actor: Actor, rows: Sequence[Any]) -> list[CustomerEventOut]:
    tasks = events.planned_tasks(uow, actor, [row.id for row in rows])
    return [
        _with(CustomerEventOut, row, tasks=[ActivityOut.model_validate(t) for t in tasks[row.id]])
        for row in rows
    ]


AUTOMATION_RESOURCES: tuple[Resource, ...] = (
    Resource(
        "automation-rules",
        "automation_rules",
        m.AutomationRule,
        RuleOut,
        RuleQuery,
        create=RuleCreate,
        create_fn=rules.create_rule,
        update=RuleUpdate,
        update_fn=rules.update_rule,
        sortable=NAMED_SORT,
    ),
    Resource(
        "cadences",
        "cadences",
        m.Cadence,
        CadenceOut,
        CadenceQuery,
        create=CadenceCreate,
        create_fn=cadences.create_cadence,
        sortable=NAMED_SORT,
        present=present_cadences,
    ),
    Resource(
        "enrollments",
        "enrollments",
        m.Enrollment,
        EnrollmentOut,
        EnrollmentQuery,
        create=EnrollmentCreate,
        create_fn=cadences.enrol,
        sortable=(*COMMON_SORT, "enrolled_at"),
        actions=(
            Action("pause", Pause, cadences.pause_enrollment, "Pause; its open step is cancelled"),
            Action(
                "resume", NoBody, cadences.resume_enrollment, "Resume; the open step is replanned"
            ),
        ),
    ),
    Resource(
        "experiments",
        "experiments",
        m.Experiment,
        ExperimentOut,
        ExperimentQuery,
        create=ExperimentCreate,
        create_fn=experiments.create_experiment,
        sortable=NAMED_SORT,
        actions=(Action("stop", NoBody, experiments.stop_experiment, "Stop assigning variants"),),
    ),
    Resource(
        "customer-events",
        "customer_events",
        m.CustomerEvent,
        CustomerEventOut,
        CustomerEventQuery,
        create=CustomerEventCreate,
        create_fn=post_event,
        sortable=(*COMMON_SORT, "occurred_at"),
        present=present_events,
    ),
)
