"""Automation: rules, cadences and enrolments, timing experiments and customer events.

The bodies mirror the automation services' arguments; the services validate meaning (known
activity types, stages, placeholders), the shapes here only what JSON can get wrong.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from salestrack.api.schemas.activities import ActivityOut
from salestrack.api.schemas.common import IdField, In, Out, partial

LocalTime = Annotated[
    str, Field(pattern=r"^[0-9]{2}:[0-9]{2}$", description='Local clock time, "HH:MM".')
]

# ----------------------------------------------------------------------------- rules


class RuleCreate(In):
    """What a rule says: its condition (which fields apply depends on the kind) and the
    activity it plans."""

    name: str = Field(max_length=200)
    kind: str = Field(description="follow_up, stage, stalled, nurture or event")
    plan_type: str = Field(description="Key of the activity type to plan, e.g. call.")
    team_id: IdField | None = Field(
        None,
        description="The team whose members' work the rule acts on; a manager's rules are "
        "their team's, an admin's rule without a team acts for everyone.",
    )
    is_active: bool | None = None
    on_type: str | None = Field(None, description="follow_up: the completed activity's type")
    on_purpose: str | None = Field(None, description="follow_up: its purpose, if any")
    on_outcome: str | None = Field(None, description="follow_up: its outcome, if any")
    on_stage: str | None = Field(None, description="stage: the stage a deal enters")
    on_tier: str | None = Field(None, description="nurture: the customer tier, A, B or C")
    on_event: str | None = Field(None, description="event: only this kind of customer event")
    idle_days: int | None = Field(None, ge=0, le=3650, description="stalled and nurture")
    plan_purpose: str | None = None
    delay_days: int | None = Field(None, ge=0, le=365, description="Working days after the cause.")
    at_local: LocalTime | None = Field(None, description="In the customer's time zone.")
    subject: str | None = Field(
        None, description="Template with {account}, {contact}, {deal}, {lead}, {event}, {days}."
    )


RuleUpdate = partial(RuleCreate, "RuleUpdate")


class RuleOut(Out):
    name: str
    kind: str
    team_id: int | None
    is_active: bool
    on_type: str | None
    on_purpose: str | None
    on_outcome: str | None
    on_stage: str | None
    on_tier: str | None
    on_event: str | None
    idle_days: int | None
    plan_type: str
    plan_purpose: str | None
    delay_days: int
    at_local: str
    subject: str | None


# ----------------------------------------------------------------------------- cadences


class StepIn(In):
    day: int = Field(0, ge=0, le=3650, description="Working days from enrolment; never back.")
    type: str = Field(description="Key of the activity type to plan, e.g. email.")
    purpose: str | None = Field(None, description="prospecting by default")
    template: str | None = Field(None, max_length=10_000)
    at_local: LocalTime | None = Field(None, description="In the prospect's time zone.")


class CadenceCreate(In):
    name: str = Field(max_length=200)
    steps: list[StepIn] = Field(min_length=1, max_length=100)


class StepOut(BaseModel):
    position: int
    day: int
    type: str
    type_id: int
    purpose: str | None
    template: str | None
    at_local: str | None


class CadenceOut(Out):
    name: str
    owner_id: int | None
    is_active: bool
    steps: list[StepOut]


class EnrollmentCreate(In):
    """Enrol exactly one of a lead, a contact or a deal."""

    cadence: str = Field(description="Name of an active cadence.")
    lead_id: IdField | None = None
    contact_id: IdField | None = None
    deal_id: IdField | None = None
    owner_id: IdField | None = Field(None, description="The record's owner by default.")


class Pause(In):
    reason: str | None = Field(None, max_length=32, description="manual by default")


class NoBody(In):
    """An action that needs nothing but the record."""


class EnrollmentOut(Out):
    cadence_id: int
    experiment_id: int | None
    variant: str | None
    lead_id: int | None
    contact_id: int | None
    deal_id: int | None
    owner_id: int
    status: str = Field(description="active, paused or finished")
    current_step: int
    enrolled_at: datetime
    paused_at: datetime | None
    pause_reason: str | None
    resumes: int
    finished_at: datetime | None


# ----------------------------------------------------------------------------- experiments

StepNumber = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,2}$")]
VariantName = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class StepChange(In):
    at_local: LocalTime | None = None
    delay_days: int | None = Field(None, ge=0, le=365)


class ExperimentCreate(In):
    name: str = Field(max_length=200)
    cadence: str = Field(description="Name of the cadence whose steps the variants change.")
    variants: dict[VariantName, dict[StepNumber, StepChange]] = Field(
        min_length=2,
        max_length=20,
        description='The first is the control, e.g. {"10am": {}, "4pm": {"1": {"at_local": '
        '"16:00"}}}: step number to the time or delay it gets instead.',
    )
    metric: str = Field("replied", description="replied, meeting_booked or connected")
    unit: str = Field("lead", description="lead, contact or deal")
    alpha: float = Field(0.05, gt=0, lt=0.5)
    tau: float = Field(0.05, gt=0, le=1, description="Scale of the mSPRT mixture.")
    max_per_arm: int | None = Field(None, ge=1, le=10_000_000)
    per_block: int = Field(2, ge=1, le=1000)


class ExperimentOut(Out):
    name: str
    cadence_id: int | None
    unit: str
    metric: str
    variants: list[str]
    status: str
    started_at: datetime | None
    stopped_at: datetime | None
    params: dict[str, Any]


class Interval(BaseModel):
    low: float
    high: float


class VariantResultOut(BaseModel):
    name: str
    n: int
    conversions: int
    rate: float
    interval: Interval = Field(description="Wilson score interval at 1 - alpha.")


class ComparisonOut(BaseModel):
    variant: str
    control: str
    difference: float = Field(description="The variant's rate minus the control's.")
    interval: Interval = Field(description="Newcombe's hybrid score interval at 1 - alpha.")
    p_always_valid: float = Field(description="mSPRT p-value, valid however often one looks.")
    p_fixed_horizon: float = Field(description="Pooled z-test, for reference only.")
    decision: str


class ExperimentResultsOut(BaseModel):
    """What ``salestrack experiments show`` prints, as data."""

    experiment_id: int
    name: str
    metric: str
    status: str
    looks: int = Field(description="Daily looks since the start.")
    variants: list[VariantResultOut]
    comparisons: list[ComparisonOut]


# ----------------------------------------------------------------------------- events


class CustomerEventCreate(In):
    account_id: IdField
    kind: str = Field(
        description="funding_round, award, expansion, acquisition, new_executive or other"
    )
    title: str | None = Field(None, max_length=500)
    occurred_at: AwareDatetime | None = Field(None, description="Now by default.")
    source: str | None = Field(
        None,
        max_length=16,
        description='Where it came from ("manual" by default); "import" '
        "records history and plans nothing.",
    )
    external_id: str | None = Field(
        None, max_length=255, description="The source's id: posting it again is refused."
    )


class CustomerEventOut(Out):
    account_id: int
    kind: str
    title: str | None
    occurred_at: datetime
    source: str
    external_id: str | None
    tasks: list[ActivityOut] = Field(
        description="The tasks the event rules planned for it, as far as you may see them."
    )


class CalendarFeedOut(BaseModel):
    """Your private feed: subscribe to ``url`` in any calendar app."""

    active: bool
    created_at: datetime | None = None
    url: str | None = Field(
        None,
        description="Shown once, when created; anyone with it reads your planned activities. "
        "Creating a feed again replaces it and the old URL stops working.",
    )
