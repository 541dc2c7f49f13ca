"""A visibility-aware repository: load, 404 and scope checks written once for every table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from salestrack.domain.actor import Actor
from salestrack.errors import NotFound
from salestrack.store.models import Base
from salestrack.store.scope import visible

T = TypeVar("T", bound=Base)


class Repository(Generic[T]):
    """Rows of one table as seen by one actor."""

    def __init__(self, session: Session, model: type[T], actor: Actor) -> None:
        self.session = session
        self.model = model
        self.actor = actor

    @property
    def entity(self) -> str:
        return str(self.model.__tablename__)

    def _scope(self) -> ColumnElement[bool]:
        return visible(self.actor, self.model)

    def get_visible(self, row_id: int, *, field: str | None = None) -> T:
        """The row if the actor may see it; otherwise NotFound (hidden rows look absent)."""
        pk: Any = self.model.id  # type: ignore[attr-defined]
        row = self.session.scalars(select(self.model).where(pk == row_id, self._scope())).first()
        if row is None:
            raise NotFound(field or self.entity, row_id)
        return row

    def get_any(self, row_id: int) -> T | None:
        """The row whatever the actor's scope; only for checks the actor's scope must not limit."""
        return self.session.get(self.model, row_id)

    def find_any(self, **by: Any) -> T | None:
        """A row matching ``by`` whatever the actor's scope; for integrity checks only."""
        return self.session.scalars(select(self.model).filter_by(**by).limit(1)).first()

    def find_one(self, *where: ColumnElement[bool], **by: Any) -> T | None:
        stmt = select(self.model).filter_by(**by).where(*where, self._scope())
        return self.session.scalars(stmt.limit(1)).first()

    def list(
        self, *where: ColumnElement[bool], limit: int = 100, after_id: int = 0, **by: Any
    ) -> Sequence[T]:
        """A page of visible rows ordered by id, starting after ``after_id``."""
        pk: Any = self.model.id  # type: ignore[attr-defined]
        stmt = (
            select(self.model)
            .filter_by(**by)
            .where(pk > after_id, self._scope(), *where)
            .order_by(pk)
            .limit(limit)
        )
        return self.session.scalars(stmt).all()

    def scoped(self, *where: ColumnElement[bool], **by: Any) -> Select[tuple[T]]:
        """A SELECT of the visible rows, for callers that add their own order and paging."""
        return select(self.model).filter_by(**by).where(self._scope(), *where)

    def count(self, *where: ColumnElement[bool], **by: Any) -> int:
        stmt = (
            select(func.count())
            .select_from(self.model)
            .filter_by(**by)
            .where(self._scope(), *where)
        )
        return int(self.session.scalar(stmt) or 0)

    def add(self, row: T) -> T:
        self.session.add(row)
        self.session.flush()
        return row

    def delete(self, row: T) -> None:
        self.session.delete(row)
        self.session.flush()
