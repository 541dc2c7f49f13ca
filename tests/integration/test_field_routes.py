"""A field day becomes planned visits in route order, and re-planning moves, never duplicates;
the planned day reads back (order, start, dropped visits) only for whoever manages that rep."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from salestrack.automation.field_routes import plan_field_day, planned_day
from salestrack.domain.actor import SYSTEM, Actor
from salestrack.errors import NotFound, PermissionDenied, ValidationFailed
from salestrack.services import accounts
from salestrack.services.users import actor_for
from salestrack.store.models import Account, AuditEvent
from salestrack.store.uow import UnitOfWork
from tests.automation_factories import rule_made
from tests.factories import make_account, make_rep, make_team, make_user

OFFICE = (48.137, 11.575)
DAY = date(2026, 3, 3)  # a Tuesday


def test_visits_are_planned_in_route_order_inside_opening_hours(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow, time_zone="Europe/Berlin")
    early = make_account(
        uow,
        rep,
        latitude=48.20,
        longitude=11.75,
        time_zone="Europe/Berlin",
        opening_hours="08:00-10:00",
    )
    late = make_account(
        uow,
        rep,
        latitude=48.14,
        longitude=11.58,
        time_zone="Europe/Berlin",
        opening_hours="14:00-17:00",
    )
    anytime = make_account(uow, rep, latitude=48.10, longitude=11.50, time_zone="Europe/Berlin")
    day = plan_field_day(
        uow,
        rep,
        rep_id=rep.id,
        day=DAY,
        account_ids=[late.id, anytime.id, early.id],
        start=OFFICE,
        visit_minutes={late.id: 30},
        time_limit_s=0.3,
    )
    assert day.day_start == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # 08:00 CET
    assert day.activities[0].account_id == early.id
    visits = [a for _, a in rule_made(uow)]
    in_time_order = sorted(visits, key=lambda v: v.due_at or day.day_start)
    assert [v.account_id for v in in_time_order] == [a.account_id for a in day.activities]
    assert [(v.subject or "")[-8:] for v in in_time_order] == ["(stop 1)", "(stop 2)", "(stop 3)"]
    by_account = {v.account_id: v for v in visits}
    assert by_account[late.id].due_at >= datetime(2026, 3, 3, 13, 0, tzinfo=UTC)  # 14:00 CET
    assert by_account[late.id].duration_s == 30 * 60
    end = by_account[early.id].due_at + timedelta(seconds=by_account[early.id].duration_s or 0)
    assert end <= datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # out before 10:00 CET

    # Re-planning without the early account moves the others and cancels the dropped visit.
    plan_field_day(
        uow,
        rep,
        rep_id=rep.id,
        day=DAY,
        account_ids=[late.id, anytime.id],
        start=OFFICE,
        time_limit_s=0.2,
    )
    after = {a.account_id: a.status for _, a in rule_made(uow)}
    assert after == {early.id: "cancelled", late.id: "planned", anytime.id: "planned"}
    assert len(rule_made(uow)) == 3


def test_accounts_need_a_location(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    nowhere = make_account(uow, rep)
    with pytest.raises(ValidationFailed) as err:
        plan_field_day(uow, rep, rep_id=rep.id, day=DAY, account_ids=[nowhere.id], start=OFFICE)
    assert err.value.field == "account_ids"


def _berlin_account(uow: UnitOfWork, rep: Actor, hours: str, **kw: object) -> Account:
    """An account next to the office, open only during ``hours`` (Berlin time)."""
    return make_account(
        uow,
        rep,
        latitude=kw.pop("latitude", 48.14),
        longitude=kw.pop("longitude", 11.58),
        time_zone="Europe/Berlin",
        opening_hours=hours,
        **kw,
    )


def test_the_planned_day_reads_back_in_route_order_with_start_and_dropped(
    uow: UnitOfWork,
) -> None:
    _, rep = make_rep(uow, time_zone="Europe/Berlin")
    morning = _berlin_account(uow, rep, "10:00-12:00")
    afternoon = _berlin_account(uow, rep, "15:00-17:00", latitude=48.15)
    evening = _berlin_account(uow, rep, "19:00-20:00")  # after the 08:00-18:00 day
    ids = [afternoon.id, evening.id, morning.id]
    plan_field_day(
        uow, rep, rep_id=rep.id, day=DAY, account_ids=ids, start=OFFICE, time_limit_s=0.2
    )

    day = planned_day(uow, rep, rep.id, DAY)
    assert [(s.number, s.account.id) for s in day.stops] == [(1, morning.id), (2, afternoon.id)]
    # The rep arrives early and the visit starts at opening: 10:00 CET is 09:00 UTC.
    assert day.stops[0].visit.due_at == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert day.stops[0].windows == [
        (datetime(2026, 3, 3, 9, 0, tzinfo=UTC), datetime(2026, 3, 3, 11, 0, tzinfo=UTC))
    ]
    assert [a.id for a in day.dropped] == [evening.id]
    assert day.route is not None and (day.route.start_time, day.route.end_time) == (
        "08:00",
        "18:00",
    )
    assert (day.route.end_latitude, day.route.end_longitude) == OFFICE == day.home
    with uow(SYSTEM):
        audited = uow.audit.list(AuditEvent.entity == "field_routes")
    assert [(e.action, e.entity_id) for e in audited] == [("route.planned", day.route.id)]

    # Re-planned without the afternoon: its cancelled visit leaves the day; the plan is replaced.
    elsewhere = (48.2, 11.7)
    ids = [morning.id]
    plan_field_day(
        uow, rep, rep_id=rep.id, day=DAY, account_ids=ids, start=elsewhere, time_limit_s=0.1
    )
    again = planned_day(uow, rep, rep.id, DAY)
    assert [s.account.id for s in again.stops] == [morning.id]
    assert again.dropped == [] and again.home == elsewhere
    assert again.route is not None and again.route.id == day.route.id

    # A day never planned has no route; the form starts from where the last plan started.
    empty = planned_day(uow, rep, rep.id, date(2026, 3, 4))
    assert (empty.route, empty.stops, empty.home) == (None, [], elsewhere)


def test_only_the_rep_their_manager_and_an_admin_see_or_plan_the_day(uow: UnitOfWork) -> None:
    north, south = make_team(uow), make_team(uow)
    _, rep = make_rep(uow, north, time_zone="Europe/Berlin")
    _, teammate = make_rep(uow, north)
    manager = actor_for(make_user(uow, "manager", team_id=north.id))
    other_manager = actor_for(make_user(uow, "manager", team_id=south.id))
    admin = actor_for(make_user(uow, "admin"))
    account = _berlin_account(uow, rep, "09:00-17:00")
    plan_field_day(
        uow,
        manager,
        rep_id=rep.id,
        day=DAY,
        account_ids=[account.id],
        start=OFFICE,
        time_limit_s=0.1,
    )

    for viewer in (rep, manager, admin):
        assert [s.account.id for s in planned_day(uow, viewer, rep.id, DAY).stops] == [account.id]
    for outsider in (teammate, other_manager):
        with pytest.raises(NotFound):
            planned_day(uow, outsider, rep.id, DAY)
        with uow(outsider):
            assert uow.field_routes.list() == []
        with pytest.raises(PermissionDenied):
            plan_field_day(
                uow,
                outsider,
                rep_id=rep.id,
                day=DAY,
                account_ids=[],
                start=OFFICE,
                time_limit_s=0.1,
            )
    assert [s.account.id for s in planned_day(uow, rep, rep.id, DAY).stops] == [account.id]


def test_the_start_must_be_a_place_on_earth(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    with pytest.raises(ValidationFailed) as err:
        plan_field_day(uow, rep, rep_id=rep.id, day=DAY, account_ids=[], start=(91.0, 11.5))
    assert err.value.field == "latitude"


def test_a_stop_stays_where_it_was_planned_when_its_account_loses_its_location(
    uow: UnitOfWork,
) -> None:
    _, rep = make_rep(uow)
    account = _berlin_account(uow, rep, "09:00-17:00")
    plan_field_day(
        uow, rep, rep_id=rep.id, day=DAY, account_ids=[account.id], start=OFFICE, time_limit_s=0.1
    )
    accounts.update_account(uow, rep, account.id, latitude=None, longitude=None)
    (stop,) = planned_day(uow, rep, rep.id, DAY).stops
    assert stop.point == (48.14, 11.58)
