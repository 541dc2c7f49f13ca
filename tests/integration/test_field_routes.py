"""A field day becomes planned visits in route order, and re-planning moves, never duplicates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from salestrack.automation.field_routes import plan_field_day
from salestrack.errors import ValidationFailed
from salestrack.store.uow import UnitOfWork
from tests.automation_factories import rule_made
from tests.factories import make_account, make_rep

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
