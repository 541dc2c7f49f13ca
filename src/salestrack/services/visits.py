"""Field visits: check in at an account (GPS), check out, and flag visits nobody checked in to.

The check-in decides whether the visit is *verified* (:mod:`salestrack.domain.geo`): within the
radius of the account's location, measured by haversine. A visit logged by hand has no check-in
and stays unverified (``verified`` is None): flagged for the manager, never refused, because a
rep with a dead phone still visited the customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from salestrack.domain import geo, rules
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import RESULTS, ActivityStatus, Source
from salestrack.errors import ValidationFailed
from salestrack.services.activities import activity_type
from salestrack.services.permissions import check_change
from salestrack.store.models import Activity
from salestrack.store.uow import UnitOfWork


class VisitFlag(StrEnum):
    """What a manager sees next to a visit."""

    VERIFIED = "verified"
    OUTSIDE_RADIUS = "outside_radius"  # checked in too far away, or with too poor accuracy
    NO_LOCATION = "no_account_location"  # checked in, but the account has no coordinates
    NO_CHECK_IN = "no_check_in"  # logged without a check-in


def visit_flag(visit: Activity) -> VisitFlag:
    if visit.checked_in_at is None:
        return VisitFlag.NO_CHECK_IN
    if visit.verified is None:
        return VisitFlag.NO_LOCATION
    return VisitFlag.VERIFIED if visit.verified else VisitFlag.OUTSIDE_RADIUS


def check_in(
    uow: UnitOfWork,
    actor: Actor,
    *,
    account_id: int,
    latitude: float,
    longitude: float,
    accuracy_m: float,
    at: datetime | None = None,
    activity_id: int | None = None,
    radius_m: float = geo.DEFAULT_RADIUS_M,
) -> Activity:
    """Check in at an account: starts a new visit, or the planned one ``activity_id``."""
    rules.coordinates(latitude, longitude)
    if accuracy_m < 0:
        raise ValidationFailed("accuracy_m", "must not be negative")
    if radius_m <= 0:
        raise ValidationFailed("radius_m", "must be positive")
    if actor.id is None:
        raise ValidationFailed("actor", "a check-in is made by a user, not by the system")
    with uow(actor, "visit.checked_in"):
        account = uow.accounts.get_visible(account_id, field="account_id")
        when = rules.utc("at", at) if at is not None else uow.clock.now()
        kind = activity_type(uow, "visit")
        if activity_id is None:
            visit = Activity(
                type_id=kind.id,
                status=ActivityStatus.PLANNED.value,
                owner_id=actor.id,
                account_id=account.id,
                due_at=when,
                source=Source.MOBILE.value,
            )
        else:
            visit = _visit(uow, actor, activity_id, kind.id, "check in to")
            if visit.checked_in_at is not None:
                raise ValidationFailed("activity_id", "this visit is already checked in")
            visit.account_id = account.id
        distance = None
        if account.latitude is not None and account.longitude is not None:
            distance = geo.haversine_m(latitude, longitude, account.latitude, account.longitude)
        visit.started_at = visit.checked_in_at = when
        visit.latitude, visit.longitude, visit.accuracy_m = latitude, longitude, accuracy_m
        visit.distance_m = None if distance is None else round(distance, 1)
        visit.verified = geo.verified(distance, accuracy_m, radius_m)
        if activity_id is None:
            uow.activities.add(visit)
        uow.commit()
    return visit


def check_out(
    uow: UnitOfWork,
    actor: Actor,
    activity_id: int,
    *,
    at: datetime | None = None,
    outcome: str = "held",
    result: str | None = None,
    next_step: str | None = None,
) -> Activity:
    """Leave the account: records time on site and completes the visit with its outcome."""
    with uow(actor, "visit.checked_out"):
        kind = activity_type(uow, "visit")
        visit = _visit(uow, actor, activity_id, kind.id, "check out of")
        if visit.checked_in_at is None:
            raise ValidationFailed("activity_id", "this visit was never checked in")
        if visit.checked_out_at is not None:
            raise ValidationFailed("activity_id", "this visit is already checked out")
        when = rules.utc("at", at) if at is not None else uow.clock.now()
        rules.ordered("checked_in_at", visit.checked_in_at, "at", when)
        visit.duration_s = rules.duration("at", int((when - visit.checked_in_at).total_seconds()))
        visit.checked_out_at = when
        visit.outcome = rules.outcome("visit", outcome, kind.outcomes)
        visit.result = rules.choice("result", result, RESULTS) if result else None
        visit.next_step = rules.optional_text("next_step", next_step, max_len=500)
        visit.status = ActivityStatus.DONE.value
        visit.completed_at = when
        visit.logged_at = uow.clock.now()
        uow.commit()
    return visit


def _visit(uow: UnitOfWork, actor: Actor, activity_id: int, type_id: int, verb: str) -> Activity:
    visit = uow.activities.get_visible(activity_id)
    check_change(uow, actor, visit.owner_id, f"{verb} this visit")
    if visit.type_id != type_id:
        raise ValidationFailed("activity_id", "is not a visit")
    if visit.status != ActivityStatus.PLANNED:
        raise ValidationFailed("activity_id", f"the visit is {visit.status}, not planned")
    return visit


def unverified_visits(uow: UnitOfWork, actor: Actor, limit: int = 100) -> Sequence[Activity]:
    """Visible visits that are not verified (no check-in, too far, or no account location)."""
    with uow(actor):
        kind = activity_type(uow, "visit")
        return uow.activities.list(Activity.verified.is_not(True), limit=limit, type_id=kind.id)
