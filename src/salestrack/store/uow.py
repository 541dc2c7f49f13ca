"""The unit of work: one transaction, its repositories, the acting user and the clock."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from salestrack.domain.actor import SYSTEM, Actor
from salestrack.domain.clock import Clock, SystemClock
from salestrack.errors import Conflict, SalestrackError
from salestrack.store import models as m
from salestrack.store import tracking
from salestrack.store.repository import Repository

R = TypeVar("R")


class UnitOfWork:
    """One transaction: ``with uow(actor, "deal.moved"): ...; uow.commit()``.

    Leaving the block without commit rolls back.

    Everything flushed inside is numbered and audited under ``actor`` and ``action``.

    :meth:`batch` opens one outer transaction that service calls inside it join: their ``with``
    blocks and ``commit`` calls only flush, so many use cases commit (or roll back) together.
    Bulk API calls use it to write thousands of records atomically through the same services.
    """

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock: Clock = clock or SystemClock()
        self._factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
        tracking.install(self._factory)
        self._actor: Actor = SYSTEM
        self._action: str | None = None
        self._session: Session | None = None
        self._batch = False
        self._defer_flush = False
        self._depth = 0

    def __call__(self, actor: Actor, action: str | None = None) -> Self:
        if self._session is not None:
            if not self._batch:
                raise RuntimeError("unit of work already in a transaction")
            if actor != self._actor:
                raise RuntimeError("a batch runs under one actor")
            self._action = action
            self.session.info[tracking.ACTION_KEY] = action
            return self
        self._actor, self._action = actor, action
        return self

    def batch(self, actor: Actor, action: str | None = None, *, defer_flush: bool = False) -> Self:
        """Open an outer transaction that nested service calls join; commit once at the end.

        Inside an open batch, a second ``batch`` joins it like a service call does, so a route
        that batches its own work can run inside the request's batch (see ``api.context``).

        With ``defer_flush`` the services' own ``commit`` calls do not even flush: a bulk of
        new rows is flushed together (one block of change numbers, multi-row INSERTs, one
        audit executemany) by the caller's :meth:`flush` or final commit. The price: a
        database constraint error names the whole batch, not the item.
        """
        if self._session is not None:
            self(actor, action)
        else:
            self._actor, self._action = actor, action
            self._batch = True
        self._defer_flush = self._defer_flush or defer_flush
        return self

    @property
    def actor(self) -> Actor:
        return self._actor

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'with'")
        return self._session

    def __enter__(self) -> Self:
        if self._session is not None:  # a service call joining the open batch
            self._depth += 1
            return self
        session = self._factory()
        session.info.update(
            {
                tracking.ACTOR_KEY: self._actor,
                tracking.ACTION_KEY: self._action,
                tracking.CLOCK_KEY: self.clock,
            }
        )
        self._session = session
        actor = self._actor
        self.users = Repository(session, m.User, actor)
        self.teams = Repository(session, m.Team, actor)
        self.accounts = Repository(session, m.Account, actor)
        self.contacts = Repository(session, m.Contact, actor)
        self.leads = Repository(session, m.Lead, actor)
        self.pipelines = Repository(session, m.Pipeline, actor)
        self.stages = Repository(session, m.Stage, actor)
        self.deals = Repository(session, m.Deal, actor)
        self.stage_changes = Repository(session, m.StageChange, actor)
        self.activity_types = Repository(session, m.ActivityType, actor)
        self.activities = Repository(session, m.Activity, actor)
        self.goals = Repository(session, m.Goal, actor)
        self.orders = Repository(session, m.Order, actor)
        self.satisfaction = Repository(session, m.SatisfactionResponse, actor)
        self.cadences = Repository(session, m.Cadence, actor)
        self.cadence_steps = Repository(session, m.CadenceStep, actor)
        self.experiments = Repository(session, m.Experiment, actor)
        self.enrollments = Repository(session, m.Enrollment, actor)
        self.automation_rules = Repository(session, m.AutomationRule, actor)
        self.customer_events = Repository(session, m.CustomerEvent, actor)
        self.field_routes = Repository(session, m.FieldRoute, actor)
        self.audit = Repository(session, m.AuditEvent, actor)
        self.tokens = Repository(session, m.ApiToken, actor)
        self.webhooks = Repository(session, m.WebhookSubscription, actor)
        self.webhook_deliveries = Repository(session, m.WebhookDelivery, actor)
        self.imports = Repository(session, m.ImportJob, actor)
        self.import_rejects = Repository(session, m.ImportReject, actor)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._depth > 0:  # leaving a joined block: the outer batch decides
            self._depth -= 1
            if isinstance(exc, IntegrityError) and not isinstance(exc, SalestrackError):
                raise Conflict(f"the change conflicts with stored data: {exc.orig}") from exc
            return
        session, self._session = self.session, None
        self._batch = self._defer_flush = False
        try:
            if exc_type is None:
                # A read-only block: hand out what was read as detached, still-loaded rows.
                session.expunge_all()
            session.rollback()
        finally:
            session.close()
            self._actor, self._action = SYSTEM, None
        if isinstance(exc, IntegrityError) and not isinstance(exc, SalestrackError):
            raise Conflict(f"the change conflicts with stored data: {exc.orig}") from exc

    def memo(self, model: type[m.Base], key: Hashable, load: Callable[[], R]) -> R:
        """``load()`` once per transaction, for reference rows read by every write of a batch.

        Activity types and automation rules are read for each activity; a bulk of 10,000 needs
        them once. The entry is dropped when this transaction changes a ``model`` row (see
        ``tracking.before_flush``); other transactions' changes are invisible here anyway.
        """
        cache: dict[tuple[type[m.Base], Hashable], Any] = self.session.info.setdefault(
            tracking.MEMO_KEY, {}
        )
        if (model, key) not in cache:
            cache[model, key] = load()
        result: R = cache[model, key]
        return result

    def flush(self) -> None:
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise Conflict(f"the change conflicts with stored data: {exc.orig}") from exc

    def commit(self) -> None:
        """Commit; inside a joined block of a batch only flush, so the batch stays atomic."""
        if self._depth > 0:
            if not self._defer_flush:
                self.flush()
            return
        try:
            self.session.commit()
        except IntegrityError as exc:
            raise Conflict(f"the change conflicts with stored data: {exc.orig}") from exc
