"""Activities and the bodies of their actions: complete, cancel, reschedule."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field

from salestrack.api.schemas.common import IdField, In, Out, partial


class ActivityFields(In):
    """What can be set on an activity when creating or editing it."""

    purpose: str | None = None
    direction: str | None = Field(None, description="outbound or inbound")
    subject: str | None = None
    notes: str | None = None
    due_at: AwareDatetime | None = None
    started_at: AwareDatetime | None = None
    duration_s: int | None = Field(None, ge=0, le=172_800)
    next_step: str | None = None
    owner_id: IdField | None = None
    account_id: IdField | None = None
    contact_id: IdField | None = None
    deal_id: IdField | None = None
    lead_id: IdField | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = Field(None, ge=0, le=1e7)
    source: str | None = None
    external_id: str | None = None


class ActivityCreate(ActivityFields):
    """A done activity needs an outcome; a planned one a due date."""

    type: str = Field(description="Key of an activity type, e.g. call, email, meeting.")
    status: Literal["done", "planned"] = "done"
    outcome: str | None = None
    result: str | None = Field(None, description="positive, neutral or negative (meetings)")
    ended_at: AwareDatetime | None = None


ActivityUpdate = partial(ActivityFields, "ActivityUpdate")


class Completion(In):
    outcome: str
    result: str | None = None
    next_step: str | None = None
    started_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None


class Cancellation(In):
    reason: str | None = None


class Reschedule(In):
    due_at: AwareDatetime


class ActivityOut(Out):
    type_id: int
    status: str
    purpose: str | None
    direction: str
    subject: str | None
    notes: str | None
    due_at: datetime | None
    started_at: datetime | None
    duration_s: int | None
    completed_at: datetime | None
    logged_at: datetime | None
    outcome: str | None
    result: str | None
    next_step: str | None
    owner_id: int
    account_id: int | None
    contact_id: int | None
    deal_id: int | None
    lead_id: int | None
    latitude: float | None
    longitude: float | None
    accuracy_m: float | None
    source: str
    external_id: str | None
