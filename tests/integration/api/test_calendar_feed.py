"""The private calendar feed over HTTP: made through the API or the settings page, read by a
client holding nothing but the URL (as a calendar app does), and retired by making a new one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from icalendar import Calendar

from salestrack.domain.actor import SYSTEM
from salestrack.services import activities, users
from salestrack.services.users import actor_for
from salestrack.store.uow import UnitOfWork
from tests.integration.api.conftest import Member, Org

FEED = "/api/v1/calendar-feed"
PASSWORD = "a-long-password"
DUE = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def calendar_app(app: FastAPI) -> TestClient:
    """What a calendar app has: no token, no cookie, only the URL."""
    return TestClient(app)


def _events(calendar_app: TestClient, url: str) -> dict[str, Any]:
    """The feed's events by UID; fails unless the feed answers as a calendar."""
    response = calendar_app.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def _plan(client: TestClient, member: Member, subject: str) -> int:
    body = {
        "type": "visit",
        "status": "planned",
        "due_at": "2026-03-03T10:00:00+01:00",
        "duration_s": 3600,
        "subject": subject,
    }
    response = client.post("/api/v1/activities", json=body, headers=member.headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _feed_url(client: TestClient, member: Member, **headers: str) -> str:
    response = client.post(FEED, headers={**member.headers, **headers})
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    return url


def test_the_feed_holds_the_reps_planned_work_in_utc_and_a_new_one_retires_the_old(
    client: TestClient, calendar_app: TestClient, org: Org
) -> None:
    rep = org.north_rep
    mine = _plan(client, rep, "Visit the kiosk")
    teammates = _plan(client, org.north_rep2, "Teammate's visit")
    done = client.post(
        "/api/v1/activities", json={"type": "call", "outcome": "connected"}, headers=rep.headers
    )
    assert done.status_code == 201
    assert client.get(FEED, headers=rep.headers).json() == {
        "active": False,
        "created_at": None,
        "url": None,
    }

    url = _feed_url(client, rep)
    assert re.fullmatch(r"http://testserver/calendar/[\w-]{40,}\.ics", url)
    events = _events(calendar_app, url)
    assert set(events) == {f"activity-{mine}@salestrack"}  # not the teammate's, not done work
    event = events[f"activity-{mine}@salestrack"]
    assert event["dtstart"].to_ical() == b"20260303T090000Z"  # UTC on the wire
    assert event.decoded("dtstart") == DUE
    assert event.decoded("dtend") == DUE + timedelta(hours=1)
    assert str(event["summary"]) == "Visit the kiosk"
    assert f"activity-{teammates}@salestrack" not in events
    assert calendar_app.head(url).status_code == 200
    status = client.get(FEED, headers=rep.headers).json()
    assert status["active"] is True and status["url"] is None  # the URL is shown once

    # An admin's own feed leaves everyone else's working.
    admins = _feed_url(client, org.admin)
    assert _events(calendar_app, url) and _events(calendar_app, admins) == {}

    replaced = _feed_url(client, rep)
    assert replaced != url
    assert calendar_app.get(url).status_code == 404
    assert set(_events(calendar_app, replaced)) == {f"activity-{mine}@salestrack"}
    assert calendar_app.get("/calendar/guessed.ics").status_code == 404


def test_a_retry_with_the_same_key_neither_replaces_nor_repeats_the_url(
    client: TestClient, calendar_app: TestClient, org: Org
) -> None:
    url = _feed_url(client, org.north_rep, **{"Idempotency-Key": "feed-1"})
    retry = client.post(FEED, headers={**org.north_rep.headers, "Idempotency-Key": "feed-1"})
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["active"] is True and retry.json()["url"] is None
    assert _events(calendar_app, url) == {}  # still the live feed, with nothing planned yet


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # pages above the store
def test_the_settings_page_creates_and_replaces_the_feed(
    client: TestClient, calendar_app: TestClient, uow: UnitOfWork
) -> None:
    user = users.create_user(
        uow, SYSTEM, email="pia@example.com", name="Pia", role="rep", password=PASSWORD
    )
    planned = activities.plan_activity(uow, actor_for(user), type="call", due_at=DUE)
    sign_in = {"email": user.email, "password": PASSWORD, "next": "/settings"}
    page = client.post("/login", data=sign_in)
    assert page.status_code == 200 and "Create a subscription URL" in page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    csrf = {"csrf_token": found.group(1)}
    assert client.post("/settings/calendar-feed").status_code == 403  # no CSRF token

    def created() -> str:
        answer = client.post("/settings/calendar-feed", data=csrf)
        assert answer.status_code == 200, answer.text
        shown = re.search(r'id="feed-url" value="([^"]+)"', answer.text)
        assert shown is not None
        return shown.group(1)

    url = created()
    assert set(_events(calendar_app, url)) == {f"activity-{planned.id}@salestrack"}
    later = client.get("/settings")
    assert "Replace the URL" in later.text and url not in later.text
    replaced = created()
    assert calendar_app.get(url).status_code == 404
    assert set(_events(calendar_app, replaced)) == {f"activity-{planned.id}@salestrack"}
