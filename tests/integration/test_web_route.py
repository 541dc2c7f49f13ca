"""The field route page: what it shows of a planned day (order, times in the viewer's zone) and
who may open or plan whose day, over HTTP with the real sign-in and CSRF check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from salestrack.automation.field_routes import plan_field_day, planned_day
from salestrack.config import Settings
from salestrack.domain.clock import FixedClock
from salestrack.services.users import actor_for
from salestrack.store.models import Account, User
from salestrack.store.uow import UnitOfWork
from salestrack.web.app import WebSettings, create_web_app
from salestrack.web.i18n import Formatter
from salestrack.web.routes.field_routes import route_view
from tests.factories import make_account, make_team, make_user

DAY = date(2026, 3, 3)  # a Tuesday; Berlin is UTC+1, Ho Chi Minh City UTC+7
OFFICE = (48.137, 11.575)
PASSWORD = "a-long-password"


@dataclass(frozen=True)
class Field:
    rep: User
    teammate: User
    manager: User
    morning: Account  # open 10:00-12:00 Berlin time
    afternoon: Account  # open 15:00-17:00
    evening: Account  # open 19:00-20:00, after the rep's 08:00-18:00 day


@pytest.fixture
def field(uow: UnitOfWork) -> Field:
    team = make_team(uow, time_zone="Europe/Berlin")

    def person(role: str) -> User:
        berlin = {"time_zone": "Europe/Berlin", "password": PASSWORD}
        return make_user(uow, role, team_id=team.id, **berlin)

    people = [person("rep"), person("rep"), person("manager")]
    rep = actor_for(people[0])

    def account(name: str, hours: str, latitude: float) -> Account:
        return make_account(
            uow,
            rep,
            name=name,
            latitude=latitude,
            longitude=11.58,
            time_zone="Europe/Berlin",
            opening_hours=hours,
        )

    return Field(
        *people,
        account("Morning Bakery", "10:00-12:00", 48.14),
        account("Afternoon Garage", "15:00-17:00", 48.15),
        account("Evening Bar", "19:00-20:00", 48.14),
    )


def test_the_page_data_is_in_route_order_and_in_the_viewers_zone(
    uow: UnitOfWork, field: Field
) -> None:
    f = field
    ids = [f.evening.id, f.afternoon.id, f.morning.id]
    plan_field_day(uow, actor_for(f.rep), rep_id=f.rep.id, day=DAY, account_ids=ids, start=OFFICE)
    day = planned_day(uow, actor_for(f.manager), f.rep.id, DAY)

    # A manager reading it in Ho Chi Minh City (UTC+7) sees Berlin's 10:00 as 16:00.
    view = route_view(day, Formatter("vi", "Asia/Ho_Chi_Minh"))
    shown = [(s.number, s.name, s.arrival, s.window, s.on_site) for s in view.stops]
    assert shown == [
        (1, "Morning Bakery", "16:00", "16:00–18:00", "45 phút"),
        (2, "Afternoon Garage", "21:00", "21:00–23:00", "45 phút"),
    ]
    assert view.hours == "14:00–00:00"  # the rep's 08:00-18:00 in Berlin
    assert view.start == view.end == OFFICE
    assert view.dropped == ["Evening Bar"]
    berlin = route_view(day, Formatter("en", "Europe/Berlin"))
    assert [s.arrival for s in berlin.stops] == ["10:00\u202fAM", "3:00\u202fPM"]


@pytest.fixture
def site(engine: Engine, clock: FixedClock, tmp_path: Path) -> Iterator[TestClient]:
    web = WebSettings(analytics_path=str(tmp_path / "w.duckdb"))
    app = create_web_app(Settings(database_url=str(engine.url)), engine, web=web, clock=clock)
    yield TestClient(app)
    app.state.web.reader.close()


def _sign_in(client: TestClient, user: User) -> str:
    """Sign in through the page; returns the session's CSRF token that forms echo."""
    client.cookies.clear()
    sign_in = {"email": user.email, "password": PASSWORD, "next": "/settings"}
    settings = client.post("/login", data=sign_in)
    assert settings.status_code == 200, settings.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', settings.text)
    assert found is not None
    return found.group(1)


def _stops(html: str) -> list[tuple[int, str]]:
    return [
        (int(n), name)
        for n, name in re.findall(r'data-number="(\d+)"[^>]*data-name="([^"]+)"', html)
    ]


def test_a_rep_plans_their_own_day_and_only_their_own(site: TestClient, field: Field) -> None:
    f = field
    csrf = _sign_in(site, f.rep)
    page = site.get("/map/route", params={"day": DAY.isoformat()})
    assert page.status_code == 200 and "No visits planned for this day." in page.text
    form = {
        "rep": f.rep.id,
        "day": DAY.isoformat(),
        "account_ids": [f.afternoon.id, f.morning.id],
        "start_latitude": OFFICE[0],
        "start_longitude": OFFICE[1],
        "start_time": "08:00",
        "end_time": "18:00",
        "visit_minutes": "30",
    }
    assert site.post("/map/route", data=form).status_code == 403  # no CSRF token
    missing_start = {**form, "start_latitude": "", "csrf_token": csrf}
    refused = site.post("/map/route", data=missing_start)
    assert refused.status_code == 400 and 'role="alert" id="plan-error">start:' in refused.text

    planned = site.post("/map/route", data={**form, "csrf_token": csrf}, follow_redirects=False)
    assert planned.status_code == 303
    shown = site.get(planned.headers["location"]).text
    assert _stops(shown) == [(1, "Morning Bakery"), (2, "Afternoon Garage")]
    assert f'data-start="{OFFICE[0]},{OFFICE[1]}"' in shown

    # A teammate's day is neither shown nor planned by the rep.
    assert site.get("/map/route", params={"rep": f.teammate.id}).status_code == 404
    theirs = {**form, "rep": f.teammate.id, "csrf_token": csrf}
    assert site.post("/map/route", data=theirs).status_code == 403


def test_a_manager_picks_a_rep_of_the_team(site: TestClient, field: Field, uow: UnitOfWork) -> None:
    f = field
    plan_field_day(
        uow,
        actor_for(f.rep),
        rep_id=f.rep.id,
        day=DAY,
        account_ids=[f.morning.id],
        start=OFFICE,
        time_limit_s=0.1,
    )
    _sign_in(site, f.manager)
    page = site.get("/map/route", params={"rep": f.rep.id, "day": DAY.isoformat()})
    assert page.status_code == 200
    assert _stops(page.text) == [(1, "Morning Bakery")]
    picker = re.findall(r'<option value="(\d+)"( selected)?>', page.text)
    assert sorted(picker) == sorted(
        [(str(f.rep.id), " selected"), (str(f.teammate.id), ""), (str(f.manager.id), "")]
    )
