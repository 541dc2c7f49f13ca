"""A rep's day (agenda, quick log, goal pace) and the activity list with its filters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import HTMLResponse

from salestrack.errors import ValidationFailed
from salestrack.services import activities as activity_service
from salestrack.store.models import Account, ActivityType, Deal, User
from salestrack.web import queries
from salestrack.web.deps import Page, check_csrf, page
from salestrack.web.i18n import N_

router = APIRouter()
PageDep = Annotated[Page, Depends(page)]


def _day_context(p: Page) -> dict[str, Any]:
    now = p.state.clock.now()
    local_midnight = datetime.combine(p.fmt.local(now).date(), time(0), tzinfo=p.fmt.tz)
    uow = p.uow()
    with uow(p.actor):
        day = queries.my_day(uow, p.user.id, local_midnight, now)
        kinds = queries.activity_types(uow)
        accounts = uow.accounts.list(Account.owner_id == p.user.id, limit=300)
        deals = uow.deals.list(Deal.owner_id == p.user.id, Deal.closed_at.is_(None), limit=300)
        shown = [*day.overdue, *day.planned, *day.done]
        account_names = queries.names(uow, Account, {a.account_id or 0 for a in shown})
    return {
        "day": day,
        "kinds": kinds,
        "accounts": accounts,
        "deals": deals,
        "account_names": account_names,
        "quick_types": queries.QUICK_TYPES,
        "outcomes": _outcomes(kinds, "call"),
    }


def _outcomes(kinds: Mapping[int, ActivityType], key: str) -> list[str]:
    return next((list(k.outcomes) for k in kinds.values() if k.key == key), [])


@router.get("/day")
def my_day(p: PageDep) -> HTMLResponse:
    return p.render("day.html", **_day_context(p))


@router.get("/day/outcomes")
def outcomes(p: PageDep, type: str = "call") -> HTMLResponse:
    """The outcome choices of an activity type (htmx swaps them in when the type changes)."""
    uow = p.uow()
    with uow(p.actor):
        kinds = queries.activity_types(uow)
    return p.render("partials/outcome_options.html", outcomes=_outcomes(kinds, type))


def _optional_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@router.post("/day/log", dependencies=[Depends(check_csrf)])
def quick_log(
    p: PageDep,
    type: Annotated[str, Form()],
    outcome: Annotated[str, Form()] = "",
    next_step: Annotated[str, Form()] = "",
    subject: Annotated[str, Form()] = "",
    account_id: Annotated[str, Form()] = "",
    deal_id: Annotated[str, Form()] = "",
    activity_id: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Log what just happened (or complete a planned item) with its outcome and next step."""
    error: ValidationFailed | None = None
    try:
        if not next_step.strip():
            raise ValidationFailed("next_step", p.fmt._(N_("say what happens next")))
        planned = _optional_int(activity_id)
        if planned is not None:
            activity_service.complete_activity(
                p.uow(), p.actor, planned, outcome=outcome or None, next_step=next_step
            )
        else:
            activity_service.log_activity(
                p.uow(),
                p.actor,
                type=type,
                outcome=outcome or None,
                next_step=next_step,
                subject=subject or None,
                account_id=_optional_int(account_id),
                deal_id=_optional_int(deal_id),
            )
    except ValidationFailed as exc:
        error = exc
    context = _day_context(p)
    # htmx swaps only 2xx answers; the re-rendered form carries the error either way.
    status = 400 if error and not p.is_htmx else 200
    return p.render(
        "partials/day_body.html", status_code=status, error=error, logged=not error, **context
    )


@router.get("/activities")
def activity_list(
    p: PageDep,
    type: str = "",
    status: str = "",
    outcome: str = "",
    owner: Annotated[int | None, Query()] = None,
    account: Annotated[int | None, Query()] = None,
    deal: Annotated[int | None, Query()] = None,
    start: Annotated[datetime | None, Query()] = None,
    end: Annotated[datetime | None, Query()] = None,
    good: bool = False,
) -> HTMLResponse:
    """Every visible activity, filtered; the team page's numbers link here with filters set."""
    filters = queries.ActivityFilters(
        type or None, status or None, outcome or None, owner, account, deal, start, end, good
    )
    uow = p.uow()
    with uow(p.actor):
        kinds = queries.activity_types(uow)
        rows = queries.activities(uow, *filters.where(queries.type_ids(uow)), limit=200)
        owners = queries.names(uow, User, {a.owner_id for a in rows} | {owner or 0})
        account_names = queries.names(uow, Account, {a.account_id or 0 for a in rows})
    template = "partials/activity_rows.html" if p.is_htmx else "activities.html"
    return p.render(
        template,
        rows=rows,
        kinds=kinds,
        owners=owners,
        account_names=account_names,
        filters=filters,
        types=sorted({k.key for k in kinds.values()}),
    )
