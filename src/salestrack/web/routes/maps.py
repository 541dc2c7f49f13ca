"""Check-in from a phone (browser geolocation) and the map of accounts (Leaflet).

A rep's field route for a day is its own page, :mod:`salestrack.web.routes.field_routes`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from salestrack.domain.vocab import ActivityStatus
from salestrack.errors import ValidationFailed
from salestrack.services import visits
from salestrack.store.models import Account, Activity
from salestrack.store.scope import visible
from salestrack.web.deps import Page, check_csrf, page
from salestrack.web.i18n import N_
from salestrack.web.labels import label

router = APIRouter()
PageDep = Annotated[Page, Depends(page)]


def optional_float(value: str) -> float | None:
    """A number from a form field; None when it is empty or not a number."""
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _checkin_page(p: Page, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    uow = p.uow()
    with uow(p.actor):
        accounts = uow.accounts.list(Account.owner_id == p.user.id, limit=300)
        visit = uow.activity_types.find_one(key="visit")
    names = {a.id: a.name for a in accounts}
    return p.render(
        "checkin.html",
        status_code=status_code,
        accounts=accounts,
        names=names,
        visits=open_visits(p),
        error=error,
        outcomes=list(visit.outcomes) if visit else [],
    )


def open_visits(p: Page) -> list[Activity]:
    """The rep's visits checked in and not yet checked out."""
    uow = p.uow()
    with uow(p.actor):
        visit_type = uow.activity_types.find_one(key="visit")
        if visit_type is None:
            return []
        stmt = select(Activity).where(
            visible(p.actor, Activity),
            Activity.owner_id == p.user.id,
            Activity.type_id == visit_type.id,
            Activity.status == ActivityStatus.PLANNED.value,
            Activity.checked_in_at.is_not(None),
        )
        return list(uow.session.scalars(stmt.order_by(Activity.checked_in_at.desc()).limit(10)))


@router.get("/checkin")
def checkin_form(p: PageDep) -> HTMLResponse:
    return _checkin_page(p)


@router.post("/checkin", dependencies=[Depends(check_csrf)])
def check_in(
    p: PageDep,
    account_id: Annotated[int, Form()],
    latitude: Annotated[str, Form()] = "",
    longitude: Annotated[str, Form()] = "",
    accuracy_m: Annotated[str, Form()] = "",
) -> Response:
    lat, lon = optional_float(latitude), optional_float(longitude)
    accuracy = optional_float(accuracy_m)
    if lat is None or lon is None or accuracy is None:
        return _checkin_page(p, p.fmt._(N_("The phone gave no position; allow location.")), 400)
    try:
        visits.check_in(
            p.uow(),
            p.actor,
            account_id=account_id,
            latitude=lat,
            longitude=lon,
            accuracy_m=accuracy,
            radius_m=p.state.settings.checkin_radius_m,
        )
    except ValidationFailed as exc:
        return _checkin_page(p, str(exc), 400)
    return RedirectResponse("/checkin", status_code=303)


@router.post("/checkin/{activity_id}/out", dependencies=[Depends(check_csrf)])
def check_out(
    p: PageDep,
    activity_id: int,
    outcome: Annotated[str, Form()],
    next_step: Annotated[str, Form()],
) -> Response:
    try:
        visits.check_out(p.uow(), p.actor, activity_id, outcome=outcome, next_step=next_step)
    except ValidationFailed as exc:
        return _checkin_page(p, str(exc), 400)
    return RedirectResponse("/checkin", status_code=303)


@router.get("/map")
def account_map(p: PageDep) -> HTMLResponse:
    web = p.state.web
    return p.render("map.html", tile_url=web.map_tile_url, attribution=web.map_attribution)


@router.get("/map/accounts.json")
def account_points(p: PageDep) -> JSONResponse:
    """Visible accounts with coordinates, for the map's markers."""
    uow = p.uow()
    with uow(p.actor):
        rows = uow.accounts.list(Account.latitude.is_not(None), limit=5000)
    return JSONResponse(
        [
            {
                "id": a.id,
                "name": a.name,
                "lat": a.latitude,
                "lon": a.longitude,
                "status": label(p.fmt, a.status),
                "customer": a.status == "customer",
            }
            for a in rows
        ]
    )
