"""Eight clients write activities at once against a real server, on SQLite and PostgreSQL.

Every request succeeds (no "database is locked" surfacing as an error), the store ends with
exactly the rows sent, and retries with the same Idempotency-Key never add a row.
"""

from __future__ import annotations

import threading

import httpx
import pytest
from sqlalchemy import Engine, func, select

from salestrack.domain.actor import SYSTEM
from salestrack.services import tokens, users
from salestrack.store.models import Activity
from salestrack.store.uow import UnitOfWork
from tests.e2e.server import running_server

CLIENTS = 8


def _hammer(base: str, token: str, client_no: int, count: int, failures: list[str]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=60) as http:
        for n in range(count):
            key = {"Idempotency-Key": f"client{client_no}-{n}"}
            body = {"type": "call", "outcome": "connected", "subject": f"{client_no}/{n}"}
            first = http.post("/activities", json=body, headers=key)
            if first.status_code != 201:
                failures.append(f"{first.status_code} {first.text}")
                continue
            if n % 10 == 0:  # a client that lost the answer retries with the same key
                again = http.post("/activities", json=body, headers=key)
                if again.status_code != 201 or again.json()["id"] != first.json()["id"]:
                    failures.append(f"retry: {again.status_code} {again.text}")


def _run(engine: Engine, db_url: str, uow: UnitOfWork, per_client: int) -> None:
    reps = [
        users.create_user(uow, SYSTEM, email=f"c{i}@example.com", name=f"C{i}", role="rep")
        for i in range(CLIENTS)
    ]
    keys = [tokens.create_token(uow, SYSTEM, name="t", scope="write", user_id=r.id) for r in reps]
    failures: list[str] = []
    with running_server(db_url) as base:
        threads = [
            threading.Thread(target=_hammer, args=(base, k.plaintext, i, per_client, failures))
            for i, k in enumerate(keys)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Activity)) == CLIENTS * per_client
        distinct = conn.scalar(select(func.count(func.distinct(Activity.subject))))
        assert distinct == CLIENTS * per_client


def test_eight_clients_write_at_once(engine: Engine, db_url: str, uow: UnitOfWork) -> None:
    _run(engine, db_url, uow, per_client=60)


@pytest.mark.slow
def test_eight_clients_times_a_thousand(engine: Engine, db_url: str, uow: UnitOfWork) -> None:
    _run(engine, db_url, uow, per_client=1000)
