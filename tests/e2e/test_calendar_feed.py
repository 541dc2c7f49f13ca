"""A calendar app subscribing to a rep's feed on a real server: only the URL, over the wire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import Engine

from salestrack.domain.actor import SYSTEM
from salestrack.services import tokens, users
from salestrack.store.uow import UnitOfWork
from tests.e2e.server import running_server


def _rep(uow: UnitOfWork, email: str) -> dict[str, str]:
    user = users.create_user(uow, SYSTEM, email=email, name=email, role="rep")
    token = tokens.create_token(uow, SYSTEM, name="t", scope="write", user_id=user.id)
    return {"Authorization": f"Bearer {token.plaintext}"}


def _uids(url: str) -> dict[str, datetime]:
    response = httpx.get(url, timeout=10)  # nothing but the URL, as a calendar app has
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    return {str(event["uid"]): event.decoded("dtstart") for event in events}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # HTTP above the store
def test_a_calendar_app_reads_the_feed_by_its_url_alone(engine: Engine) -> None:
    uow = UnitOfWork(engine)
    rep, other = _rep(uow, "rae@example.com"), _rep(uow, "oz@example.com")
    due = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    body = {"type": "call", "status": "planned", "due_at": due.isoformat()}
    with running_server(str(engine.url)) as base, httpx.Client(base_url=base) as api:
        ids = [
            api.post("/api/v1/activities", json=body, headers=h).json()["id"] for h in (rep, other)
        ]
        url = api.post("/api/v1/calendar-feed", headers=rep).json()["url"]
        assert url.startswith(f"{base}/calendar/")
        found = _uids(url)
        assert found == {f"activity-{ids[0]}@salestrack": due}
        assert found[f"activity-{ids[0]}@salestrack"].utcoffset() == timedelta(0)

        replaced = api.post("/api/v1/calendar-feed", headers=rep).json()["url"]
        assert httpx.get(url, timeout=10).status_code == 404
        assert set(_uids(replaced)) == {f"activity-{ids[0]}@salestrack"}
