"""The pipeline board: deals in stage columns, moved by drag and drop or by arrow keys.

Both gestures post the same form to ``/board/{deal}/move``; the move itself is
``services.deals.move_deal_stage`` (history row, close, order), and the board comes back whole.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse

from salestrack.errors import NotFound, PermissionDenied, ValidationFailed
from salestrack.services import deals as deal_service
from salestrack.store.models import Account, User
from salestrack.web import queries
from salestrack.web.deps import Page, check_csrf, page

router = APIRouter()
PageDep = Annotated[Page, Depends(page)]


def _board(p: Page, owner: int | None, **extra: Any) -> HTMLResponse:
    uow = p.uow()
    with uow(p.actor):
        stages, by_stage = queries.open_deals_by_stage(uow, owner)
        deals = [d for ds in by_stage.values() for d in ds]
        accounts = queries.names(uow, Account, {d.account_id or 0 for d in deals})
        owners = queries.names(uow, User, {d.owner_id or 0 for d in deals})
    template = "partials/board.html" if p.is_htmx else "board.html"
    return p.render(
        template,
        stages=stages,
        by_stage=by_stage,
        accounts=accounts,
        owners=owners,
        owner=owner,
        **extra,
    )


@router.get("/board")
def board(p: PageDep, owner: int | None = None) -> HTMLResponse:
    return _board(p, owner)


@router.post("/board/{deal_id}/move", dependencies=[Depends(check_csrf)])
def move(
    p: PageDep,
    deal_id: int,
    stage: Annotated[str, Form()],
    owner: Annotated[int | None, Form()] = None,
) -> HTMLResponse:
    try:
        deal = deal_service.move_deal_stage(p.uow(), p.actor, deal_id, stage)
    except (ValidationFailed, PermissionDenied, NotFound) as exc:
        return _board(p, owner, error=str(exc))
    return _board(p, owner, moved=deal.id, moved_to=stage)
