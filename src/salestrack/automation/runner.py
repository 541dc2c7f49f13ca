"""``run_rules``: evaluate every active rule over the whole store, in batch, idempotently.

Cron (``salestrack run-rules``) and the in-process scheduler call this. Time-based rules
(stalled deals, nurture) only run here; event rules run here too, to catch events whose trigger
was skipped. Each plan carries a deterministic key, so running twice, or two runners at once,
plans nothing twice: a key already stored is skipped, and the unique constraint rejects a race.
"""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from salestrack.automation import events, followups, watches
from salestrack.automation.planner import Candidate, PlanItem, Planner
from salestrack.automation.reminders import send_agendas
from salestrack.automation.rules import RuleKind, active_rules, plan
from salestrack.config import Settings
from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import Clock
from salestrack.errors import Conflict, SalestrackError
from salestrack.services import import_jobs
from salestrack.services.idempotency import purge
from salestrack.store.models import AutomationRule
from salestrack.store.uow import UnitOfWork

if TYPE_CHECKING:
    from salestrack.analytics.refresh import WarehouseSync

IDEMPOTENCY_KEEP = timedelta(days=7)

log = logging.getLogger(__name__)
DEFAULT_LOOKBACK = timedelta(days=14)
RETRIES = 3
_JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
Select = Callable[[Planner, AutomationRule, datetime, timedelta], Iterable[Candidate]]

_SELECT: dict[RuleKind, Select] = {
    RuleKind.FOLLOW_UP: followups.activity_candidates,
    RuleKind.STAGE: followups.stage_candidates,
    RuleKind.STALLED: lambda p, r, now, _: watches.stalled_candidates(p, r, now),
    RuleKind.NURTURE: lambda p, r, now, _: watches.nurture_candidates(p, r, now),
    RuleKind.EVENT: events.event_candidates,
}


@dataclass
class RunReport:
    """What one run found and planned, per rule name."""

    at: datetime
    due: dict[str, int] = field(default_factory=dict)
    planned: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def total_planned(self) -> int:
        return sum(self.planned.values())

    @property
    def total_due(self) -> int:
        return sum(self.due.values())


def due_items(
    rule: AutomationRule, planner: Planner, now: datetime, lookback: timedelta
) -> list[PlanItem]:
    """The activities one rule asks for right now that are not planned yet."""
    select_candidates = _SELECT[RuleKind(rule.kind)]
    return [
        plan(planner, rule, candidate)
        for candidate in select_candidates(planner, rule, now, lookback)
    ]


def run_rules(
    uow: UnitOfWork,
    *,
    kinds: Iterable[RuleKind] = (),
    lookback: timedelta = DEFAULT_LOOKBACK,
    dry_run: bool = False,
    default_zone: str = "UTC",
) -> RunReport:
    """Evaluate the active rules at the unit of work's clock time; one transaction.

    ``dry_run`` selects and schedules but writes nothing: the figures say what a real run would
    plan. Events older than ``lookback`` are left alone (a rule switched on today does not wake
    up a year of history).
    """
    started = _time.perf_counter()
    for attempt in range(1, RETRIES + 1):
        try:
            report = _run_once(uow, list(kinds), lookback, dry_run, default_zone)
            break
        except Conflict:
            # Another runner committed some of the same keys first; a fresh attempt sees them
            # stored and plans only what is still missing.
            if attempt == RETRIES:
                raise
            log.info("run_rules lost a race with another runner; retrying")
    report.seconds = _time.perf_counter() - started
    return report


def _run_once(
    uow: UnitOfWork, kinds: list[RuleKind], lookback: timedelta, dry_run: bool, zone: str
) -> RunReport:
    with uow(SYSTEM, "automation.run_rules"):
        now = uow.clock.now()
        report = RunReport(at=now, dry_run=dry_run)
        planner = Planner(uow.session, zone)
        for rule in active_rules(uow, *kinds):
            items = due_items(rule, planner, now, lookback)
            stored = planner.existing(i.key for i in items)
            fresh = [i for i in items if i.key not in stored]
            report.due[rule.name] = len(fresh)
            report.planned[rule.name] = 0 if dry_run else len(planner.add(fresh))
        if not dry_run:
            uow.commit()
    return report


def start_scheduler(
    engine: Engine,
    settings: Settings,
    clock: Clock | None = None,
    *,
    warehouse: WarehouseSync | None = None,
) -> BackgroundScheduler:
    """Start the in-process scheduler ``salestrack serve`` runs; returns it (call ``shutdown``).

    See :func:`build_scheduler` for its jobs.
    """
    scheduler = build_scheduler(engine, settings, clock, warehouse=warehouse)
    scheduler.start()
    return scheduler


def build_scheduler(
    engine: Engine,
    settings: Settings,
    clock: Clock | None = None,
    *,
    warehouse: WarehouseSync | None = None,
) -> BackgroundScheduler:
    """The scheduler with its jobs, not started (tests run the jobs by hand).

    Each job runs at most one instance at a time and is coalesced after a pause: ``run_rules``
    every ``settings.rules_every_minutes``, the agenda e-mails every ten minutes (each rep
    gets theirs once, after ``settings.agenda_hour`` local time), every six hours the purge of
    idempotency keys older than a week (clients retry within hours, not weeks), and, given a
    ``warehouse``, its sync every ``settings.sync_every_seconds`` (from the start, so the
    dashboards catch up at once) that skips a beat while another sync of it runs. Several app
    workers may each run one: the deterministic keys and marks make the overlap harmless, and
    a worker that finds the warehouse file locked by another logs it and retries.
    """
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults=_JOB_DEFAULTS)

    def rules_job() -> None:
        try:
            report = run_rules(UnitOfWork(engine, clock), default_zone=settings.default_time_zone)
            log.info("run_rules planned %d in %.2f s", report.total_planned, report.seconds)
        except SalestrackError:
            log.exception("run_rules failed; the next run retries")

    def agenda_job() -> None:
        try:
            send_agendas(UnitOfWork(engine, clock), settings)
        except (SalestrackError, OSError):
            log.exception("agenda e-mails failed; the next run retries")

    scheduler.add_job(
        rules_job,
        "interval",
        minutes=settings.rules_every_minutes,
        id="run_rules",
        next_run_time=datetime.now(UTC),
    )

    def housekeeping_job() -> None:
        uow = UnitOfWork(engine, clock)
        purge(uow, uow.clock.now() - IDEMPOTENCY_KEEP)

    scheduler.add_job(agenda_job, "interval", minutes=10, id="agendas")

    def stopped_imports_job() -> None:
        try:
            failed = import_jobs.fail_stopped(UnitOfWork(engine, clock))
        except (SalestrackError, SQLAlchemyError):
            log.exception("could not check for stopped imports; the next run retries")
            return
        if failed:
            log.warning("%d import(s) left by a stopped server marked failed", failed)

    scheduler.add_job(housekeeping_job, "interval", hours=6, id="housekeeping")
    scheduler.add_job(
        stopped_imports_job,
        "interval",
        minutes=1,
        id="stopped_imports",
        next_run_time=datetime.now(UTC),
    )
    if warehouse is not None and settings.sync_every_seconds > 0:
        scheduler.add_job(
            warehouse.tick,
            "interval",
            seconds=settings.sync_every_seconds,
            id="warehouse_sync",
            next_run_time=datetime.now(UTC),
        )
    return scheduler
