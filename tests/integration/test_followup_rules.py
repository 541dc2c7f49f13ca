"""Follow-up rules fire once, at the right local time, on working days, never twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from salestrack.automation.rules import update_rule
from salestrack.automation.runner import run_rules
from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import FixedClock
from salestrack.errors import NotFound, PermissionDenied, ValidationFailed
from salestrack.services import activities as act
from salestrack.services.accounts import create_contact
from salestrack.services.deals import move_deal_stage
from salestrack.store.models import AutomationRule
from salestrack.store.uow import UnitOfWork
from tests.automation_factories import make_manager, make_rule, rule_made
from tests.factories import make_account, make_deal, make_rep, make_team

THURSDAY_3PM = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


def _connected_call(uow: UnitOfWork, rep: object, **links: object) -> int:
    planned = act.plan_activity(
        uow, rep, type="call", due_at=THURSDAY_3PM, purpose="prospecting", **links
    )
    return planned.id


def test_completed_call_plans_follow_up_in_contacts_zone_after_working_days(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    team = make_team(uow, holidays=["2026-03-09"])
    _, rep = make_rep(uow, team, time_zone="Asia/Tokyo")
    account = make_account(uow, rep, time_zone="Europe/Berlin")
    contact = create_contact(
        uow, rep, name="Dana", account_id=account.id, time_zone="America/New_York"
    )
    make_rule(
        uow,
        on_type="call",
        on_purpose="prospecting",
        on_outcome="connected",
        plan_type="email",
        plan_purpose="follow_up",
        delay_days=2,
        at_local="09:00",
        subject="Recap for {contact} at {account}",
    )
    call = _connected_call(uow, rep, contact_id=contact.id)
    clock.advance(THURSDAY_3PM - clock.now())
    act.complete_activity(uow, rep, call, outcome="connected")

    [(kind, follow_up)] = rule_made(uow)
    # Thursday 10:00 in New York + 2 working days = Monday 9 March, a team holiday, so
    # Tuesday 10 March 09:00 EDT (DST began on the 8th) = 13:00 UTC.
    assert kind == "email"
    assert follow_up.due_at == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    assert (follow_up.owner_id, follow_up.contact_id, follow_up.account_id) == (
        rep.id,
        contact.id,
        account.id,
    )
    assert (follow_up.status, follow_up.purpose) == ("planned", "follow_up")
    assert follow_up.subject == f"Recap for Dana at {account.name}"


def test_only_the_matching_outcome_fires_and_never_twice(
    uow: UnitOfWork, engine: Engine, clock: FixedClock
) -> None:
    _, rep = make_rep(uow)
    make_rule(uow, on_type="call", on_outcome="connected", plan_type="email", delay_days=1)
    missed = _connected_call(uow, rep)
    act.complete_activity(uow, rep, missed, outcome="no_answer")
    assert rule_made(uow) == []
    act.log_activity(uow, rep, type="call", outcome="connected")
    assert len(rule_made(uow)) == 1
    # Batch runs after the trigger, and after a restart (a fresh unit of work), add nothing.
    assert run_rules(uow).total_planned == 0
    assert run_rules(UnitOfWork(engine, clock)).total_planned == 0
    assert len(rule_made(uow)) == 1


def test_batch_run_catches_up_but_imports_stay_quiet(uow: UnitOfWork, clock: FixedClock) -> None:
    _, rep = make_rep(uow)
    make_rule(uow, on_type="meeting", plan_type="email", delay_days=1)
    act.log_activity(uow, rep, type="meeting", outcome="held", source="import", automate=False)
    quiet = act.log_activity(uow, rep, type="meeting", outcome="held", automate=False)
    assert rule_made(uow) == []
    clock.advance(timedelta(hours=1))
    report = run_rules(uow)
    assert report.total_planned == 1
    [(_, follow_up)] = rule_made(uow)
    assert follow_up.external_id.endswith(f":activity:{quiet.id}")
    assert run_rules(uow).total_planned == 0


def test_rules_never_act_on_history_before_they_existed(uow: UnitOfWork, clock: FixedClock) -> None:
    _, rep = make_rep(uow)
    act.log_activity(uow, rep, type="call", outcome="connected")
    clock.advance(timedelta(minutes=5))
    make_rule(uow, on_type="call", plan_type="email")
    assert run_rules(uow).total_planned == 0


def test_deal_entering_a_stage_plans_next_step_in_accounts_zone(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    _, rep = make_rep(uow, time_zone="Asia/Tokyo")
    account = make_account(uow, rep, time_zone="Europe/Berlin")
    deal = make_deal(uow, rep, account_id=account.id)
    make_rule(
        uow, kind="stage", on_stage="proposal", plan_type="call", delay_days=3, at_local="10:00"
    )
    move_deal_stage(uow, rep, deal.id, "Qualification")  # no move, no rule
    assert rule_made(uow) == []
    move_deal_stage(uow, rep, deal.id, "Proposal")  # Monday 2 March
    [(kind, step)] = rule_made(uow)
    assert kind == "call"
    assert step.due_at == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)  # Thursday 10:00 CET
    assert step.deal_id == deal.id
    assert run_rules(uow).total_planned == 0


def test_owner_zone_is_the_last_resort(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow, time_zone="Asia/Tokyo")
    make_rule(uow, on_type="email", on_outcome="replied", plan_type="call", delay_days=1)
    act.log_activity(uow, rep, type="email", outcome="replied")  # Monday 18:00 in Tokyo
    [(_, call)] = rule_made(uow)
    assert call.due_at == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # Tuesday 09:00 in Tokyo


def test_a_team_rule_acts_only_on_its_team(uow: UnitOfWork) -> None:
    north, south = make_team(uow), make_team(uow)
    manager = make_manager(uow, north)
    _, ours = make_rep(uow, north)
    _, theirs = make_rep(uow, south)
    rule = make_rule(uow, manager, on_type="demo", plan_type="call")
    assert rule.team_id == north.id
    act.log_activity(uow, theirs, type="demo", outcome="held")
    act.log_activity(uow, ours, type="demo", outcome="held")
    assert [a.owner_id for _, a in rule_made(uow)] == [ours.id]


def test_who_may_edit_rules(uow: UnitOfWork) -> None:
    north, south = make_team(uow), make_team(uow)
    _, rep = make_rep(uow, north)
    with pytest.raises(PermissionDenied):
        make_rule(uow, rep, on_type="call")
    manager = make_manager(uow, north)
    rule = make_rule(uow, manager, on_type="call")
    # Another team's rule is out of sight, like their records; the rules for everyone are
    # visible to a manager but changed by admins only.
    with pytest.raises(NotFound):
        update_rule(uow, make_manager(uow, south), rule.id, is_active=False)
    with pytest.raises(PermissionDenied):
        make_rule(uow, manager, on_type="call", team_id=south.id)
    everyone = make_rule(uow, on_type="email")
    with pytest.raises(PermissionDenied):
        update_rule(uow, manager, everyone.id, is_active=False)
    assert update_rule(uow, manager, rule.id, delay_days=2).delay_days == 2
    assert update_rule(uow, SYSTEM, rule.id, is_active=False).is_active is False


INVALID = [
    ({"kind": "follow_up"}, "on_type"),
    ({"on_type": "call", "on_outcome": "held"}, "on_outcome"),
    ({"on_type": "call", "on_stage": "Proposal"}, "on_stage"),
    ({"on_type": "call", "at_local": "25:00"}, "at_local"),
    ({"on_type": "call", "subject": "Hi {nobody}"}, "subject"),
    ({"on_type": "fax"}, "on_type"),
    ({"kind": "stage", "on_stage": "Signed"}, "on_stage"),
    ({"kind": "nurture", "idle_days": 30}, "on_tier"),
    ({"kind": "stalled", "idle_days": -1}, "idle_days"),
]


def test_invalid_rules_name_the_field_and_are_not_stored(uow: UnitOfWork) -> None:
    for fields, field in INVALID:
        with pytest.raises(ValidationFailed) as err:
            make_rule(uow, **fields)
        assert err.value.field == field, fields
    with uow(SYSTEM):
        assert uow.session.query(AutomationRule).filter_by(kind="follow_up").count() == 0


def test_a_rule_made_in_the_same_batch_fires_at_once(uow: UnitOfWork) -> None:
    """Rules are read once per transaction (``uow.memo``); making one in it forgets that."""
    _, rep = make_rep(uow)
    with uow.batch(SYSTEM):
        act.log_activity(uow, SYSTEM, type="call", outcome="connected", owner_id=rep.id)
        make_rule(uow, on_type="call", on_outcome="connected", plan_type="email")
        second = act.log_activity(uow, SYSTEM, type="call", outcome="connected", owner_id=rep.id)
        uow.commit()
    [(kind, follow_up)] = rule_made(uow)
    assert kind == "email" and follow_up.owner_id == rep.id
    assert second.id is not None
