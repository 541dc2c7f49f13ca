"""Reading records as an actor sees them: one row, or a page of a filtered, sorted list.

Pages use keyset cursors (the last row's sort value and id), not offsets: a page stays correct
while rows are added, and deep pages cost the same as the first one.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, or_

from salestrack.domain.actor import Actor
from salestrack.errors import ValidationFailed
from salestrack.store.models import Base
from salestrack.store.repository import Repository
from salestrack.store.tracking import jsonable
from salestrack.store.uow import UnitOfWork

T = TypeVar("T", bound=Base)
MAX_LIMIT = 500


@dataclass(frozen=True)
class PageRequest:
    """What a caller asks of a list: exact-match filters, one sort key, a size and a cursor."""

    filters: Mapping[str, Any] = field(default_factory=dict)
    sort: str = "id"
    limit: int = 50
    cursor: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


def get(uow: UnitOfWork, actor: Actor, repo: str, row_id: int) -> Any:
    """One visible row of the repository named ``repo`` (e.g. "deals"), or NotFound."""
    with uow(actor):
        return getattr(uow, repo).get_visible(row_id)


def _encode(sort: str, value: Any, row_id: int) -> str:
    raw = json.dumps({"s": sort, "v": jsonable(value), "id": row_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, sort: str, kind: type) -> tuple[Any, int]:
    """The sort value and id in a cursor, checked to belong to a list sorted the same way."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if raw["s"] != sort or not isinstance(raw["id"], int):
            raise ValueError("sort differs")
        value = raw["v"]
        if kind is datetime:
            value = datetime.fromisoformat(value)
        elif kind is Decimal:
            value = Decimal(value)
        elif not isinstance(value, kind):
            raise ValueError("wrong value type")
        return value, raw["id"]
    except (ValueError, KeyError, TypeError, binascii.Error, ArithmeticError) as exc:
        raise ValidationFailed("cursor", "is not a cursor of this list and sort order") from exc


def page(
    uow: UnitOfWork,
    actor: Actor,
    repo_name: str,
    request: PageRequest,
    *,
    sortable: Sequence[str] = ("id",),
) -> Page[Any]:
    """A page of the rows the actor sees, sorted by one of ``sortable`` (``-`` for descending)."""
    descending = request.sort.startswith("-")
    key = request.sort.lstrip("-")
    if key not in sortable:
        raise ValidationFailed("sort", f"{request.sort!r} is not one of {', '.join(sortable)}")
    if not 1 <= request.limit <= MAX_LIMIT:
        raise ValidationFailed("limit", f"must be between 1 and {MAX_LIMIT}")
    with uow(actor):
        repo: Repository[Any] = getattr(uow, repo_name)
        model: Any = repo.model
        column, pk = getattr(model, key), model.id
        stmt = repo.scoped(**dict(request.filters))
        if request.created_after is not None:
            stmt = stmt.where(model.created_at >= request.created_after)
        if request.created_before is not None:
            stmt = stmt.where(model.created_at < request.created_before)
        if request.cursor:
            value, last_id = _decode(request.cursor, request.sort, column.type.python_type)
            if descending:
                after = or_(column < value, and_(column == value, pk < last_id))
            else:
                after = or_(column > value, and_(column == value, pk > last_id))
            stmt = stmt.where(after)
        order = [column.desc(), pk.desc()] if descending else [column.asc(), pk.asc()]
        if key == "id":
            order = order[1:]
        rows = list(uow.session.scalars(stmt.order_by(*order).limit(request.limit + 1)))
    more = len(rows) > request.limit
    rows = rows[: request.limit]
    cursor = _encode(request.sort, getattr(rows[-1], key), rows[-1].id) if more else None
    return Page(rows, cursor)
