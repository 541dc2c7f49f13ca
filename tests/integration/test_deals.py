"""Stage moves, closing, the repeat flag and the orders a win stands for, on both stores."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import FixedClock
from salestrack.errors import NotFound, PermissionDenied, ValidationFailed
from salestrack.services.deals import move_deal_stage, update_deal
from salestrack.store.models import Order, Stage, StageChange
from salestrack.store.uow import UnitOfWork
from tests.factories import make_account, make_deal, make_rep, make_team


def _stage_name(uow: UnitOfWork, stage_id: int) -> str:
    with uow(SYSTEM):
        return uow.session.get_one(Stage, stage_id).name


def _changes(uow: UnitOfWork, deal_id: int) -> list[tuple[str | None, str]]:
    with uow(SYSTEM):
        rows = uow.session.scalars(
            select(StageChange).where(StageChange.deal_id == deal_id).order_by(StageChange.id)
        ).all()
        names = {s.id: s.name for s in uow.session.scalars(select(Stage))}
        return [(names.get(r.from_stage_id or 0), names[r.to_stage_id]) for r in rows]


def test_every_move_is_a_stage_change_row_and_won_closes(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    _, rep = make_rep(uow)
    deal = make_deal(uow, rep, account_id=make_account(uow, rep).id)
    assert _stage_name(uow, deal.stage_id) == "Qualification"
    assert deal.closed_at is None
    clock.advance(timedelta(days=3))
    move_deal_stage(uow, rep, deal.id, "Proposal")
    clock.advance(timedelta(days=4))
    won = move_deal_stage(uow, rep, deal.id, "won")  # names match case-insensitively
    assert _changes(uow, deal.id) == [
        (None, "Qualification"),
        ("Qualification", "Proposal"),
        ("Proposal", "Won"),
    ]
    assert won.closed_at == clock.now()
    assert won.is_repeat is False


def test_moving_to_the_same_stage_writes_nothing(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    deal = make_deal(uow, rep)
    move_deal_stage(uow, rep, deal.id, "Qualification")
    assert len(_changes(uow, deal.id)) == 1


def test_lost_closes_with_reason_and_reopening_clears_close(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    deal = make_deal(uow, rep)
    lost = move_deal_stage(uow, rep, deal.id, "Lost", lost_reason="price")
    assert lost.closed_at is not None
    assert lost.lost_reason == "price"
    reopened = move_deal_stage(uow, rep, deal.id, "Negotiation")
    assert reopened.closed_at is None


def test_repeat_flag_set_when_account_already_won(uow: UnitOfWork, clock: FixedClock) -> None:
    _, rep = make_rep(uow)
    account = make_account(uow, rep)
    first = make_deal(uow, rep, account_id=account.id, amount="500")
    clock.advance(timedelta(days=1))
    assert move_deal_stage(uow, rep, first.id, "Won").is_repeat is False
    second = make_deal(uow, rep, account_id=account.id, amount="800")
    assert second.is_repeat is True
    other = make_deal(uow, rep, account_id=make_account(uow, rep).id)
    assert other.is_repeat is False


def test_a_win_counts_as_one_order_and_a_reopen_removes_it(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    account = make_account(uow, rep)
    deal = make_deal(uow, rep, account_id=account.id, amount="1234.56")
    move_deal_stage(uow, rep, deal.id, "Won")
    with uow(SYSTEM):
        orders = uow.session.scalars(select(Order).where(Order.deal_id == deal.id)).all()
        assert [(o.amount, o.account_id) for o in orders] == [(Decimal("1234.56"), account.id)]
        assert uow.accounts.get_visible(account.id).status == "customer"
    move_deal_stage(uow, rep, deal.id, "Proposal")
    with uow(SYSTEM):
        assert uow.session.scalar(select(func.count()).select_from(Order)) == 0


def test_unknown_stage_names_field_and_writes_nothing(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    deal = make_deal(uow, rep)
    with pytest.raises(ValidationFailed) as err:
        move_deal_stage(uow, rep, deal.id, "Signed")
    assert err.value.field == "stage"
    assert "'Signed' is not a stage" in err.value.reason
    assert len(_changes(uow, deal.id)) == 1


def test_negative_amount_is_refused(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    with pytest.raises(ValidationFailed) as err:
        make_deal(uow, rep, amount="-5")
    assert (err.value.field, err.value.reason) == ("amount", "must not be negative")
    deal = make_deal(uow, rep)
    with pytest.raises(ValidationFailed):
        update_deal(uow, rep, deal.id, amount=Decimal("-0.01"))
    with uow(SYSTEM):
        assert uow.deals.count() == 1
        assert uow.deals.get_visible(deal.id).amount == Decimal("1000.00")


def test_another_teams_rep_cannot_see_or_move_a_deal(uow: UnitOfWork) -> None:
    team_a, team_b = make_team(uow), make_team(uow)
    _, rep_a = make_rep(uow, team_a)
    _, rep_b = make_rep(uow, team_b)
    deal = make_deal(uow, rep_a)
    with pytest.raises(NotFound):
        move_deal_stage(uow, rep_b, deal.id, "Won")
    with pytest.raises(PermissionDenied):
        make_deal(uow, rep_b, owner_id=rep_a.id)
