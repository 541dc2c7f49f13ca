"""The in-process scheduler and the cron command plan due work once, across restarts."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from salestrack.automation.runner import run_rules, start_scheduler
from salestrack.cli.app import build_app
from salestrack.config import Settings
from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import FixedClock, SystemClock
from salestrack.services.idempotency import StoredResponse, remember
from salestrack.store.models import IdempotencyKey
from salestrack.store.uow import UnitOfWork
from tests.automation_factories import make_rule, rule_made
from tests.factories import make_deal, make_rep
from tests.waiting import eventually


def test_scheduler_runs_rules_and_a_restart_adds_nothing(
    uow: UnitOfWork, engine: Engine, clock: FixedClock
) -> None:
    _, rep = make_rep(uow)
    make_deal(uow, rep)
    make_rule(uow, kind="stalled", idle_days=10, plan_type="task")
    clock.advance(timedelta(days=11))
    settings = Settings(agenda_hour=23)
    scheduler = start_scheduler(engine, settings, clock)
    try:
        assert eventually(lambda: len(rule_made(uow)) == 1)
        jobs = {job.id for job in scheduler.get_jobs()}
        assert jobs == {"run_rules", "agendas", "housekeeping", "stopped_imports"}
        scheduler.get_job("run_rules").func()
    finally:
        scheduler.shutdown(wait=True)
    restarted = start_scheduler(engine, settings, clock)
    try:
        restarted.get_job("run_rules").func()
    finally:
        restarted.shutdown(wait=True)
    assert len(rule_made(uow)) == 1


def test_cron_command_is_idempotent(engine: Engine) -> None:
    live = UnitOfWork(engine, SystemClock())  # the CLI runs on the system clock
    _, rep = make_rep(live)
    make_deal(live, rep)
    make_rule(live, kind="stalled", idle_days=0, plan_type="task", name="Idle deals")
    url = engine.url.render_as_string(hide_password=False)
    app = build_app()
    dry = CliRunner().invoke(app, ["run-rules", "--db", url, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would plan 1 activities" in dry.output
    first = CliRunner().invoke(app, ["run-rules", "--db", url])
    assert first.exit_code == 0, first.output
    assert "planned 1 activities" in first.output
    again = CliRunner().invoke(app, ["run-rules", "--db", url])
    assert "planned 0 activities" in again.output
    assert len(rule_made(live)) == 1


def test_two_runners_at_once_plan_each_activity_once(
    uow: UnitOfWork, engine: Engine, clock: FixedClock
) -> None:
    _, rep = make_rep(uow)
    for _ in range(30):
        make_deal(uow, rep)
    make_rule(uow, kind="stalled", idle_days=10, plan_type="task")
    clock.advance(timedelta(days=11))
    barrier = threading.Barrier(2)
    reports = []

    def runner() -> None:
        barrier.wait()
        reports.append(run_rules(UnitOfWork(engine, clock)))

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(reports) == 2
    assert sorted(r.total_planned for r in reports) == [0, 30]
    assert len(rule_made(uow)) == 30


def test_housekeeping_purges_idempotency_keys_older_than_a_week(
    uow: UnitOfWork, engine: Engine, clock: FixedClock
) -> None:
    user, _ = make_rep(uow)
    remember(uow, user.id, "old", "f" * 64, StoredResponse(201, {}, "{}"))
    clock.advance(timedelta(days=8))
    remember(uow, user.id, "recent", "f" * 64, StoredResponse(201, {}, "{}"))
    scheduler = start_scheduler(engine, Settings(agenda_hour=23), clock)
    try:
        scheduler.get_job("housekeeping").func()
    finally:
        scheduler.shutdown(wait=True)
    with uow(SYSTEM):
        kept = uow.session.scalars(select(IdempotencyKey.key)).all()
    assert kept == ["recent"]
