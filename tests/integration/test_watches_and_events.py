"""Stalled deals, customers overdue for a touch, and customer events each plan work once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from salestrack.automation.events import post_customer_event
from salestrack.automation.runner import run_rules
from salestrack.domain.clock import FixedClock
from salestrack.services import activities as act
from salestrack.services.deals import move_deal_stage
from salestrack.store.uow import UnitOfWork
from tests.automation_factories import make_rule, rule_made
from tests.factories import make_account, make_deal, make_rep


def test_a_stalled_deal_alerts_its_owner_once_per_stall(uow: UnitOfWork, clock: FixedClock) -> None:
    _, rep = make_rep(uow)
    deal = make_deal(uow, rep)
    closed = make_deal(uow, rep)
    move_deal_stage(uow, rep, closed.id, "Lost")
    make_rule(uow, kind="stalled", idle_days=14, plan_type="task", subject="{deal}: {days} idle")
    clock.advance(timedelta(days=13, hours=23))
    assert run_rules(uow).total_planned == 0
    clock.advance(timedelta(hours=1))
    assert run_rules(uow).total_planned == 1
    assert run_rules(uow).total_planned == 0  # the same stall is alerted once
    [(kind, alert)] = rule_made(uow)
    assert (kind, alert.deal_id, alert.owner_id) == ("task", deal.id, rep.id)
    assert alert.subject == f"{deal.name}: 14 idle"
    # A task is admin work and does not end the stall; a call does, and a new stall alerts anew.
    act.complete_activity(uow, rep, alert.id, outcome="completed")
    clock.advance(timedelta(days=20))
    assert run_rules(uow).total_planned == 0
    act.log_activity(uow, rep, type="call", outcome="connected", deal_id=deal.id)
    clock.advance(timedelta(days=14))
    assert run_rules(uow).total_planned == 1


def test_customers_overdue_for_their_tier_get_a_nurture_touch(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    _, rep = make_rep(uow)
    tier_a = make_account(uow, rep, status="customer", tier="A", time_zone="America/Chicago")
    make_account(uow, rep, status="customer", tier="B")
    make_account(uow, rep, status="prospect", tier="A")
    fresh = make_account(uow, rep, status="customer", tier="A")
    make_rule(
        uow,
        kind="nurture",
        on_tier="A",
        idle_days=30,
        plan_type="call",
        plan_purpose="nurture",
        at_local="11:00",
    )
    clock.advance(timedelta(days=25))
    act.log_activity(uow, rep, type="visit", outcome="held", account_id=fresh.id)
    clock.advance(timedelta(days=5))  # Wednesday 1 April
    assert run_rules(uow).total_planned == 1
    [(_, touch)] = rule_made(uow)
    assert (touch.account_id, touch.purpose) == (tier_a.id, "nurture")
    assert touch.subject == f"Keep in touch with {tier_a.name}"  # the kind's default subject
    assert touch.due_at == datetime(2026, 4, 1, 16, 0, tzinfo=UTC)  # 11:00 CDT
    assert run_rules(uow).total_planned == 0


def test_a_customer_event_plans_a_congratulation_call_for_the_owner(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    _, rep = make_rep(uow)
    account = make_account(uow, rep, status="customer", time_zone="Europe/London")
    event, planned = post_customer_event(
        uow, rep, account_id=account.id, kind="funding_round", title="Series B"
    )
    [call] = planned  # from the default rule seeded by init
    assert (call.owner_id, call.account_id, call.purpose) == (rep.id, account.id, "check_in")
    assert call.subject == f"Call {account.name} to congratulate them on the Series B"
    assert call.due_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday 10:00 in London
    assert run_rules(uow).total_planned == 0
    _, quiet = post_customer_event(
        uow, rep, account_id=account.id, kind="award", source="import", external_id="x1"
    )
    assert quiet == []
    assert len(rule_made(uow)) == 1
    assert event.kind == "funding_round"
