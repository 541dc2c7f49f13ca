"""Plan a rep's field day: accounts -> an OR-Tools route -> planned visits in route order.

Each planned visit is an activity of type ``visit`` due at its expected arrival (or opening time
if the rep arrives early), with the time on site as its duration and the stop number in the
subject. Keys are ``route:<rep>:<date>:<account>``: planning the same day again moves the
visits already planned instead of adding new ones, and cancels those the new plan drops.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from salestrack.automation import business_time as bt
from salestrack.automation import routes
from salestrack.automation.planner import RULE_SOURCE, Planner
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import ActivityStatus
from salestrack.errors import ValidationFailed
from salestrack.services.fields import ensure_link
from salestrack.services.permissions import check_assign
from salestrack.store.models import Account, Activity
from salestrack.store.uow import UnitOfWork

DEFAULT_VISIT_MINUTES = 45


@dataclass(frozen=True)
class FieldDay:
    plan: routes.RoutePlan
    day_start: datetime
    activities: list[Activity]

    def at(self, seconds: int) -> datetime:
        return self.day_start + timedelta(seconds=seconds)


def windows_for(
    account: Account, day: date, day_start: datetime, day_s: int
) -> tuple[tuple[int, int], ...]:
    """The account's opening hours on ``day`` in its zone, as seconds from the rep's day start."""
    tz = bt.zone(account.time_zone)
    spans = []
    for opening, closing in bt.parse_opening_hours(account.opening_hours):
        a = int((bt.local_moment(day, opening, tz) - day_start).total_seconds())
        b = int((bt.local_moment(day, closing, tz) - day_start).total_seconds())
        if b > 0 and a < day_s:
            spans.append((max(0, a), min(day_s, b)))
    return tuple(spans)


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
    with uow(actor, "route.planned"):
        check_assign(uow, actor, rep_id, "plan visits for this rep")
        rep = ensure_link(uow.users, rep_id, "rep_id")
        assert rep is not None
        tz = bt.zone(rep.time_zone)
        day_start = bt.local_moment(day, bt.parse_hhmm("start_time", start_time), tz)
        day_end = bt.local_moment(day, bt.parse_hhmm("end_time", end_time), tz)
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
        plan = routes.plan_route(
            start, end or start, stops, day_s, matrix=matrix, time_limit_s=time_limit_s
        )
        written = _write(uow, rep_id, day, day_start, plan, {a.id: a for a in accounts})
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


def _write(
    uow: UnitOfWork,
    rep_id: int,
    day: date,
    day_start: datetime,
    plan: routes.RoutePlan,
    accounts: Mapping[int, Account],
) -> list[Activity]:
    prefix = f"route:{rep_id}:{day.isoformat()}:"
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
