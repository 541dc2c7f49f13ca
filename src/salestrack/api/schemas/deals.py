"""Deals, and the body of a stage move (moves are actions, not field edits)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, Field

from salestrack.api.schemas.common import IdField, In, Out, partial


class DealCreate(In):
    name: str = Field(max_length=255)
    amount: Decimal
    stage: str | None = Field(None, description="Stage name; the first open stage by default.")
    pipeline: str | None = None
    account_id: IdField | None = None
    contact_id: IdField | None = None
    lead_id: IdField | None = None
    owner_id: IdField | None = None
    currency: str | None = None
    expected_close: AwareDatetime | None = None
    source: str | None = None
    external_id: str | None = None


DealUpdate = partial(DealCreate, "DealUpdate", drop=("stage", "pipeline", "lead_id"))


class StageMove(In):
    stage: str = Field(description="Name of the stage to move to.")
    lost_reason: str | None = None
    at: AwareDatetime | None = None


class DealOut(Out):
    name: str
    amount: Decimal
    currency: str
    account_id: int | None
    contact_id: int | None
    lead_id: int | None
    owner_id: int | None
    pipeline_id: int
    stage_id: int
    expected_close: datetime | None
    closed_at: datetime | None
    lost_reason: str | None
    is_repeat: bool
    source: str
    external_id: str | None
