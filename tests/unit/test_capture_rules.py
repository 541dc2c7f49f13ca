"""Capture rules as pure functions: direction, outcomes, meeting status, distances by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from math import pi

import pytest

from salestrack.domain import capture, geo
from salestrack.domain.vocab import ActivityStatus, Direction

TEAM = capture.TeamAddresses.of(["Rep@Ours.example"], ["enron.com"])


@pytest.mark.parametrize(
    ("sender", "way"),
    [
        ("rep@ours.example", Direction.OUTBOUND),  # a user, matched case-insensitively
        ("REP@OURS.EXAMPLE", Direction.OUTBOUND),
        ("other@ours.example", Direction.INBOUND),  # same domain, but not a team domain
        ("louise.kitchen@enron.com", Direction.OUTBOUND),
        ("list@mailman.enron.com", Direction.OUTBOUND),  # subdomain of a team domain
        ("someone@notenron.com", Direction.INBOUND),
        (None, Direction.INBOUND),
    ],
)
def test_direction(sender: str | None, way: Direction) -> None:
    assert capture.direction(sender, TEAM) is way


@pytest.mark.parametrize(
    ("way", "reply", "bounce", "outcome"),
    [
        (Direction.OUTBOUND, True, False, "sent"),
        (Direction.INBOUND, True, False, "replied"),
        (Direction.INBOUND, False, False, "sent"),
        (Direction.INBOUND, False, True, "bounced"),
    ],
)
def test_email_outcome(way: Direction, reply: bool, bounce: bool, outcome: str) -> None:
    assert capture.email_outcome(way, is_reply=reply, is_bounce=bounce) == outcome


@pytest.mark.parametrize(
    ("subject", "reply"),
    [("Re: Pricing", True), ("AW: Angebot", True), ("RE[2]: x", True), ("Regarding", False)],
)
def test_reply_subjects(subject: str, reply: bool) -> None:
    assert capture.is_reply_subject(subject) is reply


def test_meeting_status() -> None:
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    past, future = datetime(2026, 3, 2, 8, tzinfo=UTC), datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert capture.meeting_status(cancelled=False, end=past, now=now) == (
        ActivityStatus.DONE,
        "held",
    )
    assert capture.meeting_status(cancelled=False, end=future, now=now)[0] is ActivityStatus.PLANNED
    assert capture.meeting_status(cancelled=True, end=past, now=now) == (
        ActivityStatus.CANCELLED,
        None,
    )


def test_haversine_against_hand_computed_arcs() -> None:
    # One degree along the equator or a meridian is 2*pi*R/360 = 111,195.08 m (R = 6,371,008.8).
    degree = 2 * pi * geo.EARTH_RADIUS_M / 360
    assert degree == pytest.approx(111_195.08, abs=0.01)
    assert geo.haversine_m(0, 0, 0, 1) == pytest.approx(degree, rel=1e-12)
    assert geo.haversine_m(0, 0, 1, 0) == pytest.approx(degree, rel=1e-12)
    # A quarter of the equator: pi*R/2 = 10,007,557 m.
    assert geo.haversine_m(0, 0, 0, 90) == pytest.approx(10_007_557.2, abs=0.5)
    # At 60 degrees north a degree of longitude shrinks by cos(60) = 0.5: 0.002 deg = 111.195 m.
    assert geo.haversine_m(60, 0, 60, 0.002) == pytest.approx(111.195, abs=0.01)


@pytest.mark.parametrize(
    ("distance", "accuracy", "radius", "expected"),
    [
        (189.0, 10.0, 200.0, True),
        (211.3, 10.0, 200.0, False),
        (211.3, 10.0, 250.0, True),
        (189.0, 300.0, 200.0, False),  # too coarse a fix proves nothing
        (None, 10.0, 200.0, None),  # the account has no location
    ],
)
def test_verified(
    distance: float | None, accuracy: float, radius: float, expected: bool | None
) -> None:
    assert geo.verified(distance, accuracy, radius) is expected
