"""Goals and activity types: what reps aim for and what kinds of work they log."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, Field

from salestrack.api.schemas.common import IdField, In, Out


class GoalCreate(In):
    metric: str
    period: str = Field(description="week, month or quarter")
    period_start: AwareDatetime
    target: Decimal
    user_id: IdField | None = None
    team_id: IdField | None = None


class GoalUpdate(In):
    metric: str | None = None
    period: str | None = None
    period_start: AwareDatetime | None = None
    target: Decimal | None = None


class GoalOut(Out):
    user_id: int | None
    team_id: int | None
    metric: str
    period: str
    period_start: datetime
    target: Decimal


class ActivityTypeCreate(In):
    key: str = Field(max_length=32)
    label: str
    category: str = Field(description="selling or admin")
    outcomes: list[str] = Field(max_length=50)
    has_result: bool = False


class ActivityTypeOut(Out):
    key: str
    label: str
    category: str
    outcomes: list[str]
    has_result: bool
    is_active: bool
