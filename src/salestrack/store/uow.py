"""The unit of work: one transaction, its repositories, the acting user and the clock."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from salestrack.domain.actor import SYSTEM, Actor
from salestrack.domain.clock import Clock, SystemClock
from salestrack.errors import Conflict, SalestrackError
from salestrack.store import models as m
from salestrack.store import tracking
from salestrack.store.repository import Repository


class UnitOfWork:
    """One transaction: ``with uow(actor, "deal.moved"): ...; uow.commit()``.

    Leaving the block without commit rolls back.

    Everything flushed inside is numbered and audited under ``actor`` and ``action``.
    """

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock: Clock = clock or SystemClock()
        self._factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
        tracking.install(self._factory)
        self._actor: Actor = SYSTEM
        self._action: str | None = None
        self._session: Session | None = None

    def __call__(self, actor: Actor, action: str | None = None) -> Self:
        if self._session is not None:
            raise RuntimeError("unit of work already in a transaction")
        self._actor, self._action = actor, action
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
        self.audit = Repository(session, m.AuditEvent, actor)
        self.tokens = Repository(session, m.ApiToken, actor)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
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

    def flush(self) -> None:
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise Conflict(f"the change conflicts with stored data: {exc.orig}") from exc

    def commit(self) -> None:
        try:
            self.session.commit()
        except IntegrityError as exc:
            raise Conflict(f"the change conflicts with stored data: {exc.orig}") from exc
