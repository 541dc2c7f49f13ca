"""Signing in, the caller's identity, API tokens and the audit trail as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from salestrack.api.schemas.common import IdField, In, PagingQuery
from salestrack.api.schemas.people import UserOut


class Login(In):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1000)


class Me(BaseModel):
    user: UserOut
    via: Literal["session", "token"]
    scope: str
    csrf_token: str | None = Field(
        None, description="Send as X-CSRF-Token (or form field csrf_token) on writes."
    )


class TokenCreate(In):
    name: str = Field(max_length=120)
    scope: Literal["read", "write"]
    user_id: IdField | None = Field(None, description="Admins may issue tokens to others.")


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    name: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedTokenOut(BaseModel):
    token: TokenOut
    secret: str | None = Field(
        description="The token itself: shown in this response only, never stored or shown again."
    )


class TokenList(BaseModel):
    items: list[TokenOut]


class AuditQuery(PagingQuery):
    sort: str = Field("-id", description="id or at, `-` in front for descending.")
    entity: str | None = Field(None, description="Table name, e.g. deals or activities.")
    entity_id: IdField | None = None
    actor_id: IdField | None = None
    action: str | None = None


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    entity: str
    entity_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None
