"""Webhook subscriptions and their delivery log, fed from the audit trail as an outbox.

Every change already writes an audit row in its own transaction, whatever the entry point, so
events are read from ``audit_events`` after each subscription's cursor: nothing can change a deal
without its webhook being due. Writers take the change-counter lock before inserting audit rows,
so audit ids grow in commit order and a cursor never skips a late commit.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import func, insert, or_, select, update

from salestrack.domain import rules
from salestrack.domain.actor import SYSTEM, Actor
from salestrack.errors import ValidationFailed
from salestrack.services.fields import Rules, apply, validate
from salestrack.services.permissions import require_admin
from salestrack.store import models as m
from salestrack.store.models import AuditEvent, WebhookDelivery, WebhookSubscription
from salestrack.store.tracking import jsonable, row_dict
from salestrack.store.uow import UnitOfWork

EVENTS: tuple[str, ...] = (
    "activity.planned",
    "activity.logged",
    "activity.completed",
    "activity.cancelled",
    "activity.rescheduled",
    "activity.updated",
    "deal.created",
    "deal.updated",
    "deal.stage_moved",
)
ENTITIES = {"activity": "activities", "deal": "deals"}
MODELS: dict[str, type[m.Tracked]] = {"activities": m.Activity, "deals": m.Deal}
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    backoff: timedelta = timedelta(seconds=30)
    disable_after: int = 20
    lease: timedelta = timedelta(seconds=60)


def _url(value: str) -> str:
    url = rules.require_text("url", value, max_len=2000)
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationFailed("url", "must be an http or https URL")
    return url


def _events(value: list[str]) -> list[str]:
    chosen: list[str] = []
    for event in value:
        if event in ("*", "activity.*", "deal.*") or event in EVENTS:
            chosen.append(event)
        else:
            raise ValidationFailed(
                "events", f"{event!r} is not one of *, activity.*, deal.*, " + ", ".join(EVENTS)
            )
    if not chosen:
        raise ValidationFailed("events", "needs at least one event")
    return sorted(set(chosen))


SUBSCRIPTION_FIELDS: Rules = {
    "url": _url,
    "events": _events,
    "description": lambda v: rules.optional_text("description", v, max_len=500),
    "is_active": bool,
}


def matches(patterns: list[str], event: str) -> bool:
    return any(
        p in ("*", event) or (p.endswith(".*") and event.startswith(p[:-1])) for p in patterns
    )


def create_subscription(
    uow: UnitOfWork, actor: Actor, *, url: str, events: list[str], description: str | None = None
) -> WebhookSubscription:
    """Subscribe an endpoint; it receives events from now on (no replay of history)."""
    require_admin(actor, "add a webhook")
    with uow(actor, "webhook.created"):
        values = validate(
            SUBSCRIPTION_FIELDS, {"url": url, "events": events, "description": description}
        )
        last = uow.session.scalar(select(func.max(AuditEvent.id))) or 0
        subscription = uow.webhooks.add(
            WebhookSubscription(
                **values,
                secret="whsec_" + secrets.token_urlsafe(32),
                owner_id=actor.id,
                is_active=True,
                failure_count=0,
                last_event_id=int(last),
            )
        )
        uow.commit()
    return subscription


def update_subscription(
    uow: UnitOfWork, actor: Actor, subscription_id: int, **changes: Any
) -> WebhookSubscription:
    """Change a subscription; switching it back on clears its failure count."""
    require_admin(actor, "change a webhook")
    with uow(actor, "webhook.updated"):
        subscription = uow.webhooks.get_visible(subscription_id)
        values = validate(SUBSCRIPTION_FIELDS, changes)
        if values.get("is_active") and not subscription.is_active:
            subscription.failure_count, subscription.disabled_at = 0, None
        apply(subscription, values)
        uow.commit()
    return subscription


def _payload(uow: UnitOfWork, run: list[AuditEvent]) -> dict[str, Any]:
    """One event's body: the record as it is now and what this action changed."""
    first, last = run[0], run[-1]
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for event in run:
        for key, value in (event.before or {}).items():
            before.setdefault(key, value)
        after.update(event.after or {})
    row = uow.session.get(MODELS[last.entity], last.entity_id)
    return {
        "id": f"evt_{last.id}",
        "type": last.action,
        "created_at": jsonable(first.at),
        "actor_id": last.actor_id,
        "data": {
            "entity": last.entity,
            "id": last.entity_id,
            "record": row_dict(row) if row is not None else None,
            "changes": {"before": before or None, "after": after or None},
        },
    }


def _runs(events: list[AuditEvent]) -> list[list[AuditEvent]]:
    """Group the audit rows one action wrote about one record (a use case may flush twice).

    A transaction's rows have consecutive ids (writers hold the change-counter lock), so a run
    is consecutive ids with the same action, record and actor.
    """
    runs: list[list[AuditEvent]] = []
    for event in events:
        if event.entity_id is None or ENTITIES.get(event.action.split(".")[0]) != event.entity:
            continue
        prev = runs[-1][-1] if runs else None
        if (
            prev is not None
            and prev.id + 1 == event.id
            and (prev.action, prev.entity, prev.entity_id, prev.actor_id)
            == (event.action, event.entity, event.entity_id, event.actor_id)
        ):
            runs[-1].append(event)
        else:
            runs.append([event])
    return runs


def enqueue(uow: UnitOfWork, *, batch: int = 500) -> int:
    """Turn new audit events into pending deliveries for every active subscription."""
    added = 0
    with uow(SYSTEM):
        ids = list(
            uow.session.scalars(
                select(WebhookSubscription.id).where(WebhookSubscription.is_active.is_(True))
            )
        )
    for subscription_id in ids:
        with uow(SYSTEM):
            sub = uow.session.scalars(
                select(WebhookSubscription)
                .where(WebhookSubscription.id == subscription_id)
                .with_for_update()
            ).one()
            events = list(
                uow.session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.id > sub.last_event_id)
                    .order_by(AuditEvent.id)
                    .limit(batch)
                )
            )
            if not events:
                continue
            now = uow.clock.now()
            rows = [
                {
                    "subscription_id": sub.id,
                    "audit_event_id": run[-1].id,
                    "event": run[-1].action,
                    "payload": _payload(uow, run),
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for run in _runs(events)
                if matches(sub.events, run[-1].action)
            ]
            if rows:
                uow.session.execute(insert(WebhookDelivery), rows)
            # Operational cursor: a plain UPDATE, not an audited change.
            uow.session.execute(
                update(WebhookSubscription)
                .where(WebhookSubscription.id == sub.id)
                .values(last_event_id=events[-1].id)
            )
            uow.commit()
            added += len(rows)
    return added


@dataclass(frozen=True)
class Job:
    delivery_id: int
    subscription_id: int
    event: str
    url: str
    secret: str
    body: bytes


def claim_due(uow: UnitOfWork, policy: RetryPolicy, *, limit: int = 50) -> list[Job]:
    """Lease due deliveries so that one worker sends each, even with several processes."""
    jobs = []
    with uow(SYSTEM):
        now = uow.clock.now()
        found = uow.session.execute(
            select(WebhookDelivery, WebhookSubscription)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
                WebhookSubscription.is_active.is_(True),
            )
            .order_by(WebhookDelivery.id)
            .limit(limit)
        ).all()
        for delivery, sub in found:
            claimed = uow.session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery.id,
                    or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
                )
                .values(locked_until=now + policy.lease)
            )
            if getattr(claimed, "rowcount", 0) == 1:
                body = json.dumps(delivery.payload, separators=(",", ":")).encode()
                jobs.append(Job(delivery.id, sub.id, delivery.event, sub.url, sub.secret, body))
        uow.commit()
    return jobs


def record_attempt(
    uow: UnitOfWork,
    job: Job,
    policy: RetryPolicy,
    *,
    status_code: int | None,
    error: str | None,
) -> str:
    """Log one attempt; schedule a retry with backoff, give up, or disable the endpoint."""
    ok = error is None and status_code is not None and 200 <= status_code < 300
    with uow(SYSTEM):
        now = uow.clock.now()
        delivery = uow.session.get_one(WebhookDelivery, job.delivery_id)
        sub = uow.session.get_one(WebhookSubscription, job.subscription_id)
        attempts = delivery.attempts + 1
        values: dict[str, Any] = {
            "attempts": attempts,
            "locked_until": None,
            "last_status_code": status_code,
            "last_error": (error or None) and error[:500],
        }
        if ok:
            values.update(status="delivered", delivered_at=now)
            failures = 0
        else:
            wait = min(policy.backoff * 2 ** (attempts - 1), MAX_BACKOFF)
            values["next_attempt_at"] = now + wait
            if attempts >= policy.max_attempts:
                values["status"] = "failed"
            failures = sub.failure_count + 1
        uow.session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery.id).values(**values)
        )
        disable = failures >= policy.disable_after
        uow.session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id == sub.id)
            .values(
                failure_count=failures,
                **({"is_active": False, "disabled_at": now} if disable else {}),
            )
        )
        uow.commit()
    return str(values.get("status", "pending"))


def list_subscriptions(uow: UnitOfWork, actor: Actor) -> list[WebhookSubscription]:
    require_admin(actor, "read webhooks")
    with uow(actor):
        return list(uow.webhooks.list(limit=1000))


def get_subscription(uow: UnitOfWork, actor: Actor, subscription_id: int) -> WebhookSubscription:
    require_admin(actor, "read webhooks")
    with uow(actor):
        return uow.webhooks.get_visible(subscription_id)


def list_deliveries(
    uow: UnitOfWork, actor: Actor, subscription_id: int, *, limit: int = 100
) -> list[WebhookDelivery]:
    """The delivery log of one subscription, newest first."""
    require_admin(actor, "read webhook deliveries")
    with uow(actor):
        uow.webhooks.get_visible(subscription_id)
        return list(
            uow.session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.subscription_id == subscription_id)
                .order_by(WebhookDelivery.id.desc())
                .limit(limit)
            )
        )
