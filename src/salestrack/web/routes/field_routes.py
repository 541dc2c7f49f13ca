"""A rep's field route for a day on the map, and the form that plans it.

The page reads the day through :func:`salestrack.automation.field_routes.planned_day` (whose
scope decides whose day a user may open: a rep their own, a manager their team's, an admin
anyone's) and plans it through ``plan_field_day`` (permission checked and audited there). The
map markers are drawn from the stop list beside the map, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from salestrack.automation import field_routes
from salestrack.automation.routes import Point
from salestrack.errors import ValidationFailed
from salestrack.store.models import Account, User
from salestrack.store.scope import managed_users
from salestrack.web.deps import Page, check_csrf, page
from salestrack.web.i18n import N_, Formatter
from salestrack.web.labels import label
from salestrack.web.render import query
from salestrack.web.routes.maps import optional_float

router = APIRouter()
PageDep = Annotated[Page, Depends(page)]
DEFAULT_HOURS = ("08:00", "18:00")


@dataclass(frozen=True)
class StopView:
    """One numbered stop as the list and its marker's popup show it, in the viewer's zone."""

    number: int
    account_id: int
    name: str
    lat: float
    lon: float
    arrival: str
    window: str
    on_site: str
    status: str


@dataclass(frozen=True)
class RouteView:
    """What the page shows of a planned day; ``start`` is None when nothing was planned."""

    stops: list[StopView]
    start: Point | None
    end: Point | None
    hours: str | None
    driving: str | None
    dropped: list[str]


def _minutes(fmt: Formatter, seconds: int | None) -> str:
    return fmt._("%(minutes)s min", minutes=fmt.num((seconds or 0) / 60))


def _span(fmt: Formatter, opens: Any, closes: Any) -> str:
    return f"{fmt.time(opens)}–{fmt.time(closes)}"


def route_view(day: field_routes.PlannedDay, fmt: Formatter) -> RouteView:
    """Shape a planned day for one viewer: every time in their zone and locale."""
    stops = [
        StopView(
            number=s.number,
            account_id=s.account.id,
            name=s.account.name,
            lat=s.point[0],
            lon=s.point[1],
            arrival=fmt.time(s.visit.due_at),
            window=", ".join(_span(fmt, opens, closes) for opens, closes in s.windows),
            on_site=_minutes(fmt, s.visit.duration_s),
            status=label(fmt, s.visit.status),
        )
        for s in day.stops
    ]
    route = day.route
    if route is None:
        return RouteView(stops, None, None, None, None, [])
    opens, closes = field_routes.day_hours(
        day.day, route.start_time, route.end_time, day.rep.time_zone
    )
    return RouteView(
        stops=stops,
        start=(route.start_latitude, route.start_longitude),
        end=(route.end_latitude, route.end_longitude),
        hours=_span(fmt, opens, closes),
        driving=_minutes(fmt, route.travel_s),
        dropped=[a.name for a in day.dropped],
    )


def _day(p: Page, text: str) -> date:
    """The chosen day, or today in the viewer's zone."""
    if not text:
        return p.fmt.local(p.state.clock.now()).date()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationFailed("day", p.fmt._(N_("is not a date like 2026-03-03"))) from exc


def _visit_minutes(day: field_routes.PlannedDay) -> int:
    """The time on site the day was planned with, so re-planning keeps it unless changed."""
    planned = [s.visit.duration_s for s in day.stops if s.visit.duration_s]
    return planned[0] // 60 if planned else field_routes.DEFAULT_VISIT_MINUTES


def _route_page(
    p: Page,
    rep_id: int,
    day: date,
    *,
    form: dict[str, Any] | None = None,
    error: ValidationFailed | None = None,
) -> HTMLResponse:
    planned = field_routes.planned_day(p.uow(), p.actor, rep_id, day)
    uow = p.uow()
    with uow(p.actor):
        reps = uow.users.list(managed_users(p.actor), User.is_active.is_(True), limit=500)
        accounts = uow.accounts.list(
            Account.owner_id == rep_id, Account.latitude.is_not(None), limit=500
        )
    route = planned.route
    home = planned.home
    defaults = {
        "start_latitude": home[0] if home else "",
        "start_longitude": home[1] if home else "",
        "start_time": route.start_time if route else DEFAULT_HOURS[0],
        "end_time": route.end_time if route else DEFAULT_HOURS[1],
        "visit_minutes": _visit_minutes(planned),
        "account_ids": {s.account.id for s in planned.stops} | {a.id for a in planned.dropped},
    }
    return p.render(
        "route.html",
        status_code=400 if error else 200,
        planned=planned,
        view=route_view(planned, p.fmt),
        reps=sorted(reps, key=lambda u: u.name),
        accounts=sorted(accounts, key=lambda a: a.name),
        form={**defaults, **(form or {})},
        error=error,
        tile_url=p.state.web.map_tile_url,
        attribution=p.state.web.map_attribution,
        back_url="/map",
        back_label=p.fmt._(N_("Map")),
    )


@router.get("/map/route")
def route_page(p: PageDep, rep: int | None = None, day: str = "") -> HTMLResponse:
    return _route_page(p, rep or p.user.id, _day(p, day))


@router.post("/map/route", dependencies=[Depends(check_csrf)])
def plan_route(
    p: PageDep,
    rep: Annotated[int, Form()],
    day: Annotated[str, Form()],
    account_ids: Annotated[list[int] | None, Form()] = None,
    start_latitude: Annotated[str, Form()] = "",
    start_longitude: Annotated[str, Form()] = "",
    start_time: Annotated[str, Form()] = DEFAULT_HOURS[0],
    end_time: Annotated[str, Form()] = DEFAULT_HOURS[1],
    visit_minutes: Annotated[str, Form()] = "",
) -> Response:
    """Plan (or re-plan) the day through the automation service, then show it."""
    when = _day(p, day)
    sent = {
        "start_latitude": start_latitude,
        "start_longitude": start_longitude,
        "start_time": start_time,
        "end_time": end_time,
        "visit_minutes": visit_minutes,
        "account_ids": set(account_ids or ()),
    }
    try:
        lat, lon = optional_float(start_latitude), optional_float(start_longitude)
        if lat is None or lon is None:
            reason = N_("set where the day starts: use your position or click the map")
            raise ValidationFailed("start", p.fmt._(reason))
        if not visit_minutes.strip().isdigit():
            raise ValidationFailed("visit_minutes", p.fmt._(N_("is not a number of minutes")))
        field_routes.plan_field_day(
            p.uow(),
            p.actor,
            rep_id=rep,
            day=when,
            account_ids=account_ids or [],
            start=(lat, lon),
            start_time=start_time,
            end_time=end_time,
            visit_minutes=int(visit_minutes),
        )
    except ValidationFailed as exc:
        return _route_page(p, rep, when, form=sent, error=exc)
    return RedirectResponse(query("/map/route", rep=rep, day=when.isoformat()), status_code=303)
