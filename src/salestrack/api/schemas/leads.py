"""Leads: prospects before qualification."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from salestrack.api.schemas.common import IdField, In, Out, partial


class LeadCreate(In):
    name: str = Field(max_length=200)
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    lead_source: str | None = None
    status: str | None = Field(None, description="new, working, qualified or disqualified")
    owner_id: IdField | None = None
    account_id: IdField | None = None
    time_zone: str | None = None
    source: str | None = None
    external_id: str | None = None


class LeadUpdate(partial(LeadCreate, "LeadUpdateBase")):  # type: ignore[misc]
    converted_deal_id: IdField | None = None


class LeadOut(Out):
    name: str
    company: str | None
    email: str | None
    phone: str | None
    lead_source: str | None
    status: str
    owner_id: int | None
    account_id: int | None
    time_zone: str | None
    qualified_at: datetime | None
    converted_deal_id: int | None
    source: str
    external_id: str | None
