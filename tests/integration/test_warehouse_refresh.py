"""The warehouse keeps up by itself: the server's timer syncs it, never two syncs at once, and
the pages' connection survives a sync."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from salestrack.analytics import refresh
from salestrack.analytics.metrics import compute
from salestrack.analytics.refresh import WarehouseSync
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import open_warehouse
from salestrack.analytics.sync import SyncReport
from salestrack.analytics.warehouse import Warehouse
from salestrack.automation.runner import build_scheduler
from salestrack.config import Settings
from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import FixedClock
from salestrack.errors import WarehouseBusy
from salestrack.services import activities
from salestrack.store.uow import UnitOfWork
from salestrack.web.data import WarehouseReader
from tests.factories import make_rep
from tests.warehouse_holder import held_by_another_process


def _calls(warehouse: Warehouse) -> int:
    with open_warehouse(warehouse) as source:
        return int(compute("calls_made", Scope(SYSTEM, source)).frame["calls_made"].iloc[0])


def _log_call(uow: UnitOfWork, clock: FixedClock) -> None:
    _, rep = make_rep(uow)
    activities.log_activity(uow, rep, type="call", outcome="connected", started_at=clock.now())


def test_the_server_timer_syncs_the_warehouse(
    engine: Engine, uow: UnitOfWork, clock: FixedClock, tmp_path: Path
) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb")
    syncs = WarehouseSync(engine, warehouse)
    scheduler = build_scheduler(engine, Settings(sync_every_seconds=30), clock, warehouse=syncs)
    job = scheduler.get_job("warehouse_sync")
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(seconds=30)

    _log_call(uow, clock)
    job.func()  # one beat, run by hand: the store's call reaches the warehouse
    assert _calls(warehouse) == 1
    _log_call(uow, clock)
    job.func()
    assert _calls(warehouse) == 2


def test_no_timer_without_a_warehouse_or_an_interval(engine: Engine, tmp_path: Path) -> None:
    syncs = WarehouseSync(engine, Warehouse(tmp_path / "w.duckdb"))
    for settings, warehouse in (
        (Settings(), None),
        (Settings(sync_every_seconds=0), syncs),
    ):
        scheduler = build_scheduler(engine, settings, warehouse=warehouse)
        assert scheduler.get_job("warehouse_sync") is None
        assert scheduler.get_job("run_rules") is not None


def test_a_running_sync_makes_the_timer_skip_and_an_import_wait(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two objects on one file share its lock: DuckDB has one writer per file."""
    entered, release = threading.Event(), threading.Event()
    runs: list[str] = []

    def slow_sync(engine: Engine, warehouse: Warehouse) -> SyncReport:
        runs.append("started")
        entered.set()
        assert release.wait(10)
        return SyncReport()

    monkeypatch.setattr(refresh, "sync", slow_sync)
    path = tmp_path / "w.duckdb"
    first, timer = WarehouseSync(engine, Warehouse(path)), WarehouseSync(engine, Warehouse(path))
    running = threading.Thread(target=first.run)
    running.start()
    try:
        assert entered.wait(10)
        timer.tick()  # returns at once: the running sync covers it
        assert timer.run(wait=False) is None
        assert runs == ["started"] and timer.last_run is None
        waiting: list[SyncReport | None] = []
        importer = threading.Thread(target=lambda: waiting.append(timer.run()))
        importer.start()
        importer.join(0.2)  # a bounded look: it must still be waiting for the lock
        assert importer.is_alive() and runs == ["started"]
    finally:
        release.set()
        running.join(10)
    importer.join(10)
    assert runs == ["started", "started"] and waiting != [None]


def test_a_failing_beat_is_logged_and_the_next_one_retries(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    attempts: list[int] = []

    def locked(engine: Engine, warehouse: Warehouse) -> SyncReport:
        attempts.append(1)
        if len(attempts) == 1:
            raise WarehouseBusy(warehouse.path)  # a CLI sync holds the file
        return SyncReport()

    monkeypatch.setattr(refresh, "sync", locked)
    syncs = WarehouseSync(engine, Warehouse(tmp_path / "w.duckdb"))
    syncs.tick()
    assert "warehouse sync failed" in caplog.text and syncs.last_run is None
    syncs.tick()
    assert len(attempts) == 2 and syncs.last_run is not None


def test_the_pages_connection_survives_a_sync(
    engine: Engine, uow: UnitOfWork, clock: FixedClock, tmp_path: Path
) -> None:
    """The reader used to close its connection to sync, breaking queries on its cursors."""
    reader = WarehouseReader(engine, Warehouse(tmp_path / "w.duckdb"), max_age_s=3600)
    try:
        _log_call(uow, clock)
        with reader.cursor() as cur:
            _log_call(uow, clock)
            reader.refresh(force=True)  # the timer's beat, in the middle of a page's query
            found = cur.execute("SELECT count(*) FROM activities").fetchone()
        assert found == (2,)
        reader.refresh()  # younger than max_age_s: no sync
        _log_call(uow, clock)
        assert reader.frame("SELECT count(*) AS n FROM activities")["n"].iloc[0] == 2
    finally:
        reader.close()


def test_the_imports_page_syncs_the_warehouse_it_reads(tmp_path: Path) -> None:
    """The pages re-sync only hourly here, so only the import's own sync can show the orders."""
    from fastapi.testclient import TestClient

    from salestrack.api.app import create_app
    from salestrack.services.setup import init_store
    from salestrack.services.users import create_user
    from salestrack.store.engine import make_engine
    from salestrack.web.app import WebSettings

    url = f"sqlite:///{tmp_path / 's.db'}"
    engine = make_engine(url)
    init_store(engine)
    create_user(
        UnitOfWork(engine), SYSTEM, email="mia@example.com", name="Mia", role="manager",
        password="a-long-password",
    )  # fmt: skip
    settings = Settings(database_url=url, webhooks_enabled=False)
    app = create_app(settings, engine, web=WebSettings(warehouse_max_age_s=3600))
    reader: WarehouseReader = app.state.web.reader
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
        "500001,A,Mug,2,2010-01-04 10:00:00,1.50,111,United Kingdom\n"
        "500002,A,Mug,1,2010-01-05 10:00:00,1.50,222,France\n"
    )
    with TestClient(app) as client:
        signed_in = client.post(
            "/login", data={"email": "mia@example.com", "password": "a-long-password"}
        )
        assert signed_in.status_code == 200
        csrf = client.get("/api/v1/auth/me").json()["csrf_token"]
        reader.refresh()  # the pages have synced: the next sync is an hour away
        assert reader.frame("SELECT count(*) AS n FROM orders")["n"].iloc[0] == 0
        page = client.post(
            "/imports",
            data={"csrf_token": csrf, "preset": "orders", "action": "run"},
            files={"file": ("orders.csv", orders.read_bytes(), "text/csv")},
        )
        assert page.status_code == 200, page.text
        assert reader.frame("SELECT count(*) AS n FROM orders")["n"].iloc[0] == 2
    engine.dispose()


def test_a_file_held_by_another_process_sends_this_one_to_its_own(
    engine: Engine, uow: UnitOfWork, clock: FixedClock, tmp_path: Path
) -> None:
    """Several server workers over one store: DuckDB gives a file to one process, so a worker
    that finds the configured file held syncs and reads a sibling file of its own."""
    held = tmp_path / "w.duckdb"
    with held_by_another_process(held):
        _log_call(uow, clock)
        _log_call(uow, clock)
        reader = WarehouseReader(engine, Warehouse(held), max_age_s=0)
        calls = reader.frame("SELECT count(*) AS n FROM activities")["n"].iloc[0]
        assert calls == 2
        assert reader.warehouse.path == tmp_path / "w.worker-1.duckdb"
        assert reader.syncs.warehouse.path == reader.warehouse.path  # the timer syncs it too
        _log_call(uow, clock)
        reader.syncs.tick()
        assert reader.frame("SELECT count(*) AS n FROM activities")["n"].iloc[0] == 3
        reader.close()
    # Once the other process is gone, a new reader takes the configured file again.
    reader = WarehouseReader(engine, Warehouse(held), max_age_s=0)
    reader.open()
    assert reader.warehouse.path == held
    reader.close()


def test_readers_finding_the_warehouse_stale_together_share_one_sync(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four page requests arrive while the warehouse is stale: one syncs, the others wait for
    it and read its result instead of queueing three more syncs behind it."""
    runs: list[int] = []
    started = threading.Event()

    def slow(engine: Engine, warehouse: Warehouse) -> SyncReport:
        runs.append(1)
        started.set()
        time.sleep(0.3)  # long enough for the other readers to queue behind it
        return SyncReport()

    monkeypatch.setattr(refresh, "sync", slow)
    reader = WarehouseReader(engine, Warehouse(tmp_path / "w.duckdb"), max_age_s=3600)
    readers = [threading.Thread(target=reader.refresh) for _ in range(4)]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join(30)
    assert started.is_set() and runs == [1]
    reader.refresh(force=True)  # an import's forced sync still runs
    assert runs == [1, 1]
    reader.close()
