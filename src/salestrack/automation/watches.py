"""Watches over time: stalled deals and customers who are overdue for a touch.

Nothing *happens* when a deal stalls, so these rules only run in batch (``run_rules``). The
selection is one SQL statement per rule: last selling activity per deal (or account), compared
with ``now - idle_days``, minus the ones already alerted since that last touch. The key of an
alert includes the last touch, so a deal that stalls, gets worked, and stalls again is alerted
again, while re-runs within one stall never are.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from salestrack.automation.planner import RULE_SOURCE, Candidate, Planner
from salestrack.automation.rules import team_clause
from salestrack.domain.vocab import AccountStatus, ActivityStatus, Category, StageKind
from salestrack.store.models import Account, Activity, ActivityType, AutomationRule, Deal, Stage


def last_touch(link: Any) -> Any:
    """Subquery: the latest completed selling activity per ``link`` (deal_id or account_id)."""
    return (
        select(link.label("link_id"), func.max(Activity.completed_at).label("last_at"))
        .join(ActivityType, Activity.type_id == ActivityType.id)
        .where(
            Activity.status == ActivityStatus.DONE.value,
            ActivityType.category == Category.SELLING.value,
            link.is_not(None),
        )
        .group_by(link)
        .subquery()
    )


def last_alert(rule: AutomationRule, link: str) -> Any:
    """Subquery: when this rule last planned something per deal or account.

    A grouped subquery joined once (not a correlated NOT EXISTS per row) keeps the plan a hash
    join even before the database has statistics on freshly loaded tables.
    """
    made = aliased(Activity)
    column = getattr(made, link)
    return (
        select(column.label("link_id"), func.max(made.created_at).label("alerted_at"))
        .where(made.source == RULE_SOURCE, made.external_id.like(f"{rule.kind}:{rule.id}:%"))
        .group_by(column)
        .subquery()
    )


def _not_alerted_since(alerted: Any, since: Any) -> Any:
    return or_(alerted.c.alerted_at.is_(None), alerted.c.alerted_at < since)


def _stamp(at: datetime) -> int:
    return int(at.astimezone(UTC).timestamp())


def stalled_candidates(
    planner: Planner, rule: AutomationRule, now: datetime
) -> Iterator[Candidate]:
    """Open deals whose last selling activity (or creation) is ``idle_days`` or more ago."""
    touch = last_touch(Activity.deal_id)
    alerted = last_alert(rule, "deal_id")
    since = func.coalesce(touch.c.last_at, Deal.created_at)
    cutoff = now - timedelta(days=rule.idle_days or 0)
    stmt = (
        select(Deal.id, since, Deal.owner_id, Deal.account_id, Deal.contact_id, Deal.lead_id)
        .join(Stage, Deal.stage_id == Stage.id)
        .outerjoin(touch, touch.c.link_id == Deal.id)
        .outerjoin(alerted, alerted.c.link_id == Deal.id)
        .where(
            Stage.kind == StageKind.OPEN.value,
            Deal.owner_id.is_not(None),
            since <= cutoff,
            team_clause(rule, Deal.owner_id),
            _not_alerted_since(alerted, since),
        )
        .order_by(Deal.id)
    )
    rows = planner.session.execute(stmt).all()
    planner.preload(Deal, (r[0] for r in rows))
    planner.preload(Account, (r[3] for r in rows))
    for deal_id, touched, owner, account, contact, lead in rows:
        yield planner.candidate(
            f"stalled:{rule.id}:deal:{deal_id}:{_stamp(touched)}",
            now,
            owner,
            account_id=account,
            contact_id=contact,
            deal_id=deal_id,
            lead_id=lead,
            days=(now - touched).days,
        )


def nurture_candidates(
    planner: Planner, rule: AutomationRule, now: datetime
) -> Iterator[Candidate]:
    """Customers of the rule's tier untouched (selling activity) for ``idle_days`` or more."""
    touch = last_touch(Activity.account_id)
    alerted = last_alert(rule, "account_id")
    since = func.coalesce(touch.c.last_at, Account.created_at)
    cutoff = now - timedelta(days=rule.idle_days or 0)
    stmt = (
        select(Account.id, since, Account.owner_id)
        .outerjoin(touch, touch.c.link_id == Account.id)
        .outerjoin(alerted, alerted.c.link_id == Account.id)
        .where(
            Account.status == AccountStatus.CUSTOMER.value,
            Account.tier == rule.on_tier,
            Account.owner_id.is_not(None),
            since <= cutoff,
            team_clause(rule, Account.owner_id),
            _not_alerted_since(alerted, since),
        )
        .order_by(Account.id)
    )
    rows = planner.session.execute(stmt).all()
    planner.preload(Account, (r[0] for r in rows))
    for account_id, touched, owner in rows:
        yield planner.candidate(
            f"nurture:{rule.id}:account:{account_id}:{_stamp(touched)}",
            now,
            owner,
            account_id=account_id,
            days=(now - touched).days,
        )
