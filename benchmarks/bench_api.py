"""Activity creation through the REST API over loopback (one uvicorn worker) vs the service layer.

For each store (SQLite file, PostgreSQL schema) it reports writes per second and p50/p99
latency (per call) of ``POST /api/v1/activities`` (one activity per call) and of
``POST /api/v1/activities/bulk`` (100 per call), from one client and from several at once, and,
as the baseline in the same run, of the same writes made by calling ``log_activity`` directly:
one per transaction, and 100 per transaction the way the bulk route batches them. It also
prints the CPU time the server, the client and PostgreSQL spent per call: on a 2-core machine
the client and the database alone bound how many single-record calls any server could answer.

Target (issue 5): PostgreSQL >= 1,000 writes/s with p99 < 100 ms; the last line says which
runs meet it.

    python benchmarks/bench_api.py [--requests 2000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
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
TARGET_RATE = 1_000
TARGET_P99_MS = 100


@dataclass(frozen=True)
class Run:
    """One measured run: what was written, how fast, and what each call cost in CPU."""

    name: str
    writes: int
    seconds: float
    latencies: list[float]
    cpu_ms: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.writes / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000

    def meets_target(self) -> bool:
        return self.rate >= TARGET_RATE and self.percentile(0.99) < TARGET_P99_MS

    def line(self) -> str:
        cpu = "  ".join(f"{who} {ms:5.1f}" for who, ms in self.cpu_ms.items())
        return (
            f"  {self.name:<38} {self.rate:>7.0f} writes/s   p50 {self.percentile(0.5):6.1f} ms"
            f"   p99 {self.percentile(0.99):6.1f} ms" + (f"   cpu ms/call: {cpu}" if cpu else "")
        )


class CpuMeter:
    """CPU seconds spent by the server, this client and PostgreSQL's processes."""

    def __init__(self, server_pid: int, *, postgres: bool) -> None:
        self.server = psutil.Process(server_pid)
        self.client = psutil.Process()
        self.postgres = postgres

    def read(self) -> dict[str, float]:
        """CPU seconds so far. PostgreSQL's backends are listed afresh each time, and those
        that ended (the pool closes its overflow connections) count through their parent,
        which has reaped them, so a difference of two readings is what was spent between."""
        found = {"server": _cpu_seconds(self.server), "client": _cpu_seconds(self.client)}
        if self.postgres:
            processes = [p for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]
            found["postgres"] = sum(map(_cpu_seconds, processes)) + sum(
                _cpu_seconds(p, reaped=True) for p in processes if not _is_backend(p)
            )
        return found


def _cpu_seconds(process: psutil.Process, *, reaped: bool = False) -> float:
    """CPU seconds of ``process`` itself, or with ``reaped`` of the children it waited for."""
    try:
        times = process.cpu_times()
    except psutil.Error:  # a PostgreSQL backend that ended meanwhile
        return 0.0
    if reaped:
        return float(times.children_user + times.children_system)
    return float(times.user + times.system)


def _is_backend(process: psutil.Process) -> bool:
    """Whether a postgres process was started by another one (the postmaster is not)."""
    try:
        parent = process.parent()
    except psutil.Error:
        return True
    return parent is not None and parent.name() == "postgres"


async def _drive(
    base: str, token: str, calls: int, concurrency: int, bulk: int
) -> tuple[list[float], float]:
    latencies: list[float] = []
    queue = iter(range(calls))
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


def _api_run(
    base: str, token: str, meter: CpuMeter, writes: int, concurrency: int, bulk: int
) -> Run:
    calls = max(writes // bulk, 1)
    before = meter.read()
    latencies, seconds = asyncio.run(_drive(base, token, calls, concurrency, bulk))
    after = meter.read()
    cpu = {who: (after[who] - before[who]) * 1000 / calls for who in after}
    clients = f"{concurrency} client{'s' if concurrency > 1 else ''}"
    name = f"API, {clients}, {bulk} per call"
    return Run(name, calls * bulk, seconds, latencies, cpu)


def _direct(uow: UnitOfWork, user_id: int, count: int, per_call: int) -> Run:
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
    name = f"service layer, {per_call} per transaction"
    return Run(name, count, time.perf_counter() - began, latencies)


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


def bench_store(url: str, requests: int, concurrency: int) -> list[Run]:
    engine = make_engine(url)
    init_store(engine)
    uow = UnitOfWork(engine)
    rep = users.create_user(uow, SYSTEM, email="bench@example.com", name="Bench", role="rep")
    token = tokens.create_token(uow, SYSTEM, name="bench", scope="write", user_id=rep.id).plaintext
    runs = [_direct(uow, rep.id, requests, per_call) for per_call in (1, 100)]
    with running_server(url, SALESTRACK_WEBHOOKS_ENABLED="false") as base:
        meter = CpuMeter(server_pid(), postgres=url.startswith("postgresql"))
        # Warm up both paths: the first calls compile statements and fill caches.
        asyncio.run(_drive(base, token, 200, concurrency, 1))
        asyncio.run(_drive(base, token, 5, 1, 100))
        for clients in (1, concurrency):
            runs.append(_api_run(base, token, meter, requests, clients, 1))
        # Bulk calls are cheap per write: five times the writes give enough calls for a p99.
        for clients in (1, 4):
            runs.append(_api_run(base, token, meter, requests * 5, clients, 100))
    engine.dispose()
    return runs


def server_pid() -> int:
    """The pid of the server ``running_server`` started: this process's ``serve`` child."""
    [server] = [p for p in psutil.Process().children() if "serve" in p.cmdline()]
    return int(server.pid)


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
            print(f"{label}:", flush=True)
            runs = bench_store(url, args.requests, args.concurrency)
            for run in runs:
                print(run.line(), flush=True)
    met = [run.name for run in runs if run.name.startswith("API") and run.meets_target()]
    print(
        f"target on postgresql (>= {TARGET_RATE:,} writes/s, p99 < {TARGET_P99_MS} ms): "
        + ("met by " + "; ".join(met) if met else "not met")
    )


if __name__ == "__main__":
    main()
