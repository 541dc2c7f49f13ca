"""Accounts, contacts, leads, orders, satisfaction and goals: validation and scope."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from salestrack.domain.actor import SYSTEM
from salestrack.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from salestrack.services import accounts, goals, leads, orders, users
from salestrack.store.models import AuditEvent, Contact
from salestrack.store.uow import UnitOfWork
from tests.factories import make_account, make_rep, make_team, make_user


def test_contact_at_missing_account_names_field_and_writes_nothing(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    with pytest.raises(ValidationFailed) as err:
        accounts.create_contact(uow, rep, name="Ann", account_id=999_999)
    assert err.value.field == "account_id"
    assert "does not exist" in err.value.reason
    with uow(SYSTEM):
        assert uow.session.scalar(select(func.count()).select_from(Contact)) == 0
        assert uow.session.scalar(select(func.count()).where(AuditEvent.entity == "contacts")) == 0


def test_contact_at_another_teams_account_looks_missing(uow: UnitOfWork) -> None:
    _, rep_a = make_rep(uow, make_team(uow))
    _, rep_b = make_rep(uow, make_team(uow))
    hidden = make_account(uow, rep_a)
    with pytest.raises(ValidationFailed) as err:
        accounts.create_contact(uow, rep_b, name="Bob", account_id=hidden.id)
    assert err.value.field == "account_id"


def test_email_is_normalised_and_checked(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    contact = accounts.create_contact(uow, rep, name="Cy", email="  Cy@Example.COM ")
    assert contact.email == "cy@example.com"
    with pytest.raises(ValidationFailed) as err:
        accounts.create_contact(uow, rep, name="Cy", email="not-an-address")
    assert err.value.field == "email"


def test_account_coordinates_and_zone_checked(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    with pytest.raises(ValidationFailed) as err:
        make_account(uow, rep, latitude=95.0, longitude=10.0)
    assert err.value.field == "latitude"
    with pytest.raises(ValidationFailed) as err:
        make_account(uow, rep, time_zone="Mars/Olympus")
    assert err.value.field == "time_zone"


def test_manager_sees_team_rows_not_other_teams(uow: UnitOfWork) -> None:
    team_a, team_b = make_team(uow), make_team(uow)
    manager = users.actor_for(make_user(uow, "manager", team_id=team_a.id))
    _, rep_a = make_rep(uow, team_a)
    _, rep_b = make_rep(uow, team_b)
    mine = make_account(uow, rep_a)
    theirs = make_account(uow, rep_b)
    updated = accounts.update_account(uow, manager, mine.id, tier="A")
    assert updated.tier == "A"
    with pytest.raises(NotFound):
        accounts.update_account(uow, manager, theirs.id, tier="A")
    with uow(manager):
        assert [a.id for a in uow.accounts.list()] == [mine.id]


def test_rep_cannot_change_a_teammates_account(uow: UnitOfWork) -> None:
    team = make_team(uow)
    _, rep_a = make_rep(uow, team)
    _, rep_b = make_rep(uow, team)
    account = make_account(uow, rep_a)
    with pytest.raises(NotFound):  # reps see their own accounts only
        accounts.update_account(uow, rep_b, account.id, tier="B")


def test_lead_qualification_is_stamped_once(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    lead = leads.create_lead(uow, rep, name="Dee", company="Dee Co")
    assert lead.qualified_at is None
    qualified = leads.update_lead(uow, rep, lead.id, status="qualified")
    assert qualified.qualified_at == uow.clock.now()
    with pytest.raises(ValidationFailed) as err:
        leads.update_lead(uow, rep, lead.id, status="hot")
    assert err.value.field == "status"


def test_order_money_is_exact_decimal(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    account = make_account(uow, rep)
    at = datetime(2026, 1, 5, 12, tzinfo=UTC)
    orders.create_order(uow, rep, account_id=account.id, amount="19.99", ordered_at=at)
    orders.create_order(uow, rep, account_id=account.id, amount=Decimal("0.01"), ordered_at=at)
    with uow(SYSTEM):
        total = sum(o.amount for o in uow.orders.list())
    assert total == Decimal("20.00")


def test_satisfaction_scores_are_bounded(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    account = make_account(uow, rep)
    at = datetime(2026, 1, 5, tzinfo=UTC)
    ok = orders.record_satisfaction(
        uow, rep, kind="nps", score=9, responded_at=at, account_id=account.id, rep_id=rep.id
    )
    assert ok.score == 9
    with pytest.raises(ValidationFailed) as err:
        orders.record_satisfaction(
            uow, rep, kind="csat", score=6, responded_at=at, account_id=account.id
        )
    assert err.value.field == "score"


def test_goals_by_managers_for_one_owner(uow: UnitOfWork) -> None:
    team = make_team(uow)
    manager = users.actor_for(make_user(uow, "manager", team_id=team.id))
    rep_user, rep = make_rep(uow, team)
    start = datetime(2026, 3, 2, tzinfo=UTC)
    goal = goals.create_goal(
        uow,
        manager,
        metric="calls",
        period="week",
        period_start=start,
        target=40,
        user_id=rep_user.id,
    )
    assert goal.target == Decimal("40.00")
    with pytest.raises(PermissionDenied):
        goals.create_goal(
            uow,
            rep,
            metric="calls",
            period="week",
            period_start=start,
            target=40,
            user_id=rep_user.id,
        )
    with pytest.raises(ValidationFailed) as err:
        goals.create_goal(
            uow,
            manager,
            metric="calls",
            period="week",
            period_start=start,
            target=0,
            user_id=rep_user.id,
        )
    assert err.value.field == "target"


def test_user_email_unique_ignoring_case_and_password_hashed(uow: UnitOfWork) -> None:
    user = make_user(uow, email="Rep@Example.com", password="correct horse battery")
    assert user.password_hash is not None
    assert "correct horse" not in user.password_hash
    with pytest.raises(Conflict):
        make_user(uow, email="rep@example.COM")
    assert users.authenticate(uow, "REP@example.com", "correct horse battery") is not None
    assert users.authenticate(uow, "rep@example.com", "wrong password!") is None
    with pytest.raises(ValidationFailed) as err:
        make_user(uow, password="short")
    assert err.value.field == "password"
