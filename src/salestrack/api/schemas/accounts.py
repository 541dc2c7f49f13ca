"""Accounts (companies) and contacts (people at them)."""

from __future__ import annotations

from pydantic import Field

from salestrack.api.schemas.common import IdField, In, Out, partial


class AccountCreate(In):
    name: str = Field(max_length=255)
    status: str | None = Field(None, description="prospect, customer or former")
    tier: str | None = Field(None, description="A, B or C")
    industry: str | None = None
    segment: str | None = None
    employees: int | None = Field(None, ge=0, le=10**9)
    region: str | None = None
    address: str | None = None
    country: str | None = Field(None, description="ISO 3166 alpha-2")
    latitude: float | None = None
    longitude: float | None = None
    time_zone: str | None = None
    opening_hours: str | None = None
    owner_id: IdField | None = None
    source: str | None = None
    external_id: str | None = None


AccountUpdate = partial(AccountCreate, "AccountUpdate")


class AccountOut(Out):
    name: str
    status: str
    tier: str | None
    industry: str | None
    segment: str | None
    employees: int | None
    region: str | None
    address: str | None
    country: str | None
    latitude: float | None
    longitude: float | None
    time_zone: str
    opening_hours: str | None
    owner_id: int | None
    source: str
    external_id: str | None


class ContactCreate(In):
    name: str = Field(max_length=200)
    account_id: IdField | None = None
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    time_zone: str | None = None
    owner_id: IdField | None = None
    source: str | None = None
    external_id: str | None = None


ContactUpdate = partial(ContactCreate, "ContactUpdate")


class ContactOut(Out):
    name: str
    account_id: int | None
    email: str | None
    phone: str | None
    title: str | None
    time_zone: str | None
    owner_id: int | None
    source: str
    external_id: str | None
