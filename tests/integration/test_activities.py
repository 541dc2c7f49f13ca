"""Planning and completing activities: outcomes from the type's vocabulary, links, statuses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import FixedClock
from salestrack.errors import Conflict, PermissionDenied, ValidationFailed
from salestrack.services import activities as act
from salestrack.services.activity_types import create_activity_type
from salestrack.store.uow import UnitOfWork
from tests.factories import make_account, make_deal, make_rep


def test_plan_then_complete_with_outcome(uow: UnitOfWork, clock: FixedClock) -> None:
    _, rep = make_rep(uow)
    due = clock.now() + timedelta(hours=2)
    planned = act.plan_activity(uow, rep, type="call", due_at=due, purpose="follow_up")
    assert (planned.status, planned.outcome) == ("planned", None)
    clock.advance(timedelta(hours=3))
    done = act.complete_activity(
        uow, rep, planned.id, outcome="connected", next_step="send proposal"
    )
    assert (done.status, done.outcome, done.next_step) == ("done", "connected", "send proposal")
    assert done.started_at == due
    assert done.logged_at == clock.now()


@pytest.mark.parametrize("outcome", [None, "", "held"])
def test_completing_needs_an_outcome_of_the_type(
    uow: UnitOfWork, clock: FixedClock, outcome: str | None
) -> None:
    _, rep = make_rep(uow)
    planned = act.plan_activity(uow, rep, type="call", due_at=clock.now())
    with pytest.raises(ValidationFailed) as err:
        act.complete_activity(uow, rep, planned.id, outcome=outcome)
    assert err.value.field == "outcome"
    with uow(SYSTEM):
        assert uow.activities.get_visible(planned.id).status == "planned"


def test_result_only_for_types_that_have_one(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    meeting = act.log_activity(uow, rep, type="meeting", outcome="held", result="positive")
    assert meeting.result == "positive"
    with pytest.raises(ValidationFailed) as err:
        act.log_activity(uow, rep, type="call", outcome="connected", result="positive")
    assert err.value.field == "result"


def test_end_before_start_is_refused_and_nothing_written(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    _, rep = make_rep(uow)
    with pytest.raises(ValidationFailed) as err:
        act.log_activity(
            uow,
            rep,
            type="meeting",
            outcome="held",
            started_at=clock.now(),
            ended_at=clock.now() - timedelta(minutes=5),
        )
    assert (err.value.field, err.value.reason) == ("ended_at", "is before started_at")
    with uow(SYSTEM):
        assert uow.activities.count() == 0
    ok = act.log_activity(
        uow,
        rep,
        type="meeting",
        outcome="held",
        started_at=clock.now(),
        ended_at=clock.now() + timedelta(minutes=45),
    )
    assert ok.duration_s == 45 * 60


def test_unknown_type_lists_the_known_ones(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    with pytest.raises(ValidationFailed) as err:
        act.log_activity(uow, rep, type="fax", outcome="sent")
    assert err.value.field == "type"
    assert "call" in err.value.reason


def test_account_filled_from_deal(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    account = make_account(uow, rep)
    deal = make_deal(uow, rep, account_id=account.id)
    logged = act.log_activity(uow, rep, type="email", outcome="sent", deal_id=deal.id)
    assert logged.account_id == account.id


def test_cancel_and_reschedule_only_planned(uow: UnitOfWork, clock: FixedClock) -> None:
    _, rep = make_rep(uow)
    planned = act.plan_activity(uow, rep, type="visit", due_at=clock.now())
    later = clock.now() + timedelta(days=2)
    assert act.reschedule_activity(uow, rep, planned.id, later).due_at == later
    assert act.cancel_activity(uow, rep, planned.id).status == "cancelled"
    with pytest.raises(ValidationFailed) as err:
        act.complete_activity(uow, rep, planned.id, outcome="held")
    assert err.value.field == "status"


def test_naive_timestamp_refused(uow: UnitOfWork, clock: FixedClock) -> None:
    _, rep = make_rep(uow)
    with pytest.raises(ValidationFailed) as err:
        act.plan_activity(uow, rep, type="call", due_at=clock.now().replace(tzinfo=None))
    assert err.value.field == "due_at"


def test_admin_adds_a_type_and_reps_log_it(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    with pytest.raises(PermissionDenied):
        create_activity_type(
            uow, rep, key="inmail", label="InMail", category="selling", outcomes=["sent"]
        )
    create_activity_type(
        uow, SYSTEM, key="inmail", label="InMail", category="selling", outcomes=["sent", "accepted"]
    )
    with pytest.raises(Conflict):
        create_activity_type(
            uow, SYSTEM, key="inmail", label="x", category="selling", outcomes=["sent"]
        )
    assert act.log_activity(uow, rep, type="inmail", outcome="accepted").outcome == "accepted"
