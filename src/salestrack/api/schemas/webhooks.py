"""Webhook subscriptions and their delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from salestrack.api.schemas.common import In, Out


class WebhookCreate(In):
    url: str = Field(max_length=2000)
    events: list[str] = Field(
        min_length=1, max_length=20, description="Event names, or activity.*, deal.*, *"
    )
    description: str | None = None


class WebhookUpdate(In):
    url: str | None = Field(None, max_length=2000)
    events: list[str] | None = Field(None, min_length=1, max_length=20)
    description: str | None = None
    is_active: bool | None = None


class WebhookOut(Out):
    url: str
    events: list[str]
    description: str | None
    is_active: bool
    failure_count: int
    disabled_at: datetime | None


class WebhookCreated(BaseModel):
    webhook: WebhookOut
    secret: str | None = Field(
        description="Signing secret: shown in this response only. Verify Salestrack-Signature."
    )


class WebhookList(BaseModel):
    items: list[WebhookOut]


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
