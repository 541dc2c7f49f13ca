"""Shapes shared by every resource: the stored-row fields, pages, bulk bodies, partial updates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Optional, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, create_model, field_validator
from pydantic.fields import FieldInfo

T = TypeVar("T")
MAX_BULK = 10_000
MAX_ID = 2**63 - 1

# Ids are 64-bit in both stores; a larger number is refused here rather than overflowing there.
IdField = Annotated[int, Field(ge=1, le=MAX_ID)]


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, list):
        for item in value:
            _no_nul(item)
    if isinstance(value, dict):  # e.g. an experiment's variants, keyed by name
        for key, item in value.items():
            _no_nul(key)
            _no_nul(item)
    return value


def _utc_in_range(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            value.astimezone(UTC)
        except OverflowError as exc:
            raise ValueError("is out of range once converted to UTC") from exc
    return value


class In(BaseModel):
    """Base of request bodies and queries: unknown fields are refused, never silently dropped.

    NUL characters and non-finite numbers are refused up front: PostgreSQL cannot store the
    first, and neither means anything in a sales record. So are times that leave the years
    1 to 9999 in UTC (0001-01-01T00:00+05:00), which the store keeps in UTC.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return _utc_in_range(_no_nul(value))


class Out(BaseModel):
    """Base of stored records as returned: id, timestamps and the change sequence (the ETag)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    updated_at: datetime
    change_seq: int


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class BulkIn(In, Generic[T]):
    items: list[T] = Field(min_length=1, max_length=MAX_BULK)


class BulkOut(BaseModel, Generic[T]):
    items: list[T]


class PagingQuery(In):
    """Paging and sorting every list accepts."""

    sort: str = Field("id", description="A sortable field, `-` in front for descending.")
    limit: int = Field(50, ge=1, le=500)
    cursor: str | None = Field(None, max_length=1000)


class ListQuery(PagingQuery):
    """The query of a record list; resources add their exact-match filters."""

    created_after: AwareDatetime | None = None
    created_before: AwareDatetime | None = None


LIST_FIELDS = frozenset(ListQuery.model_fields)


def partial(model: type[In], name: str, *, drop: tuple[str, ...] = ()) -> type[In]:
    """The update body of a resource: its create body with every field optional."""
    fields: dict[str, Any] = {
        key: (Optional[info.annotation], FieldInfo.merge_field_infos(info, default=None))  # noqa: UP045
        for key, info in model.model_fields.items()
        if key not in drop
    }
    return create_model(name, __base__=In, **fields)
