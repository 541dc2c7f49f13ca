"""Automation rules as data: managers create, change and switch off the rules of their team.

A rule is one row (see :class:`~salestrack.store.models.AutomationRule`): a condition by kind and
an action, "plan a ``plan_type`` for the owner ``delay_days`` working days later at
``at_local`` in the customer's time zone". Validation happens here, once, so the trigger path
and the batch run can trust every stored rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import select, true

from salestrack.automation import business_time as bt
from salestrack.automation.planner import Candidate, PlanItem, Planner, check_template
from salestrack.domain import rules as checks
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import PURPOSES
from salestrack.errors import Conflict, PermissionDenied, ValidationFailed
from salestrack.services.fields import Rules, apply, ensure_link, validate
from salestrack.services.permissions import require_manager
from salestrack.store.models import ActivityType, AutomationRule, Stage, User
from salestrack.store.uow import UnitOfWork


class RuleKind(StrEnum):
    FOLLOW_UP = "follow_up"  # an activity of a type/purpose was completed with an outcome
    STAGE = "stage"  # a deal entered a stage
    STALLED = "stalled"  # an open deal had no selling activity for idle_days
    NURTURE = "nurture"  # a customer of a tier had no selling activity for idle_days
    EVENT = "event"  # a customer event (funding round, award, expansion) was posted


# The subject of a planned activity when the rule gives none.
DEFAULT_SUBJECTS = {
    RuleKind.FOLLOW_UP: "Follow up with {contact} {account}",
    RuleKind.STAGE: "Next step on {deal}",
    RuleKind.STALLED: "{deal}: no activity for {days} days",
    RuleKind.NURTURE: "Keep in touch with {account}",
    RuleKind.EVENT: "Call {contact} {account} to congratulate them on the {event}",
}

CUSTOMER_EVENTS = ("funding_round", "award", "expansion", "acquisition", "new_executive", "other")

# Which condition fields each kind needs (required) and accepts (optional).
_CONDITIONS: dict[RuleKind, tuple[set[str], set[str]]] = {
    RuleKind.FOLLOW_UP: ({"on_type"}, {"on_purpose", "on_outcome"}),
    RuleKind.STAGE: ({"on_stage"}, set()),
    RuleKind.STALLED: ({"idle_days"}, set()),
    RuleKind.NURTURE: ({"on_tier", "idle_days"}, set()),
    RuleKind.EVENT: (set(), {"on_event"}),
}
_ALL_CONDITIONS = {"on_type", "on_purpose", "on_outcome", "on_stage", "on_tier", "on_event"} | {
    "idle_days"
}


def _days(field: str, top: int) -> Any:
    def rule(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise ValidationFailed(field, f"must be a whole number from 0 to {top}")
        return value

    return rule


RULE_FIELDS: Rules = {
    "name": lambda v: checks.require_text("name", v, max_len=200),
    "kind": lambda v: checks.choice("kind", v, [k.value for k in RuleKind]),
    "team_id": lambda v: v,
    "is_active": bool,
    "on_type": lambda v: checks.require_text("on_type", v, max_len=32),
    "on_purpose": lambda v: checks.choice("on_purpose", v, PURPOSES),
    "on_outcome": lambda v: checks.require_text("on_outcome", v, max_len=32),
    "on_stage": lambda v: checks.require_text("on_stage", v, max_len=120),
    "on_tier": lambda v: checks.choice("on_tier", v, ("A", "B", "C")),
    "on_event": lambda v: checks.choice("on_event", v, CUSTOMER_EVENTS),
    "idle_days": _days("idle_days", 3650),
    "plan_type": lambda v: checks.require_text("plan_type", v, max_len=32),
    "plan_purpose": lambda v: checks.choice("plan_purpose", v, PURPOSES),
    "delay_days": _days("delay_days", 365),
    "at_local": lambda v: bt.parse_hhmm("at_local", v).strftime("%H:%M"),
    "subject": lambda v: checks.optional_text("subject", v, max_len=500),
}


def _team_for(uow: UnitOfWork, actor: Actor, team_id: int | None) -> int | None:
    """The team a rule is written for: any team or everyone (None) for admins; a manager's own
    team, which is also where their rules go when they name none."""
    if actor.is_admin:
        team = ensure_link(uow.teams, team_id, "team_id")
        return team.id if team is not None else None
    if team_id not in (None, actor.team_id) or actor.team_id is None:
        raise PermissionDenied("manage automation rules", "a manager edits their own team's rules")
    return actor.team_id


def _check_change(actor: Actor, rule: AutomationRule) -> None:
    """A manager changes their team's rules, not the ones for everyone (those are the admins')."""
    if not actor.is_admin and (rule.team_id is None or rule.team_id != actor.team_id):
        raise PermissionDenied(
            "change an automation rule", "a manager changes their own team's rules only"
        )


def _check(uow: UnitOfWork, rule: AutomationRule) -> None:
    """The whole rule is consistent: conditions of its kind, known types, outcomes, stages."""
    kind = RuleKind(rule.kind)
    required, optional = _CONDITIONS[kind]
    for name in sorted(required):
        if getattr(rule, name) is None:
            raise ValidationFailed(name, f"is required for a {kind.value} rule")
    for name in sorted(_ALL_CONDITIONS - required - optional):
        if getattr(rule, name) is not None:
            raise ValidationFailed(name, f"does not apply to a {kind.value} rule")
    _type(uow, "plan_type", rule.plan_type)
    if rule.on_type is not None:
        on_type = _type(uow, "on_type", rule.on_type)
        if rule.on_outcome is not None:
            checks.choice("on_outcome", rule.on_outcome, on_type.outcomes)
    if rule.on_stage is not None:
        known = {s.casefold() for s in uow.session.scalars(select(Stage.name))}
        if rule.on_stage.casefold() not in known:
            raise ValidationFailed("on_stage", f"{rule.on_stage!r} is not a stage")
    check_template("subject", rule.subject)


def _type(uow: UnitOfWork, field: str, key: str) -> ActivityType:
    found = uow.session.scalar(
        select(ActivityType).where(ActivityType.key == key, ActivityType.is_active)
    )
    if found is None:
        raise ValidationFailed(field, f"{key!r} is not an activity type")
    return found


def create_rule(
    uow: UnitOfWork, actor: Actor, *, name: str, kind: str, plan_type: str, **fields: Any
) -> AutomationRule:
    """Add a rule; it acts on what happens from now on, never on history before it."""
    require_manager(actor, "create an automation rule")
    with uow(actor, "automation_rule.created"):
        values = validate(
            RULE_FIELDS, {"name": name, "kind": kind, "plan_type": plan_type, **fields}
        )
        values["team_id"] = _team_for(uow, actor, values.get("team_id"))
        # Names are unique across teams, so look beyond what the actor sees.
        if uow.automation_rules.find_any(name=values["name"]) is not None:
            raise Conflict(f"a rule named {values['name']!r} already exists")
        rule = AutomationRule(**{"delay_days": 0, "at_local": "09:00", **values})
        _check(uow, rule)
        uow.automation_rules.add(rule)
        uow.commit()
    return rule


def update_rule(uow: UnitOfWork, actor: Actor, rule_id: int, **changes: Any) -> AutomationRule:
    """Change a rule (or switch it off with ``is_active=False``)."""
    require_manager(actor, "change an automation rule")
    with uow(actor, "automation_rule.updated"):
        rule = uow.automation_rules.get_visible(rule_id)
        _check_change(actor, rule)
        values = validate(RULE_FIELDS, changes)
        if "team_id" in values:
            values["team_id"] = _team_for(uow, actor, values["team_id"])
        apply(rule, values)
        _check(uow, rule)
        uow.commit()
    return rule


def active_rules(uow: UnitOfWork, *kinds: RuleKind) -> Sequence[AutomationRule]:
    """Active rules of these kinds, oldest first (read inside an open unit of work).

    Read once per transaction: every activity of a bulk asks, and building the query alone
    costs more than the rest of the check.
    """

    def load() -> Sequence[AutomationRule]:
        stmt = select(AutomationRule).where(AutomationRule.is_active)
        if kinds:
            stmt = stmt.where(AutomationRule.kind.in_([k.value for k in kinds]))
        return uow.session.scalars(stmt.order_by(AutomationRule.id)).all()

    return uow.memo(AutomationRule, kinds, load)


def applies_to(rule: AutomationRule, uow: UnitOfWork, owner_id: int) -> bool:
    """A team rule only acts on work owned by that team's members."""
    if rule.team_id is None:
        return True
    owner = uow.session.get(User, owner_id)
    return owner is not None and owner.team_id == rule.team_id


def team_clause(rule: AutomationRule, owner_column: Any) -> Any:
    """The SQL form of :func:`applies_to`, for batch queries."""
    if rule.team_id is None:
        return true()
    return owner_column.in_(select(User.id).where(User.team_id == rule.team_id))


def plan(planner: Planner, rule: AutomationRule, candidate: Candidate) -> PlanItem:
    """The planned activity a rule asks for, for one candidate."""
    return planner.item(
        candidate,
        type_key=rule.plan_type,
        purpose=rule.plan_purpose,
        days=rule.delay_days,
        at=bt.parse_hhmm("at_local", rule.at_local),
        subject=rule.subject or DEFAULT_SUBJECTS[RuleKind(rule.kind)],
    )
