"""Several workers of one server over PostgreSQL: every worker answers metrics and pages.

DuckDB gives a warehouse file to one process, so each worker keeps its own (the reader takes
the first free one at start-up); before, every worker but the first failed its metrics.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import Engine

from salestrack.domain.actor import SYSTEM
from salestrack.services import activities, tokens, users
from salestrack.services.setup import init_store
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork
from tests.e2e.server import running_server
from tests.waiting import eventually

WORKERS = 2


def test_every_worker_answers_metrics_from_its_own_warehouse(
    pg_schema_url: str, tmp_path: Path
) -> None:
    engine: Engine = make_engine(pg_schema_url)
    init_store(engine)
    uow = UnitOfWork(engine)
    rep = users.create_user(uow, SYSTEM, email="w@example.com", name="W", role="rep")
    token = tokens.create_token(uow, SYSTEM, name="t", scope="read", user_id=rep.id).plaintext
    actor = users.actor_for(rep)
    for _ in range(3):
        activities.log_activity(uow, actor, type="call", outcome="connected")
    warehouse = tmp_path / "team.duckdb"
    with running_server(
        pg_schema_url, workers=WORKERS, SALESTRACK_ANALYTICS_PATH=str(warehouse)
    ) as base:
        # Each worker takes a file when it starts: the configured one and one sibling.
        sibling = tmp_path / "team.worker-1.duckdb"
        assert eventually(warehouse.exists, 60) and eventually(sibling.exists, 60)
        # A new connection per request, so the kernel hands them to both workers.
        headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
        answers = [
            httpx.get(f"{base}/api/v1/metrics/activities", headers=headers, timeout=60)
            for _ in range(20)
        ]
    assert [a.status_code for a in answers] == [200] * 20, answers[-1].text
    assert {a.json()["rows"][0]["activities"] for a in answers} == {3}
    engine.dispose()
