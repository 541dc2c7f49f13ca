"""Field validation shared by create and update: each entity declares its rules once.

A rule turns a raw value into a stored value or raises ValidationFailed naming the field, so
create and update cannot drift apart and every error says which field and why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from salestrack.errors import ValidationFailed
from salestrack.store.models import Base
from salestrack.store.repository import Repository

Rule = Callable[[Any], Any]
Rules = Mapping[str, Rule]
T = TypeVar("T", bound=Base)


def validate(rules: Rules, values: Mapping[str, Any]) -> dict[str, Any]:
    """Run each value through its field's rule; unknown fields are refused, not ignored."""
    clean: dict[str, Any] = {}
    for field, value in values.items():
        rule = rules.get(field)
        if rule is None:
            raise ValidationFailed(field, "is not a field that can be set here")
        clean[field] = None if value is None and field not in _REQUIRED else rule(value)
    return clean


# Fields whose rule must see None, so that "missing" is reported instead of stored.
_REQUIRED = frozenset({"name", "email", "amount", "target", "score", "ordered_at"})


def apply(row: Base, values: Mapping[str, Any]) -> dict[str, Any]:
    """Set validated values on a row; returns only those that differ (the real change)."""
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    for key, value in changed.items():
        setattr(row, key, value)
    return changed


def ensure_link(repo: Repository[T], row_id: int | None, field: str) -> T | None:
    """Resolve a foreign key the actor can see, or say which field points nowhere."""
    if row_id is None:
        return None
    if isinstance(row_id, bool) or not isinstance(row_id, int):
        raise ValidationFailed(field, f"{row_id!r} is not an id")
    row = repo.find_one(repo.model.id == row_id)  # type: ignore[attr-defined]
    if row is None:
        raise ValidationFailed(field, f"{repo.entity.rstrip('s')} {row_id} does not exist")
    return row
