"""Reading the audit trail: admins only, filtered by record or by the user who acted."""

from __future__ import annotations

from typing import Any

from salestrack.domain.actor import Actor
from salestrack.services.permissions import require_admin
from salestrack.services.reads import Page, PageRequest, page
from salestrack.store.uow import UnitOfWork

AUDIT_FILTERS = ("entity", "entity_id", "actor_id", "action")


def list_events(uow: UnitOfWork, actor: Actor, request: PageRequest) -> Page[Any]:
    """A page of audit events, newest first unless sorted otherwise."""
    require_admin(actor, "read the audit trail")
    return page(uow, actor, "audit", request, sortable=("id", "at"))
