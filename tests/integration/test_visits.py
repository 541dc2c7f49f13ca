"""Field check-ins: verified within the radius (hand-computed distances), time on site, flags."""

from __future__ import annotations

from datetime import timedelta

import pytest

from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import FixedClock
from salestrack.errors import ValidationFailed
from salestrack.services import activities, visits
from salestrack.services.visits import VisitFlag
from salestrack.store.uow import UnitOfWork
from tests.factories import make_account, make_rep

# Account in Berlin. North of it by 0.0017 degrees of latitude: 0.0017 * 111,195.08 m
# (one degree of a meridian, 2*pi*R/360 with R = 6,371,008.8 m) = 189.03 m; by 0.0019: 211.27 m.
HQ = (52.5200, 13.4050)
NEAR, FAR = (52.5217, 13.4050), (52.5219, 13.4050)


def test_check_in_near_is_verified_and_check_out_records_time_on_site(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    _, rep = make_rep(uow)
    account = make_account(uow, rep, latitude=HQ[0], longitude=HQ[1])
    visit = visits.check_in(
        uow, rep, account_id=account.id, latitude=NEAR[0], longitude=NEAR[1], accuracy_m=15
    )
    assert visit.distance_m == pytest.approx(189.0, abs=0.1)
    assert (visit.verified, visit.checked_in_at, visit.status) == (True, clock.now(), "planned")
    clock.advance(timedelta(minutes=47))
    done = visits.check_out(uow, rep, visit.id, result="positive")
    assert (done.duration_s, done.status, done.outcome) == (47 * 60, "done", "held")
    assert done.checked_out_at == clock.now()
    assert visits.visit_flag(done) is VisitFlag.VERIFIED


def test_check_in_too_far_is_kept_but_not_verified_unless_the_radius_allows(
    uow: UnitOfWork,
) -> None:
    _, rep = make_rep(uow)
    account = make_account(uow, rep, latitude=HQ[0], longitude=HQ[1])
    far = visits.check_in(
        uow, rep, account_id=account.id, latitude=FAR[0], longitude=FAR[1], accuracy_m=15
    )
    assert far.distance_m == pytest.approx(211.3, abs=0.1)
    assert far.verified is False and visits.visit_flag(far) is VisitFlag.OUTSIDE_RADIUS
    wide = visits.check_in(
        uow, rep, account_id=account.id, latitude=FAR[0], longitude=FAR[1], accuracy_m=15,
        radius_m=250,
    )  # fmt: skip
    assert wide.verified is True


def test_planned_visit_checked_in_and_visits_without_check_in_are_flagged(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    _, rep = make_rep(uow)
    account = make_account(uow, rep, latitude=HQ[0], longitude=HQ[1])
    nowhere = make_account(uow, rep)
    planned = activities.plan_activity(
        uow, rep, type="visit", due_at=clock.now(), account_id=account.id
    )
    checked = visits.check_in(
        uow, rep, account_id=account.id, latitude=NEAR[0], longitude=NEAR[1], accuracy_m=5,
        activity_id=planned.id,
    )  # fmt: skip
    assert checked.id == planned.id and checked.verified is True
    logged = activities.log_activity(
        uow, rep, type="visit", outcome="held", account_id=account.id
    )  # no check-in: accepted, flagged
    assert logged.verified is None and visits.visit_flag(logged) is VisitFlag.NO_CHECK_IN
    unknown = visits.check_in(
        uow, rep, account_id=nowhere.id, latitude=NEAR[0], longitude=NEAR[1], accuracy_m=5
    )
    assert visits.visit_flag(unknown) is VisitFlag.NO_LOCATION
    flagged = {v.id for v in visits.unverified_visits(uow, rep)}
    assert flagged == {logged.id, unknown.id}


def test_bad_check_ins_are_refused(uow: UnitOfWork, clock: FixedClock) -> None:
    _, rep = make_rep(uow)
    account = make_account(uow, rep, latitude=HQ[0], longitude=HQ[1])
    with pytest.raises(ValidationFailed) as err:
        visits.check_in(uow, rep, account_id=account.id, latitude=95, longitude=0, accuracy_m=5)
    assert err.value.field == "latitude"
    with pytest.raises(ValidationFailed):
        visits.check_in(uow, SYSTEM, account_id=account.id, latitude=0, longitude=0, accuracy_m=5)
    visit = visits.check_in(
        uow, rep, account_id=account.id, latitude=NEAR[0], longitude=NEAR[1], accuracy_m=5
    )
    with pytest.raises(ValidationFailed) as err:
        visits.check_out(uow, rep, visit.id, at=clock.now() - timedelta(minutes=1))
    assert err.value.field == "at"
