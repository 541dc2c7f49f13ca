"""The audit trail for admins, filtered by record (entity, entity_id) or by user (actor_id)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from salestrack.api.context import Reader, get_uow
from salestrack.api.problems import PROBLEM_RESPONSES
from salestrack.api.schemas.auth import AuditEventOut, AuditPage, AuditQuery
from salestrack.services import audit
from salestrack.services.reads import PageRequest
from salestrack.store.uow import UnitOfWork

router = APIRouter(prefix="/audit", tags=["audit"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=AuditPage, summary="Audit events (admins only)")
def list_events(
    query: Annotated[AuditQuery, Query()],
    principal: Reader,
    uow: Annotated[UnitOfWork, Depends(get_uow)],
) -> AuditPage:
    request = PageRequest(
        filters=query.model_dump(exclude_none=True, include=set(audit.AUDIT_FILTERS)),
        sort=query.sort,
        limit=query.limit,
        cursor=query.cursor,
    )
    found = audit.list_events(uow, principal.actor, request)
    return AuditPage(
        items=[AuditEventOut.model_validate(e) for e in found.items], next_cursor=found.next_cursor
    )
