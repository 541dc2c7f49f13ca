"""Activity types are data: admins add types with their outcome vocabulary and category."""

from __future__ import annotations

import re

from salestrack.domain import rules
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import Category
from salestrack.errors import Conflict, ValidationFailed
from salestrack.services.permissions import require_admin
from salestrack.store.models import ActivityType
from salestrack.store.uow import UnitOfWork

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def create_activity_type(
    uow: UnitOfWork,
    actor: Actor,
    *,
    key: str,
    label: str,
    category: str,
    outcomes: list[str],
    has_result: bool = False,
) -> ActivityType:
    """Add a type such as ``linkedin_inmail`` with the outcomes a rep may log for it."""
    require_admin(actor, "add an activity type")
    if not _KEY.match(key):
        raise ValidationFailed("key", "must be lower-case letters, digits or _ (max 32)")
    clean = [o.strip() for o in outcomes if o.strip()]
    if not clean:
        raise ValidationFailed("outcomes", "needs at least one outcome")
    if len(set(clean)) != len(clean):
        raise ValidationFailed("outcomes", "lists an outcome twice")
    with uow(actor, "activity_type.created"):
        if uow.activity_types.find_one(key=key):
            raise Conflict(f"activity type {key!r} already exists")
        kind = uow.activity_types.add(
            ActivityType(
                key=key,
                label=rules.require_text("label", label, max_len=64),
                category=rules.choice("category", category, [c.value for c in Category]),
                outcomes=clean,
                has_result=has_result,
                is_active=True,
            )
        )
        uow.commit()
    return kind
