"""Write permissions, checked by every service before it changes a row.

Seeing a row is decided by the store's scope (hidden rows are NotFound); changing it is decided
here: reps change what they own, managers what their team owns, admins anything.
"""

from __future__ import annotations

from salestrack.domain.actor import Actor
from salestrack.errors import PermissionDenied
from salestrack.store.uow import UnitOfWork


def require_admin(actor: Actor, action: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(action, "only an admin may do this")


def require_manager(actor: Actor, action: str) -> None:
    if not (actor.is_admin or actor.is_manager):
        raise PermissionDenied(action, "only a manager or an admin may do this")


def check_assign(uow: UnitOfWork, actor: Actor, owner_id: int | None, action: str) -> None:
    """May ``actor`` give a record to ``owner_id``? Reps only to themselves, managers in-team."""
    if actor.is_admin or owner_id is None or owner_id == actor.id:
        return
    if actor.is_manager:
        owner = uow.users.get_any(owner_id)
        if owner is not None and owner.team_id == actor.team_id and actor.team_id is not None:
            return
        raise PermissionDenied(action, "a manager assigns records only within their team")
    raise PermissionDenied(action, "a rep may only own records themselves")


def check_change(uow: UnitOfWork, actor: Actor, owner_id: int | None, action: str) -> None:
    """May ``actor`` change a record owned by ``owner_id``?"""
    if actor.is_admin or owner_id == actor.id:
        return
    if actor.is_manager and owner_id is not None:
        owner = uow.users.get_any(owner_id)
        if owner is not None and actor.team_id is not None and owner.team_id == actor.team_id:
            return
    raise PermissionDenied(action, "the record belongs to someone else")
