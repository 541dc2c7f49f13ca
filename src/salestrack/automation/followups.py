"""Follow-up rules: a completed activity or a deal entering a stage plans the next step.

Both paths share one definition per kind: :func:`activity_rule_hits` / :func:`stage_rule_hits`
decide which rules an event sets off (the trigger path, inside the service's transaction), and
:func:`activity_candidates` / :func:`stage_candidates` select in SQL the same events the
triggers would have acted on since the rule exists and that still lack their follow-up (the
batch path of ``run_rules``, which also catches events of rules that were switched on later).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, exists, func, literal, select
from sqlalchemy.orm import aliased

from salestrack.automation.planner import QUIET_SOURCES, RULE_SOURCE, Candidate, Planner
from salestrack.automation.rules import RuleKind, active_rules, applies_to, plan, team_clause
from salestrack.domain.vocab import ActivityStatus
from salestrack.store.models import (
    Account,
    Activity,
    ActivityType,
    AutomationRule,
    Contact,
    Deal,
    Lead,
    Stage,
    StageChange,
)
from salestrack.store.uow import UnitOfWork


def activity_key(rule: AutomationRule, activity_id: int) -> str:
    return f"follow_up:{rule.id}:activity:{activity_id}"


def stage_key(rule: AutomationRule, change_id: int) -> str:
    return f"stage:{rule.id}:change:{change_id}"


def _matches(rule: AutomationRule, type_key: str, purpose: str | None, outcome: str | None) -> bool:
    return (
        rule.on_type == type_key
        and rule.on_purpose in (None, purpose)
        and rule.on_outcome in (None, outcome)
    )


def activity_rule_hits(uow: UnitOfWork, activity: Activity) -> list[Activity]:
    """Trigger path: follow-ups of an activity that was just completed with an outcome."""
    if activity.source in QUIET_SOURCES or activity.status != ActivityStatus.DONE:
        return []
    kind = uow.session.get(ActivityType, activity.type_id)
    rules = [
        rule
        for rule in active_rules(uow, RuleKind.FOLLOW_UP)
        if kind is not None
        and _matches(rule, kind.key, activity.purpose, activity.outcome)
        and applies_to(rule, uow, activity.owner_id)
    ]
    if not rules:
        return []
    uow.flush()  # the follow-up's key names the activity's id
    planner = Planner(uow.session)
    after = activity.completed_at or uow.clock.now()
    items = [
        plan(
            planner,
            rule,
            planner.candidate(
                activity_key(rule, activity.id),
                after,
                activity.owner_id,
                account_id=activity.account_id,
                contact_id=activity.contact_id,
                deal_id=activity.deal_id,
                lead_id=activity.lead_id,
            ),
        )
        for rule in rules
    ]
    return planner.add(items)


def stage_rule_hits(uow: UnitOfWork, deal: Deal, change: StageChange) -> list[Activity]:
    """Trigger path: the next step of a deal that just entered a stage."""
    if deal.source in QUIET_SOURCES or deal.owner_id is None:
        return []
    stage = uow.session.get(Stage, change.to_stage_id)
    name = stage.name.casefold() if stage is not None else ""
    rules = [
        rule
        for rule in active_rules(uow, RuleKind.STAGE)
        if (rule.on_stage or "").casefold() == name and applies_to(rule, uow, deal.owner_id)
    ]
    if not rules:
        return []
    planner = Planner(uow.session)
    items = [
        plan(planner, rule, _deal_candidate(planner, stage_key(rule, change.id), change.at, deal))
        for rule in rules
    ]
    return planner.add(items)


def _deal_candidate(planner: Planner, key: str, after: datetime, deal: Deal) -> Candidate:
    assert deal.owner_id is not None
    return planner.candidate(
        key,
        after,
        deal.owner_id,
        account_id=deal.account_id,
        contact_id=deal.contact_id,
        deal_id=deal.id,
        lead_id=deal.lead_id,
    )


def _since(rule: AutomationRule, now: datetime, lookback: timedelta) -> datetime:
    """Batch runs look back a bounded window, and never before the rule existed."""
    return max(rule.created_at, now - lookback)


def missing_key(prefix: str, id_column: Any) -> Any:
    """SQL: no rule-made activity carries the key ``prefix || id`` yet."""
    made = aliased(Activity)
    key = literal(prefix) + cast(id_column, String)
    return ~exists().where(made.source == RULE_SOURCE, made.external_id == key)


def activity_candidates(
    planner: Planner, rule: AutomationRule, now: datetime, lookback: timedelta
) -> Iterator[Candidate]:
    """Batch path of a follow-up rule: completed activities still without their follow-up."""
    a = Activity
    stmt = (
        select(a.id, a.completed_at, a.owner_id, a.account_id, a.contact_id, a.deal_id, a.lead_id)
        .join(ActivityType, a.type_id == ActivityType.id)
        .where(
            ActivityType.key == rule.on_type,
            a.status == ActivityStatus.DONE.value,
            a.completed_at >= _since(rule, now, lookback),
            a.completed_at <= now,
            a.source.not_in(QUIET_SOURCES),
            team_clause(rule, a.owner_id),
            missing_key(f"follow_up:{rule.id}:activity:", a.id),
        )
    )
    if rule.on_purpose is not None:
        stmt = stmt.where(a.purpose == rule.on_purpose)
    if rule.on_outcome is not None:
        stmt = stmt.where(a.outcome == rule.on_outcome)
    rows = planner.session.execute(stmt.order_by(a.id)).all()
    _preload(planner, rows)
    for act_id, at, owner, account, contact, deal, lead in rows:
        yield planner.candidate(
            activity_key(rule, act_id),
            at,
            owner,
            account_id=account,
            contact_id=contact,
            deal_id=deal,
            lead_id=lead,
        )


def stage_candidates(
    planner: Planner, rule: AutomationRule, now: datetime, lookback: timedelta
) -> Iterator[Candidate]:
    """Batch path of a stage rule: entries into the stage still without their next step."""
    d = Deal
    stmt = (
        select(StageChange.id, StageChange.at, d.owner_id, d.account_id, d.contact_id, d.id)
        .join(d, StageChange.deal_id == d.id)
        .join(Stage, StageChange.to_stage_id == Stage.id)
        .where(
            func.lower(Stage.name) == (rule.on_stage or "").lower(),
            StageChange.at >= _since(rule, now, lookback),
            StageChange.at <= now,
            d.owner_id.is_not(None),
            d.source.not_in(QUIET_SOURCES),
            team_clause(rule, d.owner_id),
            missing_key(f"stage:{rule.id}:change:", StageChange.id),
        )
    )
    rows = planner.session.execute(stmt.order_by(StageChange.id)).all()
    _preload(planner, [(r[0], r[1], r[2], r[3], r[4], r[5], None) for r in rows])
    for change_id, at, owner, account, contact, deal in rows:
        yield planner.candidate(
            stage_key(rule, change_id),
            at,
            owner,
            account_id=account,
            contact_id=contact,
            deal_id=deal,
        )


def _preload(planner: Planner, rows: Any) -> None:
    """Names and zones of every linked record in a few queries instead of one per row."""
    for position, model in ((3, Account), (4, Contact), (5, Deal), (6, Lead)):
        planner.preload(model, (row[position] for row in rows))
