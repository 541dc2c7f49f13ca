"""Server time of the manager overview and of "my day" on a demo store with 1,000,000 activities.

Each page is requested through the ASGI app in-process (routing, dependencies, queries,
templates, chart specs: everything the server does, no network), next to the time of the
queries behind it alone, in the same run. Target: p95 under 300 ms. The store is built once
into bench-data/ (gitignored) and reused; delete it to rebuild.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from fastapi.testclient import TestClient

from salestrack.config import Settings
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import Role
from salestrack.simulate import SimulationParams
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork
from salestrack.web import data, queries
from salestrack.web.app import WebSettings, create_web_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.web_seed import PASSWORD, seed_web_store

ACTIVITIES = 1_000_000
ROUNDS = 30
STORE = Path("bench-data/web-1m.db")
TARGET_MS = 300.0


def _timed(run: Callable[[], object], rounds: int = ROUNDS) -> list[float]:
    run()  # warm caches (templates, DuckDB buffers) once, untimed
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _line(name: str, ms: list[float]) -> str:
    p95 = statistics.quantiles(ms, n=20)[-1]
    flag = "ok" if p95 < TARGET_MS else "OVER TARGET"
    return f"{name:<34} p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   {flag}"


def main() -> int:
    url = f"sqlite:///{STORE}"
    fresh = not STORE.exists()
    STORE.parent.mkdir(exist_ok=True)
    engine = make_engine(url)
    if fresh:
        print(f"building {STORE} with {ACTIVITIES:,} activities (once) ...", flush=True)
        seeded = seed_web_store(engine, SimulationParams.for_activities(ACTIVITIES))
        STORE.with_suffix(".users").write_text(f"{seeded.manager}\n{seeded.rep}\n")
    manager_email, rep_email = STORE.with_suffix(".users").read_text().split()
    app = create_web_app(Settings(database_url=url), engine, web=WebSettings(web_secret="bench"))
    state = app.state.web
    start = time.perf_counter()
    state.reader.refresh(force=True)
    print(f"warehouse sync: {time.perf_counter() - start:.1f} s", flush=True)

    def client(email: str) -> TestClient:
        c = TestClient(app)
        c.post("/login", data={"email": email, "password": PASSWORD})
        return c

    manager, rep = client(manager_email), client(rep_email)
    uow = UnitOfWork(engine)
    with uow(Actor(None, Role.ADMIN, None, "bench")):
        m = uow.users.find_one(email=manager_email)
        r = uow.users.find_one(email=rep_email)
    assert m is not None and r is not None
    m_actor = Actor(m.id, Role.MANAGER, m.team_id, m.email)
    r_actor = Actor(r.id, Role.REP, r.team_id, r.email)

    def overview_queries() -> None:
        end = data.data_end(state.reader, datetime.now(UTC))
        ids = data.scope_ids(state.reader, m_actor)
        data.overview(state.reader, ids, data.Window(end - timedelta(days=28), end))

    def day_queries() -> None:
        now = datetime.now(UTC)
        rep_uow = UnitOfWork(engine)
        with rep_uow(r_actor):
            queries.my_day(
                rep_uow, r_actor.id or 0, datetime.combine(now.date(), clock_time(0), UTC), now
            )

    def get(c: TestClient, path: str) -> Callable[[], object]:
        def run() -> None:
            response = c.get(path)
            assert response.status_code == 200, response.text[:300]

        return run

    with uow(Actor(None, Role.ADMIN, None, "bench")):
        total = uow.activities.count()
    print(f"store: {STORE} ({total:,} activities), {ROUNDS} requests each")
    print(_line("GET /team (manager overview)", _timed(get(manager, "/team"))))
    print(_line("  overview queries alone", _timed(overview_queries)))
    print(_line("GET /day (rep's my day)", _timed(get(rep, "/day"))))
    print(_line("  my-day queries alone", _timed(day_queries)))
    state.reader.close()
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
