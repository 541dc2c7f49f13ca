"""Simulated time: local business hours at the prospect, converted to UTC in bulk.

Timestamps are handled as int64 microseconds since the epoch (UTC) while generating, because
numpy arithmetic on them is cheap; frames get ``datetime64[us, UTC]`` only at the end. Local
times are (day index since the start, second of the day, time-zone code), converted to UTC one
zone at a time with pandas, so daylight saving time is honoured.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import NDArray

DAY_S = 86_400
US = 1_000_000
DAY_US = DAY_S * US
HOUR_US = 3_600 * US
NAT = np.iinfo(np.int64).min  # int64 view of NaT

Ints = NDArray[np.int64]

# Weights of the local hour an activity starts in (business hours, a dip at lunch).
WORK_HOURS: tuple[tuple[int, float], ...] = (
    (7, 0.03),
    (8, 0.08),
    (9, 0.11),
    (10, 0.12),
    (11, 0.11),
    (12, 0.06),
    (13, 0.08),
    (14, 0.11),
    (15, 0.10),
    (16, 0.09),
    (17, 0.07),
    (18, 0.03),
    (19, 0.01),
)


def epoch_us(day: date) -> int:
    """Microseconds since the epoch of midnight (as a naive local wall time) of ``day``."""
    return int(np.datetime64(day, "us").astype(np.int64))


def draw_hours(rng: np.random.Generator, n: int, hours: Sequence[tuple[int, float]]) -> Ints:
    """Local hours drawn from (hour, weight) pairs."""
    values = np.array([h for h, _ in hours], dtype=np.int64)
    weights = np.array([w for _, w in hours], dtype=np.float64)
    return values[rng.choice(len(values), size=n, p=weights / weights.sum())]


def seconds_in_hour(rng: np.random.Generator, hours: Ints) -> Ints:
    """Second of the day: the given hour plus a uniform offset inside it."""
    return hours * 3_600 + rng.integers(0, 3_600, size=len(hours), dtype=np.int64)


def weekday(start: date, day: Ints) -> Ints:
    """Day of the week (Monday 0) of day index ``day``."""
    return (start.weekday() + day) % 7


def move_off_weekends(
    rng: np.random.Generator,
    start: date,
    day: Ints,
    keep_share: float = 0.1,
    floor: Ints | None = None,
) -> Ints:
    """Move most weekend days back to the Friday before; ``keep_share`` of them stay put.

    ``floor`` (per row) stops a day moving before it; such rows keep their weekend day.
    """
    dow = weekday(start, day)
    back = np.where(dow == 5, 1, np.where(dow == 6, 2, 0))
    move = (back > 0) & (rng.random(len(day)) >= keep_share)
    moved = day - back * move
    if floor is not None:
        moved = np.where(moved < floor, day, moved)
    return np.asarray(moved, dtype=np.int64)


def local_to_utc(
    start: date, day: Ints, second: Ints, zone: NDArray[np.integer], zones: Sequence[str]
) -> Ints:
    """UTC microseconds of local wall times (day index, second of day) in each row's zone.

    Wall times that do not exist (spring forward) move forward; ambiguous ones (fall back) take
    standard time. Business hours never hit either, but the conversion must not fail on them.
    """
    local = epoch_us(start) + day * DAY_US + second * US
    out = np.empty_like(local)
    for code, name in enumerate(zones):
        mask = zone == code
        if not mask.any():
            continue
        index = pd.DatetimeIndex(local[mask].view("datetime64[us]"))
        aware = index.tz_localize(name, nonexistent="shift_forward", ambiguous=False)
        out[mask] = aware.tz_convert("UTC").tz_localize(None).as_unit("us").asi8
    return out


def to_timestamps(values: Ints) -> pd.Series:
    """A ``datetime64[us, UTC]`` series from UTC microseconds (``NAT`` becomes NaT)."""
    naive = pd.Series(np.asarray(values, dtype=np.int64).view("datetime64[us]"))
    return naive.dt.tz_localize("UTC")


def day_start_us(start: date, day: int) -> int:
    """UTC microseconds of midnight UTC of day index ``day``."""
    return epoch_us(start) + day * DAY_US
