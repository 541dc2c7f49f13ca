"""Imports as the API shows them: the recorded import and its rejected rows."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from salestrack.api.schemas.common import In, PagingQuery

Status = Literal["pending", "running", "done", "failed"]


class ImportOut(BaseModel):
    """One import: what was uploaded, how it runs, and what it did."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int | None = Field(description="Who ran it.")
    status: Status = Field(description="pending, running, then done or failed.")
    preset: str | None
    mapping: str | None = Field(description="The name of the uploaded mapping file, if any.")
    files: list[str]
    dry_run: bool
    all_or_nothing: bool
    read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    reasons: dict[str, int] = Field(description='Rejects per "field: reason", most frequent first.')
    notes: list[str]
    committed: bool = Field(
        description="Rows were written: false for a dry run or a refused all-or-nothing run."
    )
    error: str | None = Field(description="Why a failed import stopped.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ImportPage(BaseModel):
    items: list[ImportOut]
    next_cursor: str | None


class ImportQuery(PagingQuery):
    sort: str = Field("-id", description="id or created_at, `-` in front for descending.")
    status: Status | None = None


class RejectOut(BaseModel):
    """A rejected row: where it was, which field, why, and the row as it was read."""

    model_config = ConfigDict(from_attributes=True)

    line: int
    field: str
    reason: str
    row: dict[str, str]


class RejectPage(BaseModel):
    items: list[RejectOut]
    next_cursor: str | None


class RejectQuery(In):
    format: Literal["json", "csv"] = Field(
        "json", description="csv: every reject as the CLI's rejects file (no paging)."
    )
    limit: int = Field(100, ge=1, le=500)
    cursor: str | None = Field(None, max_length=1000)
