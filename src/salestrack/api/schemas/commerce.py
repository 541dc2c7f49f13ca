"""Orders and satisfaction responses: records of what customers bought and how they felt."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, Field

from salestrack.api.schemas.common import IdField, In, Out


class OrderCreate(In):
    account_id: IdField
    amount: Decimal
    ordered_at: AwareDatetime
    deal_id: IdField | None = None
    currency: str | None = None
    source: str | None = None
    external_id: str | None = None


class OrderOut(Out):
    account_id: int
    deal_id: int | None
    amount: Decimal
    currency: str
    ordered_at: datetime
    source: str
    external_id: str | None


class SatisfactionCreate(In):
    kind: str = Field(description="csat (1-5) or nps (0-10)")
    score: int = Field(ge=0, le=10)
    responded_at: AwareDatetime
    account_id: IdField | None = None
    contact_id: IdField | None = None
    rep_id: IdField | None = None
    activity_id: IdField | None = None
    comment: str | None = None
    source: str | None = None
    external_id: str | None = None


class SatisfactionOut(Out):
    kind: str
    score: int
    responded_at: datetime
    account_id: int | None
    contact_id: int | None
    rep_id: int | None
    activity_id: int | None
    comment: str | None
    source: str
    external_id: str | None
