"""Customer events: a funding round, an award or an expansion is a reason to call.

:func:`post_customer_event` is the service the API and webhooks call; it stores the event and,
in the same transaction, lets every matching ``event`` rule plan a call-and-congratulate task for
the account owner. ``run_rules`` repeats the selection in batch for events that arrived with
``automate=False`` from a live source or before a rule was switched on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select

from salestrack.automation.followups import missing_key
from salestrack.automation.planner import QUIET_SOURCES, RULE_SOURCE, Candidate, Planner
from salestrack.automation.rules import (
    CUSTOMER_EVENTS,
    DEFAULT_SUBJECTS,
    RuleKind,
    active_rules,
    applies_to,
    plan,
    team_clause,
)
from salestrack.domain import rules as checks
from salestrack.domain.actor import SYSTEM, Actor
from salestrack.errors import Conflict
from salestrack.services.fields import ensure_link
from salestrack.store.models import Account, Activity, AutomationRule, CustomerEvent
from salestrack.store.uow import UnitOfWork

_KEYS_PER_QUERY = 500
DEFAULT_RULE: dict[str, Any] = {
    "name": "Congratulate customers on their news",
    "kind": RuleKind.EVENT.value,
    "plan_type": "call",
    "plan_purpose": "check_in",
    "delay_days": 0,
    "at_local": "10:00",
    "subject": DEFAULT_SUBJECTS[RuleKind.EVENT],
}


def seed_event_rule(uow: UnitOfWork) -> list[str]:
    """Inside an open unit of work: add the default event rule unless an event rule exists.

    Out of the box a customer event plans a congratulation call; a manager may change or switch
    off that rule, and since it still exists then, ``init`` never brings it back.
    """
    if any_rule_of(uow, RuleKind.EVENT):
        return []
    uow.session.add(AutomationRule(**DEFAULT_RULE))
    uow.session.flush()
    return [f"created automation rule {DEFAULT_RULE['name']!r}"]


def event_key(rule_id: int, event_id: int) -> str:
    return f"event:{rule_id}:{event_id}"


def any_rule_of(uow: UnitOfWork, kind: RuleKind) -> bool:
    """Whether any rule of this kind exists, switched on or off."""
    return bool(uow.session.scalar(select(exists().where(AutomationRule.kind == kind.value))))


def _label(kind: str) -> str:
    return kind.replace("_", " ")


def post_customer_event(
    uow: UnitOfWork,
    actor: Actor,
    *,
    account_id: int,
    kind: str,
    title: str | None = None,
    occurred_at: datetime | None = None,
    source: str = "manual",
    external_id: str | None = None,
    automate: bool = True,
) -> tuple[CustomerEvent, list[Activity]]:
    """Record a customer event; returns it and the tasks the event rules planned."""
    with uow(actor, "customer_event.posted"):
        events = uow.customer_events
        account = ensure_link(uow.accounts, account_id, "account_id")
        assert account is not None
        kind = checks.choice("kind", kind, CUSTOMER_EVENTS)
        if external_id and events.find_any(source=source, external_id=external_id):
            raise Conflict(f"event {source}/{external_id} was already posted")
        event = events.add(
            CustomerEvent(
                account_id=account.id,
                kind=kind,
                title=checks.optional_text("title", title, max_len=500),
                occurred_at=checks.utc("occurred_at", occurred_at or uow.clock.now()),
                source=checks.require_text("source", source, max_len=16),
                external_id=checks.optional_text("external_id", external_id, max_len=255),
            )
        )
        planned = event_rule_hits(uow, event, account) if automate else []
        uow.commit()
    return event, planned


def posted_event(uow: UnitOfWork, source: str, external_id: str) -> CustomerEvent | None:
    """The event a source already posted under its id, whoever may see it (for retries)."""
    with uow(SYSTEM):
        return uow.customer_events.find_any(source=source, external_id=external_id)


def planned_tasks(
    uow: UnitOfWork, actor: Actor, event_ids: Sequence[int]
) -> dict[int, list[Activity]]:
    """The tasks the event rules planned for each event, as far as ``actor`` sees them.

    A task carries its event in its key (``event:<rule>:<event>``), so the tasks are read by
    exact keys over every event rule, switched off or not, which the unique index answers.
    """
    found: dict[int, list[Activity]] = {event_id: [] for event_id in event_ids}
    with uow(actor):
        rule_ids = uow.session.scalars(
            select(AutomationRule.id).where(AutomationRule.kind == RuleKind.EVENT.value)
        ).all()
        keys = {event_key(r, e): e for r in rule_ids for e in found}
        wanted = list(keys)
        for start in range(0, len(wanted), _KEYS_PER_QUERY):
            stmt = uow.activities.scoped(
                Activity.source == RULE_SOURCE,
                Activity.external_id.in_(wanted[start : start + _KEYS_PER_QUERY]),
            )
            for task in uow.session.scalars(stmt):
                found[keys[task.external_id or ""]].append(task)
    for tasks in found.values():
        tasks.sort(key=lambda task: task.id)
    return found


def event_rule_hits(uow: UnitOfWork, event: CustomerEvent, account: Account) -> list[Activity]:
    """Trigger path: the tasks every matching event rule asks for."""
    if event.source in QUIET_SOURCES or account.owner_id is None:
        return []
    owner = account.owner_id
    rules = [
        rule
        for rule in active_rules(uow, RuleKind.EVENT)
        if rule.on_event in (None, event.kind) and applies_to(rule, uow, owner)
    ]
    planner = Planner(uow.session)
    return planner.add(
        [plan(planner, rule, _candidate(planner, rule, event, owner)) for rule in rules]
    )


def _candidate(
    planner: Planner, rule: AutomationRule, event: CustomerEvent, owner: int
) -> Candidate:
    return planner.candidate(
        event_key(rule.id, event.id),
        event.created_at,
        owner,
        account_id=event.account_id,
        event=event.title or _label(event.kind),
    )


def event_candidates(
    planner: Planner, rule: AutomationRule, now: datetime, lookback: timedelta
) -> Iterator[Candidate]:
    """Batch path: events since the rule exists that still lack their task."""
    stmt = (
        select(CustomerEvent, Account.owner_id)
        .join(Account, CustomerEvent.account_id == Account.id)
        .where(
            CustomerEvent.created_at >= max(rule.created_at, now - lookback),
            CustomerEvent.source.not_in(QUIET_SOURCES),
            Account.owner_id.is_not(None),
            team_clause(rule, Account.owner_id),
            missing_key(f"event:{rule.id}:", CustomerEvent.id),
        )
        .order_by(CustomerEvent.id)
    )
    if rule.on_event is not None:
        stmt = stmt.where(CustomerEvent.kind == rule.on_event)
    rows: list[Any] = list(planner.session.execute(stmt).all())
    planner.preload(Account, (event.account_id for event, _ in rows))
    for event, owner in rows:
        yield _candidate(planner, rule, event, owner)
