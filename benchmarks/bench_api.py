"""Activity creation through the REST API over loopback (one uvicorn worker) vs the service layer.

For each store (SQLite file, PostgreSQL schema) it reports writes per second and p50/p99
latency (per call) of ``POST /api/v1/activities`` from concurrent clients, of ``POST .../bulk``
with 25 and 100 activities per call, and, as the baseline in the same run, of the same writes
made by calling ``log_activity`` directly: one per transaction, and 100 per transaction the way
the bulk route batches them. Target (issue 5): PostgreSQL >= 1,000 writes/s, p99 < 100 ms.

    python benchmarks/bench_api.py [--requests 2000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.server import running_server

from salestrack.domain.actor import SYSTEM
from salestrack.services import activities, tokens, users
from salestrack.services.setup import init_store
from salestrack.services.users import actor_for
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork

PG_URL = os.environ.get(
    "SALESTRACK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/salestrack_test"
)
BODY = {"type": "call", "outcome": "connected", "subject": "bench"}


def _summary(name: str, latencies: list[float], writes: int, seconds: float) -> str:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return f"  {name:<34} {writes / seconds:>8.0f} writes/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms"


async def _drive(
    base: str, token: str, count: int, concurrency: int, bulk: int
) -> tuple[list[float], float]:
    latencies: list[float] = []
    queue = iter(range(count))
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency)
    body = {"items": [BODY] * bulk} if bulk > 1 else BODY
    path = "/api/v1/activities/bulk" if bulk > 1 else "/api/v1/activities"
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=60
    ) as client:

        async def worker() -> None:
            for n in queue:
                start = time.perf_counter()
                response = await client.post(
                    path, json=body, headers={"Idempotency-Key": f"{bulk}-{n}-{uuid.uuid4()}"}
                )
                latencies.append(time.perf_counter() - start)
                if response.status_code != 201:
                    raise RuntimeError(f"{response.status_code}: {response.text}")

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, time.perf_counter() - began


def _direct(uow: UnitOfWork, user_id: int, count: int, per_call: int) -> tuple[list[float], float]:
    """The service layer without HTTP: ``per_call`` activities per transaction."""
    with uow(SYSTEM):
        actor = actor_for(uow.users.get_visible(user_id))
    latencies = []
    began = time.perf_counter()
    for _ in range(count // per_call):
        start = time.perf_counter()
        with uow.batch(actor, defer_flush=True):
            for _ in range(per_call):
                activities.log_activity(uow, actor, **BODY)
            uow.commit()
        latencies.append(time.perf_counter() - start)
    return latencies, time.perf_counter() - began


@contextmanager
def _pg_schema() -> Iterator[str]:
    """The URL of a fresh PostgreSQL schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in PG_URL else "?"
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def bench_store(label: str, url: str, requests: int, concurrency: int) -> list[str]:
    engine = make_engine(url)
    init_store(engine)
    uow = UnitOfWork(engine)
    rep = users.create_user(uow, SYSTEM, email="bench@example.com", name="Bench", role="rep")
    token = tokens.create_token(uow, SYSTEM, name="bench", scope="write", user_id=rep.id).plaintext
    lines = [f"{label}:"]
    for per_call in (1, 100):
        latencies, seconds = _direct(uow, rep.id, requests, per_call)
        name = f"service layer, {per_call} per transaction"
        lines.append(_summary(name, latencies, requests, seconds))
    with running_server(url, SALESTRACK_WEBHOOKS_ENABLED="false") as base:
        asyncio.run(_drive(base, token, 200, concurrency, 1))  # warm up
        latencies, seconds = asyncio.run(_drive(base, token, requests, concurrency, 1))
        lines.append(
            _summary(f"API, {concurrency} clients, 1 per call", latencies, requests, seconds)
        )
        for per_call in (25, 100):
            calls = max(requests // per_call, 10)
            latencies, seconds = asyncio.run(_drive(base, token, calls, 4, per_call))
            name = f"API bulk, 4 clients, {per_call} per call"
            lines.append(_summary(name, latencies, calls * per_call, seconds))
    engine.dispose()
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    print(f"activity writes, {args.requests} per run (latency per call or transaction)")
    with tempfile.TemporaryDirectory() as tmp, _pg_schema() as pg_url:
        for label, url in (
            ("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}"),
            ("postgresql", pg_url),
        ):
            for line in bench_store(label, url, args.requests, args.concurrency):
                print(line, flush=True)


if __name__ == "__main__":
    main()
