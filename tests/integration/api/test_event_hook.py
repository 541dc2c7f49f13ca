"""The inbound customer-event hook: signed like the outbound webhooks, one task per event
however often the sender retries, and nothing without a fresh, valid signature."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from salestrack.api.app import create_app
from salestrack.domain.clock import FixedClock
from salestrack.webhooks import signing
from tests.integration.api.conftest import Org, api_settings

HOOK = "/api/v1/hooks/customer-events"
SECRET = "hook-secret-for-tests"


@pytest.fixture
def hooked(engine: Engine, clock: FixedClock) -> Iterator[TestClient]:
    settings = api_settings(events_webhook_secret=SECRET)
    app = create_app(settings, engine, clock=clock, pages=False)
    with TestClient(app) as client:
        yield client


def _send(
    client: TestClient, payload: dict[str, Any], at: float, secret: str = SECRET
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {
        signing.HEADER: signing.sign(secret, body, int(at)),
        "Content-Type": "application/json",
    }
    return client.post(HOOK, content=body, headers=headers)


def test_a_signed_event_plans_one_task_however_often_it_is_sent(
    hooked: TestClient, org: Org, clock: FixedClock
) -> None:
    created = hooked.post(
        "/api/v1/accounts", json={"name": "Globex"}, headers=org.north_rep.headers
    )
    account = created.json()["id"]
    payload = {
        "account_id": account,
        "kind": "award",
        "title": "Best in class",
        "external_id": "n-1",
    }
    now = clock.now().timestamp()

    first = _send(hooked, payload, now)
    assert first.status_code == 201, first.text
    event = first.json()
    assert event["source"] == "webhook"
    [task] = event["tasks"]
    assert (task["owner_id"], task["status"]) == (org.north_rep.id, "planned")

    clock.advance(timedelta(minutes=1))
    again = _send(hooked, payload, clock.now().timestamp())  # the sender retried
    assert again.status_code == 200 and again.json() == event
    listed = hooked.get("/api/v1/customer-events", headers=org.north_rep.headers).json()["items"]
    assert [e["id"] for e in listed] == [event["id"]]
    assert [t["id"] for t in listed[0]["tasks"]] == [task["id"]]

    unknown = _send(hooked, {**payload, "account_id": 999_999, "external_id": "n-2"}, now)
    assert unknown.status_code == 422 and unknown.json()["field"] == "account_id"
    anonymous = {k: v for k, v in payload.items() if k != "external_id"}
    assert _send(hooked, anonymous, now).status_code == 422


def test_unsigned_forged_or_stale_deliveries_are_refused_before_reading_them(
    hooked: TestClient, client: TestClient, org: Org, clock: FixedClock
) -> None:
    payload = {"account_id": 1, "kind": "award", "external_id": "x-1"}
    now = clock.now().timestamp()
    assert hooked.post(HOOK, json=payload).status_code == 401
    assert _send(hooked, payload, now, secret="guessed").status_code == 401
    assert _send(hooked, payload, now - 600).status_code == 401  # replayed ten minutes later
    assert _send(hooked, {"not": "an event"}, now, secret="guessed").status_code == 401
    assert hooked.post(HOOK, json=payload, headers=org.admin.headers).status_code == 401
    # Without a configured secret the hook is closed, whatever is sent.
    assert _send(client, payload, now).status_code == 401
