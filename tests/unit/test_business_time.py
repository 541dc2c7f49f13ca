"""Working days and local clock times: the arithmetic every planned step relies on."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from salestrack.automation import business_time as bt
from salestrack.errors import ValidationFailed

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_business_days_skip_weekends_and_holidays() -> None:
    friday = date(2026, 3, 6)
    assert bt.add_business_days(friday, 1) == date(2026, 3, 9)  # Monday
    assert bt.add_business_days(friday, 1, {date(2026, 3, 9)}) == date(2026, 3, 10)
    assert bt.add_business_days(friday, 5) == date(2026, 3, 13)
    assert bt.add_business_days(date(2026, 3, 7), 0) == date(2026, 3, 9)  # Saturday -> Monday
    assert bt.add_business_days(friday, 0) == friday


def test_next_slot_is_local_time_in_the_given_zone() -> None:
    # Friday 15:00 UTC = 16:00 in Berlin; one working day later at 09:00 Berlin = 08:00 UTC.
    after = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
    assert bt.next_slot(after, 1, time(9), BERLIN) == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    # Late Thursday UTC is already Friday in Tokyo: the local date counts, so one working day
    # later is Monday there (by the UTC date it would wrongly be Friday).
    tokyo = ZoneInfo("Asia/Tokyo")
    late = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)  # Friday 01:00 in Tokyo
    assert bt.next_slot(late, 1, time(9), tokyo) == datetime(2026, 3, 9, 0, 0, tzinfo=UTC)


def test_same_day_slot_rolls_over_when_the_time_has_passed() -> None:
    monday_noon = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert bt.next_slot(monday_noon, 0, time(14), ZoneInfo("UTC")) == datetime(
        2026, 3, 2, 14, 0, tzinfo=UTC
    )
    assert bt.next_slot(monday_noon, 0, time(9), ZoneInfo("UTC")) == datetime(
        2026, 3, 3, 9, 0, tzinfo=UTC
    )


def test_daylight_saving_changes_the_utc_hour_not_the_local_one() -> None:
    # New York moves to EDT on Sunday 2026-03-08: 09:00 local is 14:00 UTC before, 13:00 after.
    before = bt.local_moment(date(2026, 3, 6), time(9), NEW_YORK)
    after = bt.local_moment(date(2026, 3, 9), time(9), NEW_YORK)
    assert (before.hour, after.hour) == (14, 13)
    # 02:30 does not exist on the change day; the wall clock reads 03:30 EDT.
    gap = bt.local_moment(date(2026, 3, 8), time(2, 30), NEW_YORK)
    assert gap.astimezone(NEW_YORK).time() == time(3, 30)


def test_zone_takes_the_first_usable_name() -> None:
    assert bt.zone(None, "", "Nowhere/Land", "Asia/Tokyo").key == "Asia/Tokyo"
    assert bt.zone(None, default="Europe/Paris").key == "Europe/Paris"


def test_opening_hours_parse_and_name_the_problem() -> None:
    assert bt.parse_opening_hours("13:00-17:30, 08:00-12:00") == [
        (time(8), time(12)),
        (time(13), time(17, 30)),
    ]
    assert bt.parse_opening_hours(None) == [(bt.BUSINESS_START, bt.BUSINESS_END)]
    with pytest.raises(ValidationFailed) as err:
        bt.parse_opening_hours("17:00-08:00")
    assert err.value.field == "opening_hours"
    with pytest.raises(ValidationFailed):
        bt.parse_opening_hours("mornings")
    with pytest.raises(ValidationFailed):
        bt.holiday_dates(["2026-02-30"])


def test_clamp_to_business_hours() -> None:
    assert bt.clamp_to_hours(time(7)) == time(9)
    assert bt.clamp_to_hours(time(10, 30)) == time(10, 30)
    assert bt.clamp_to_hours(time(19)) == time(16)
