"""Plan a rep's field day: accounts -> an OR-Tools route -> planned visits in route order.

Each planned visit is an activity of type ``visit`` due at its expected arrival (or opening time
if the rep arrives early), with the time on site as its duration and the stop number in the
subject. Keys are ``route:<rep>:<date>:<account>``: planning the same day again moves the
visits already planned instead of adding new ones, and cancels those the new plan drops.
A :class:`~salestrack.store.models.FieldRoute` row keeps what the visits cannot: the start and
end point (home or office), the hours, the driving time and the accounts that did not fit.
:func:`planned_day` reads it all back for whoever may see that rep's day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from salestrack.automation import business_time as bt
from salestrack.automation import routes
from salestrack.automation.planner import RULE_SOURCE, Planner
from salestrack.domain import rules
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import ActivityStatus
from salestrack.errors import NotFound, ValidationFailed
from salestrack.services.fields import ensure_link
from salestrack.services.permissions import check_assign
from salestrack.store.models import Account, Activity, FieldRoute, User
from salestrack.store.scope import managed_users
from salestrack.store.uow import UnitOfWork

DEFAULT_VISIT_MINUTES = 45


@dataclass(frozen=True)
class FieldDay:
    plan: routes.RoutePlan
    day_start: datetime
    activities: list[Activity]

    def at(self, seconds: int) -> datetime:
        return self.day_start + timedelta(seconds=seconds)


def opening_windows(account: Account, day: date) -> list[tuple[datetime, datetime]]:
    """The account's opening hours on ``day`` in its own zone, as UTC moments."""
    tz = bt.zone(account.time_zone)
    return [
        (bt.local_moment(day, opening, tz), bt.local_moment(day, closing, tz))
        for opening, closing in bt.parse_opening_hours(account.opening_hours)
    ]


def windows_for(
    account: Account, day: date, day_start: datetime, day_s: int
) -> tuple[tuple[int, int], ...]:
    """The account's opening hours on ``day`` in its zone, as seconds from the rep's day start."""
    spans = []
    for opens, closes in opening_windows(account, day):
        a = int((opens - day_start).total_seconds())
        b = int((closes - day_start).total_seconds())
        if b > 0 and a < day_s:
            spans.append((max(0, a), min(day_s, b)))
    return tuple(spans)


def day_hours(
    day: date, start_time: str, end_time: str, time_zone: str
) -> tuple[datetime, datetime]:
    """The working day as two moments: ``start_time`` and ``end_time`` ("HH:MM") on ``day`` in
    the rep's zone (planning and the route page read the stored hours the same way)."""
    tz = bt.zone(time_zone)
    opens, closes = bt.parse_hhmm("start_time", start_time), bt.parse_hhmm("end_time", end_time)
    return bt.local_moment(day, opens, tz), bt.local_moment(day, closes, tz)


def plan_field_day(
    uow: UnitOfWork,
    actor: Actor,
    *,
    rep_id: int,
    day: date,
    account_ids: Sequence[int],
    start: routes.Point,
    end: routes.Point | None = None,
    start_time: str = "08:00",
    end_time: str = "18:00",
    visit_minutes: int | Mapping[int, int] = DEFAULT_VISIT_MINUTES,
    matrix: routes.TravelMatrix | None = None,
    time_limit_s: float = 2.0,
) -> FieldDay:
    """Order the visits of ``day`` for ``rep_id`` and write them as planned visit activities."""
    end = end or start
    for point in (start, end):
        rules.coordinates(*point)
    with uow(actor, "route.planned"):
        check_assign(uow, actor, rep_id, "plan visits for this rep")
        rep = ensure_link(uow.users, rep_id, "rep_id")
        assert rep is not None
        day_start, day_end = day_hours(day, start_time, end_time, rep.time_zone)
        day_s = int((day_end - day_start).total_seconds())
        if day_s <= 0:
            raise ValidationFailed("end_time", "is not after start_time")
        accounts = [_located(uow, account_id) for account_id in dict.fromkeys(account_ids)]
        stops = [
            routes.Stop(
                key=a.id,
                point=(a.latitude or 0.0, a.longitude or 0.0),
                service_s=60 * _minutes(visit_minutes, a.id),
                windows=windows_for(a, day, day_start, day_s),
            )
            for a in accounts
        ]
        plan = routes.plan_route(start, end, stops, day_s, matrix=matrix, time_limit_s=time_limit_s)
        written = _write(uow, rep_id, day, day_start, plan, {a.id: a for a in accounts})
        route = uow.field_routes.find_one(rep_id=rep_id, day=day)
        route = route or FieldRoute(rep_id=rep_id, day=day)
        route.start_latitude, route.start_longitude = start
        route.end_latitude, route.end_longitude = end
        local = [t.astimezone(bt.zone(rep.time_zone)) for t in (day_start, day_end)]
        route.start_time, route.end_time = (f"{t:%H:%M}" for t in local)
        route.travel_s, route.dropped = plan.travel_s, list(plan.dropped)
        uow.session.add(route)
        uow.commit()
    return FieldDay(plan, day_start, written)


def _minutes(visit_minutes: int | Mapping[int, int], account_id: int) -> int:
    minutes = (
        visit_minutes.get(account_id, DEFAULT_VISIT_MINUTES)
        if isinstance(visit_minutes, Mapping)
        else visit_minutes
    )
    if not 1 <= minutes <= 600:
        raise ValidationFailed("visit_minutes", "must be from 1 to 600 minutes")
    return minutes


def _located(uow: UnitOfWork, account_id: int) -> Account:
    account = ensure_link(uow.accounts, account_id, "account_ids")
    assert account is not None
    if account.latitude is None or account.longitude is None:
        raise ValidationFailed("account_ids", f"account {account.name!r} has no location")
    return account


def _key_prefix(rep_id: int, day: date) -> str:
    return f"route:{rep_id}:{day.isoformat()}:"


def _write(
    uow: UnitOfWork,
    rep_id: int,
    day: date,
    day_start: datetime,
    plan: routes.RoutePlan,
    accounts: Mapping[int, Account],
) -> list[Activity]:
    prefix = _key_prefix(rep_id, day)
    earlier = {
        a.external_id: a
        for a in uow.session.scalars(
            select(Activity).where(
                Activity.source == RULE_SOURCE,
                Activity.external_id.like(prefix + "%"),
                Activity.status == ActivityStatus.PLANNED.value,
            )
        )
    }
    planner = Planner(uow.session)
    visit_type = planner.type_id("visit")
    written = []
    for position, visit in enumerate(plan.visits, start=1):
        key = f"{prefix}{visit.key}"
        activity = earlier.pop(key, None)
        if activity is None:
            activity = Activity(
                type_id=visit_type,
                purpose="check_in",
                status=ActivityStatus.PLANNED.value,
                owner_id=rep_id,
                account_id=visit.key,
                source=RULE_SOURCE,
                external_id=key,
            )
            uow.session.add(activity)
        activity.due_at = day_start + timedelta(seconds=visit.start_s)
        activity.duration_s = visit.end_s - visit.start_s
        activity.subject = f"Visit {accounts[visit.key].name} (stop {position})"
        activity.latitude = accounts[visit.key].latitude
        activity.longitude = accounts[visit.key].longitude
        written.append(activity)
    for dropped in earlier.values():
        dropped.status = ActivityStatus.CANCELLED.value
        dropped.notes = "dropped from the re-planned route"
    uow.session.flush()
    return written


@dataclass(frozen=True)
class PlannedStop:
    """One visit of a planned day, numbered in route order, with the account's opening hours."""

    number: int
    visit: Activity
    account: Account
    windows: list[tuple[datetime, datetime]]

    @property
    def point(self) -> routes.Point:
        """Where the visit is planned: the account's place, else where it was when planned.

        Not the visit's own position: a check-in overwrites that with where the rep stood.
        """
        a, v = self.account, self.visit
        if a.latitude is not None and a.longitude is not None:
            return (a.latitude, a.longitude)
        return (v.latitude or 0.0, v.longitude or 0.0)


@dataclass(frozen=True)
class PlannedDay:
    """A rep's field day as planned: the route row (None if never planned) and its stops."""

    rep: User
    day: date
    route: FieldRoute | None
    stops: list[PlannedStop]
    dropped: list[Account]
    home: routes.Point | None
    """Where the day starts and ends: as planned, else as the rep's latest planned day did."""


def planned_day(uow: UnitOfWork, actor: Actor, rep_id: int, day: date) -> PlannedDay:
    """The visits of ``rep_id``'s ``day`` in route order; NotFound unless ``actor`` manages
    that rep's work (themselves, a manager's team member, anyone for an admin).

    Visits are read through the activity scope and ordered by their planned time, so a visit
    completed or moved by hand still shows where it now is; cancelled ones are left out.
    """
    with uow(actor):
        rep = uow.users.find_one(managed_users(actor), id=rep_id)
        if rep is None:
            raise NotFound("rep", rep_id)
        route = uow.field_routes.find_one(rep_id=rep_id, day=day)
        newest_first = uow.field_routes.scoped(rep_id=rep_id).order_by(FieldRoute.day.desc())
        latest = route or uow.session.scalars(newest_first.limit(1)).first()
        visits = uow.session.scalars(
            uow.activities.scoped(
                Activity.source == RULE_SOURCE,
                Activity.external_id.like(_key_prefix(rep_id, day) + "%"),
                Activity.status != ActivityStatus.CANCELLED.value,
            ).order_by(Activity.due_at, Activity.id)
        ).all()
        wanted = {v.account_id for v in visits} | set(route.dropped if route else ())
        found = uow.accounts.list(Account.id.in_(wanted), limit=len(wanted) + 1)
    accounts = {a.id: a for a in found}
    placed = [(v, accounts[v.account_id]) for v in visits if v.account_id in accounts]
    stops = [
        PlannedStop(n, visit, account, opening_windows(account, day))
        for n, (visit, account) in enumerate(placed, start=1)
    ]
    dropped = [accounts[i] for i in (route.dropped if route else ()) if i in accounts]
    home = (latest.start_latitude, latest.start_longitude) if latest else None
    return PlannedDay(rep, day, route, stops, dropped, home)
