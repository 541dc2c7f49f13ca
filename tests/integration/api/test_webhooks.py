"""Webhooks against a real HTTP receiver on loopback: signed, retried with backoff, logged,
and switched off after repeated failure."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from salestrack.api.app import create_app
from salestrack.domain.clock import FixedClock
from salestrack.services.webhooks import RetryPolicy
from salestrack.store.uow import UnitOfWork
from salestrack.webhooks.dispatcher import Dispatcher
from salestrack.webhooks.signing import HEADER, verify
from tests.integration.api.conftest import Org, api_settings

API = "/api/v1"


class Receiver:
    """An HTTP endpoint in a thread that records what it gets and answers ``status``."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _subscribe(client: TestClient, org: Org, url: str, events: list[str]) -> dict[str, Any]:
    response = client.post(
        f"{API}/webhooks", json={"url": url, "events": events}, headers=org.admin.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_events_arrive_signed_and_filtered(
    client: TestClient, org: Org, receiver: Receiver, uow: UnitOfWork, clock: FixedClock
) -> None:
    created = _subscribe(client, org, receiver.url, ["activity.*", "deal.stage_moved"])
    secret = created["secret"]
    headers = org.north_rep.headers
    client.post(f"{API}/accounts", json={"name": "Not an event"}, headers=headers)
    activity = client.post(
        f"{API}/activities", json={"type": "call", "outcome": "connected"}, headers=headers
    ).json()
    deal = client.post(f"{API}/deals", json={"name": "D", "amount": "5"}, headers=headers).json()
    client.post(f"{API}/deals/{deal['id']}/move", json={"stage": "Won"}, headers=headers)

    dispatcher = Dispatcher(uow, RetryPolicy())
    assert dispatcher.run_once() == 2
    dispatcher.stop()
    events = [(h["Salestrack-Event"], json.loads(b)) for h, b in receiver.calls]
    assert [e for e, _ in events] == ["activity.logged", "deal.stage_moved"]
    assert events[0][1]["data"]["record"]["id"] == activity["id"]
    assert events[1][1]["data"]["changes"]["after"]["stage_id"] is not None
    now = int(clock.now().timestamp())
    for sent_headers, body in receiver.calls:
        assert verify(secret, body, sent_headers[HEADER], now)
        assert not verify("whsec_wrong", body, sent_headers[HEADER], now)
        assert not verify(secret, body + b" ", sent_headers[HEADER], now)
        assert not verify(secret, body, sent_headers[HEADER], now + 3600)  # a stale replay
    log = client.get(
        f"{API}/webhooks/{created['webhook']['id']}/deliveries", headers=org.admin.headers
    ).json()["items"]
    assert {d["status"] for d in log} == {"delivered"} and all(d["attempts"] == 1 for d in log)
    rep_view = client.get(f"{API}/webhooks", headers=headers)
    assert rep_view.status_code == 403


def test_failures_retry_with_backoff_then_disable(
    client: TestClient, org: Org, receiver: Receiver, uow: UnitOfWork, clock: FixedClock
) -> None:
    created = _subscribe(client, org, receiver.url, ["activity.logged"])
    sub_url = f"{API}/webhooks/{created['webhook']['id']}"
    receiver.status = 500
    client.post(
        f"{API}/activities",
        json={"type": "call", "outcome": "connected"},
        headers=org.north_rep.headers,
    )
    policy = RetryPolicy(max_attempts=3, backoff=timedelta(seconds=10), disable_after=4)
    dispatcher = Dispatcher(uow, policy)
    assert dispatcher.run_once() == 1
    assert dispatcher.run_once() == 0  # not due yet: backing off
    clock.advance(timedelta(seconds=10))
    assert dispatcher.run_once() == 1
    clock.advance(timedelta(seconds=19))
    assert dispatcher.run_once() == 0  # the second wait is twice as long
    clock.advance(timedelta(seconds=1))
    assert dispatcher.run_once() == 1
    (delivery,) = client.get(f"{sub_url}/deliveries", headers=org.admin.headers).json()["items"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == (
        "failed",
        3,
        500,
    )
    # One more failing delivery reaches the threshold: the endpoint is switched off.
    client.post(
        f"{API}/activities",
        json={"type": "call", "outcome": "connected"},
        headers=org.north_rep.headers,
    )
    assert dispatcher.run_once() == 1
    sub = client.get(sub_url, headers=org.admin.headers).json()
    assert sub["is_active"] is False and sub["disabled_at"] is not None
    assert len(receiver.calls) == 4
    client.post(
        f"{API}/activities",
        json={"type": "call", "outcome": "connected"},
        headers=org.north_rep.headers,
    )
    clock.advance(timedelta(hours=1))
    assert dispatcher.run_once() == 0
    # Switching it back on resumes delivery of what happens from then on.
    receiver.status = 204
    on = client.patch(sub_url, json={"is_active": True}, headers=org.admin.headers)
    assert on.json()["failure_count"] == 0
    client.post(
        f"{API}/activities",
        json={"type": "email", "outcome": "sent"},
        headers=org.north_rep.headers,
    )
    assert (
        dispatcher.run_once() >= 1
        and receiver.calls[-1][0]["Salestrack-Event"] == "activity.logged"
    )
    dispatcher.stop()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_app_delivers_in_the_background(engine: Engine, org: Org, receiver: Receiver) -> None:
    settings = api_settings(webhooks_enabled=True, webhook_poll_seconds=0.05)
    with TestClient(create_app(settings, engine)) as client:
        _subscribe(client, org, receiver.url, ["deal.created"])
        client.post(
            f"{API}/deals", json={"name": "D", "amount": "5"}, headers=org.north_rep.headers
        )
        deadline = time.monotonic() + 10
        while not receiver.calls and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [h["Salestrack-Event"] for h, _ in receiver.calls] == ["deal.created"]
