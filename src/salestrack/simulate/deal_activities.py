"""The activities on deals, scheduled from each deal's plan (drawn before its outcome).

Every deal gets exactly one first meeting (type meeting, purpose first_meeting), which is also
its earliest meeting-type activity. Planted on top, each by the deal's pre-drawn flag:

- a demo (type demo, purpose demo, held) after the first meeting            -> effect (a)
- one follow-up e-mail (purpose follow_up) 1-23 h after the first meeting's start ("fast")
  or 26 h-7 d after it ("slow"), or none                                     -> effect (c)
- a check-in call (purpose check_in) somewhere in the cycle                  -> null control (h)

plus a Poisson number of ordinary calls, e-mails, tasks and notes whose count does not depend
on the outcome. All of them fall inside the deal's life (creation day + 1 .. close day - 1), so
every activity of a closed deal is in the past and done (the planted ones are never cancelled).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from salestrack.simulate.activities import OUTCOMES, Part, purpose_code, type_code
from salestrack.simulate.clock import (
    HOUR_US,
    WORK_HOURS,
    draw_hours,
    local_to_utc,
    move_off_weekends,
    seconds_in_hour,
)
from salestrack.simulate.deals import Deals
from salestrack.simulate.geo import ZONES
from salestrack.simulate.params import SimulationParams
from salestrack.simulate.people import People

Ints = NDArray[np.int64]
FAST_FOLLOW_UP_HOURS = (1.0, 23.0)
SLOW_FOLLOW_UP_HOURS = (26.0, 7 * 24.0)


def deal_activities(
    rng: np.random.Generator, params: SimulationParams, people: People, deals: Deals
) -> Part:
    """All activities linked to deals, as one scheduled part."""
    n = len(deals.day)
    span = np.maximum(deals.cycle - 2, 1)
    first_day = deals.day + 1 + (rng.random(n) * np.maximum(0.15 * deals.cycle, 1)).astype(np.int64)
    first_day = _workday(rng, params, first_day, deals.day + 1)
    first = _local(rng, params, deals, np.arange(n), first_day)
    held = OUTCOMES.index("held")
    parts = [_part(deals, np.arange(n), first, "meeting", "first_meeting", held, cancel=False)]

    rows = np.flatnonzero(deals.had_demo)
    day = (
        deals.day[rows] + 1 + ((0.25 + 0.45 * rng.random(len(rows))) * span[rows]).astype(np.int64)
    )
    day = np.maximum(_workday(rng, params, day, deals.day[rows] + 1), first_day[rows] + 1)
    demo = _local(rng, params, deals, rows, day)
    parts.append(_part(deals, rows, demo, "demo", "demo", held, cancel=False))

    fast, slow = deals.fast_follow_up, deals.slow_follow_up
    rows = np.flatnonzero(fast | slow)
    lo = np.where(fast[rows], FAST_FOLLOW_UP_HOURS[0], SLOW_FOLLOW_UP_HOURS[0])
    hi = np.where(fast[rows], FAST_FOLLOW_UP_HOURS[1], SLOW_FOLLOW_UP_HOURS[1])
    delay = ((lo + rng.random(len(rows)) * (hi - lo)) * HOUR_US).astype(np.int64)
    at = (first[0][rows] + delay, np.full(len(rows), -1, dtype=np.int64))
    parts.append(_part(deals, rows, at, "email", "follow_up", -1, cancel=False))

    rows = np.flatnonzero(deals.had_check_in)
    day = deals.day[rows] + 1 + ((0.2 + 0.7 * rng.random(len(rows))) * span[rows]).astype(np.int64)
    day = _workday(rng, params, day, deals.day[rows] + 1)
    at = _local(rng, params, deals, rows, day)
    parts.append(_part(deals, rows, at, "call", "check_in", -1, cancel=False))

    count = rng.poisson(params.generic_activities_per_deal, n)
    rows = np.repeat(np.arange(n), count)
    frac = rng.random(len(rows))
    day = _workday(
        rng, params, deals.day[rows] + 1 + (frac * span[rows]).astype(np.int64), deals.day[rows] + 1
    )
    kinds = np.array([type_code(k) for k in ("call", "email", "task", "note")])
    kind = kinds[rng.choice(4, len(rows), p=(0.45, 0.40, 0.10, 0.05))]
    stage_purpose = np.array([purpose_code(p) for p in ("discovery", "proposal", "negotiation")])
    purpose = stage_purpose[np.minimum((frac * 3).astype(np.int64), 2)]
    purpose = np.where(kind >= type_code("task"), purpose_code("admin"), purpose)
    generic = _part(deals, rows, _local(rng, params, deals, rows, day), "call", "discovery", -1)
    generic.type, generic.purpose = kind, purpose
    parts.append(generic)
    return Part.concat(parts)


def _workday(rng: np.random.Generator, params: SimulationParams, day: Ints, floor: Ints) -> Ints:
    return move_off_weekends(rng, params.start, day, floor=floor)


def _local(
    rng: np.random.Generator, params: SimulationParams, deals: Deals, rows: Ints, day: Ints
) -> tuple[Ints, Ints]:
    """(UTC microseconds, local hour) of a business-hours time on each local day."""
    hour = draw_hours(rng, len(rows), WORK_HOURS)
    second = seconds_in_hour(rng, hour)
    return local_to_utc(params.start, day, second, deals.zone[rows], ZONES), hour


def _part(
    deals: Deals,
    rows: Ints,
    at: tuple[Ints, Ints],
    kind: str,
    purpose: str,
    outcome: int,
    *,
    cancel: bool = True,
) -> Part:
    n = len(rows)
    return Part(
        type=np.full(n, type_code(kind), dtype=np.int64),
        purpose=np.full(n, purpose_code(purpose), dtype=np.int64),
        owner=deals.owner_id[rows],
        account=deals.account_id[rows],
        contact=deals.contact_id[rows],
        deal=rows.astype(np.int64) + 1,
        lead=np.zeros(n, dtype=np.int64),
        at_us=at[0],
        local_hour=at[1],
        may_cancel=np.full(n, cancel),
        forced_outcome=np.full(n, outcome, dtype=np.int64),
    )
