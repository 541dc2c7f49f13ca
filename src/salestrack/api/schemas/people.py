"""Users and teams. Password hashes are never part of any response body."""

from __future__ import annotations

from pydantic import Field

from salestrack.api.schemas.common import IdField, In, Out, partial


class UserCreate(In):
    email: str = Field(max_length=254)
    name: str = Field(max_length=200)
    role: str = Field(description="rep, manager or admin")
    team_id: IdField | None = None
    password: str | None = Field(None, description="Write-only; at least 10 characters.")
    time_zone: str | None = None
    locale: str | None = None


class UserUpdate(In):
    email: str | None = None
    name: str | None = None
    role: str | None = None
    team_id: IdField | None = None
    time_zone: str | None = None
    locale: str | None = None
    is_active: bool | None = None


class UserOut(Out):
    email: str
    name: str
    role: str
    team_id: int | None
    time_zone: str
    locale: str
    is_active: bool


class TeamCreate(In):
    name: str = Field(max_length=120)
    manager_id: IdField | None = None
    time_zone: str | None = None
    holidays: list[str] | None = None


TeamUpdate = partial(TeamCreate, "TeamUpdate")


class TeamOut(Out):
    name: str
    manager_id: int | None
    time_zone: str
    holidays: list[str]
