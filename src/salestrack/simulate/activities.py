"""Activities: the background volume (prospecting, account touches) and the final pass that turns
scheduled rows into the activities table (status, outcome, result, duration, logging delay).

Planted effect (b): a call is connected with the probability of its local hour at the prospect
(``PlantedEffects.connect_by_local_hour``) and of nothing else. Everything here is vectorized:
the only loops run over the handful of activity types.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from salestrack.domain.vocab import DEFAULT_ACTIVITY_TYPES, PURPOSES, RESULTS
from salestrack.simulate.clock import (
    DAY_US,
    HOUR_US,
    NAT,
    US,
    WORK_HOURS,
    draw_hours,
    local_to_utc,
    move_off_weekends,
    seconds_in_hour,
    to_timestamps,
)
from salestrack.simulate.columns import categorical, optional_ids
from salestrack.simulate.geo import ZONES
from salestrack.simulate.params import SimulationParams
from salestrack.simulate.people import SOURCE, People

Ints = NDArray[np.int64]
TYPE_KEYS: tuple[str, ...] = tuple(t.key for t in DEFAULT_ACTIVITY_TYPES)
OUTCOMES: tuple[str, ...] = tuple(
    dict.fromkeys(o for t in DEFAULT_ACTIVITY_TYPES for o in t.outcomes)
)
STATUSES = ("planned", "done", "cancelled")
SELLING_TYPES: tuple[str, ...] = tuple(
    t.key for t in DEFAULT_ACTIVITY_TYPES if t.category.value == "selling"
)
CANCELLED_SHARE = 0.03  # of past rows that may be cancelled
OVERDUE_SHARE = 0.015  # of past rows left planned (overdue)
LATE_LOG_SHARE = 0.08  # done rows logged more than 24 h after completion
PLANNING_DAYS = 14  # background activities are planned up to this far past "now"

# Outcome weights of done activities per type (calls: only the non-connected split).
OUTCOME_WEIGHTS: dict[str, tuple[float, ...]] = {
    "call": (0.0, 0.55, 0.40, 0.05),
    "email": (0.77, 0.20, 0.03),
    "meeting": (0.85, 0.08, 0.07),
    "visit": (0.88, 0.06, 0.06),
    "demo": (0.85, 0.08, 0.07),
    "task": (0.9, 0.1),
    "note": (1.0,),
    "social": (0.58, 0.12, 0.30),
}
RESULT_WEIGHTS = (0.45, 0.40, 0.15)
DURATION_S: dict[str, tuple[int, int]] = {
    "call": (120, 900),
    "email": (60, 300),
    "meeting": (1_800, 3_600),
    "visit": (1_800, 5_400),
    "demo": (2_700, 3_600),
    "task": (300, 1_800),
    "note": (60, 300),
    "social": (30, 120),
}


def type_code(key: str) -> int:
    return TYPE_KEYS.index(key)


def purpose_code(key: str) -> int:
    return PURPOSES.index(key)


@dataclass
class Part:
    """Scheduled activities before the finishing pass; one array per attribute, same length."""

    type: Ints
    purpose: Ints
    owner: Ints
    account: Ints
    contact: Ints
    deal: Ints  # 0: none
    lead: Ints  # 0: none
    at_us: Ints  # scheduled start, UTC microseconds
    local_hour: Ints  # local hour at the prospect, -1 when not drawn locally
    may_cancel: NDArray[np.bool_]  # may end cancelled or overdue instead of done
    forced_outcome: Ints  # outcome code when done, -1: draw from the type's weights

    @classmethod
    def concat(cls, parts: list[Part]) -> Part:
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )

    def __len__(self) -> int:
        return len(self.type)


def background(
    rng: np.random.Generator,
    params: SimulationParams,
    people: People,
    count: int,
    lead_owner: Ints,
    lead_account: Ints,
    lead_day: Ints,
) -> Part:
    """Prospecting touches on leads (30%) and touches on accounts weighted by attention."""
    n_leads = len(lead_owner)
    n_pro = round(0.3 * count) if n_leads else 0
    n_acc = count - n_pro
    lead = rng.integers(0, max(n_leads, 1), n_pro)
    pro_day = lead_day[lead] + 1 + rng.exponential(5.0, n_pro).astype(np.int64)
    pro_type = np.array([type_code(k) for k in ("call", "email", "social")])[
        rng.choice(3, n_pro, p=(0.5, 0.4, 0.1))
    ]
    weights = people.account_attention / people.account_attention.sum()
    account = rng.choice(len(weights), n_acc, p=weights).astype(np.int64) + 1
    acc_day = rng.integers(0, params.days + PLANNING_DAYS, n_acc, dtype=np.int64)
    kinds = ("call", "email", "meeting", "visit", "task", "note", "social")
    acc_type = np.array([type_code(k) for k in kinds])[
        rng.choice(len(kinds), n_acc, p=(0.35, 0.30, 0.07, 0.06, 0.10, 0.07, 0.05))
    ]
    account_all = np.concatenate([lead_account[lead], account])
    day = np.minimum(np.concatenate([pro_day, acc_day]), params.days + PLANNING_DAYS - 1)
    floor = np.concatenate([lead_day[lead] + 1, np.zeros(n_acc, dtype=np.int64)])
    day = move_off_weekends(rng, params.start, day, floor=floor)
    kind = np.concatenate([pro_type, acc_type])
    purpose = _background_purpose(rng, kind, n_pro)
    hour = draw_hours(rng, len(kind), WORK_HOURS)
    second = seconds_in_hour(rng, hour)
    zone = people.account_zone[account_all - 1]
    n = len(kind)
    return Part(
        type=kind,
        purpose=purpose,
        owner=np.concatenate([lead_owner[lead], people.account_owner[account - 1]]),
        account=account_all,
        contact=people.contact_of(rng, account_all),
        deal=np.zeros(n, dtype=np.int64),
        lead=np.concatenate([lead + 1, np.zeros(n_acc, dtype=np.int64)]),
        at_us=local_to_utc(params.start, day, second, zone, ZONES),
        local_hour=hour,
        may_cancel=np.ones(n, dtype=bool),
        forced_outcome=np.full(n, -1, dtype=np.int64),
    )


def _background_purpose(rng: np.random.Generator, kind: Ints, n_prospecting: int) -> Ints:
    """Prospecting for lead touches; nurture, discovery or admin for account touches.

    check_in, follow_up, first_meeting and demo never occur off a deal: they are the planted
    deal-level variables and must mean exactly what the ground truth says.
    """
    purpose = np.full(len(kind), purpose_code("nurture"), dtype=np.int64)
    purpose[:n_prospecting] = purpose_code("prospecting")
    admin = (kind == type_code("task")) | (kind == type_code("note"))
    purpose[admin] = purpose_code("admin")
    meet = (kind == type_code("meeting")) | (kind == type_code("visit"))
    purpose[meet & (rng.random(len(kind)) < 0.5)] = purpose_code("discovery")
    return purpose


def finish(
    rng: np.random.Generator, params: SimulationParams, people: People, part: Part, now_us: int
) -> pd.DataFrame:
    """Status, outcome, result, times and logging of every scheduled row; the activities frame."""
    n = len(part)
    past = part.at_us < now_us
    r = rng.random(n)
    status = np.where(past, 1, 0)
    status[past & part.may_cancel & (r < CANCELLED_SHARE)] = 2
    status[
        past & part.may_cancel & (r >= CANCELLED_SHARE) & (r < CANCELLED_SHARE + OVERDUE_SHARE)
    ] = 0
    done = status == 1
    outcome = _outcomes(rng, params, part, done)
    held = done & np.isin(outcome, [OUTCOMES.index("held")])
    result = np.where(held, rng.choice(len(RESULTS), n, p=RESULT_WEIGHTS), -1)
    duration = _durations(rng, part.type, outcome, done)
    started = np.where(done, part.at_us, NAT)
    completed = np.where(done, part.at_us + duration * US, NAT)
    late = rng.random(n) < LATE_LOG_SHARE
    delay_s = np.where(
        late,
        rng.integers(24 * 3_600 + 60, 5 * 24 * 3_600, n),
        rng.integers(0, 15 * 60, n),
    )
    logged = np.minimum(completed + delay_s * US, now_us)
    booked = np.minimum(part.at_us - rng.integers(HOUR_US, 7 * DAY_US, n), now_us)
    created = np.where(done, logged, booked)
    logged = np.where(done, logged, booked)
    inbound = (part.type == type_code("email")) & (part.purpose != purpose_code("follow_up"))
    inbound &= rng.random(n) < 0.1
    ids = np.arange(1, n + 1, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "id": ids,
            "type_key": categorical(part.type, TYPE_KEYS),
            "purpose": categorical(part.purpose, PURPOSES),
            "direction": categorical(inbound.astype(np.int8), ["outbound", "inbound"]),
            "status": categorical(status, STATUSES),
            "due_at": to_timestamps(part.at_us),
            "started_at": to_timestamps(started),
            "duration_s": pd.arrays.IntegerArray(duration, ~done),
            "completed_at": to_timestamps(completed),
            "logged_at": to_timestamps(logged),
            "outcome": categorical(outcome, OUTCOMES),
            "result": categorical(result, RESULTS),
            "owner_id": part.owner,
            "account_id": part.account,
            "contact_id": part.contact,
            "deal_id": optional_ids(part.deal),
            "lead_id": optional_ids(part.lead),
        }
    )
    _check_ins(rng, people, part, done, completed, frame)
    frame["source"] = categorical(np.zeros(n, np.int8), [SOURCE])
    frame["external_id"] = _external_ids(ids)
    frame["created_at"] = to_timestamps(created)
    return frame


def _outcomes(
    rng: np.random.Generator, params: SimulationParams, part: Part, done: NDArray[np.bool_]
) -> Ints:
    """Outcome codes of done rows (-1 otherwise), from each type's vocabulary."""
    n = len(part)
    outcome = np.full(n, -1, dtype=np.int64)
    for spec in DEFAULT_ACTIVITY_TYPES:
        rows = np.flatnonzero(done & (part.type == type_code(spec.key)))
        codes = np.array([OUTCOMES.index(o) for o in spec.outcomes])
        weights = np.array(OUTCOME_WEIGHTS[spec.key])
        drawn = codes[rng.choice(len(codes), len(rows), p=weights / weights.sum())]
        if spec.key == "call":
            profile = np.zeros(24)
            for hour, p in params.effects.connect_by_local_hour:
                profile[hour] = p
            local_hour = part.local_hour[rows]
            connected = rng.random(len(rows)) < profile[np.clip(local_hour, 0, 23)]
            drawn = np.where(connected, OUTCOMES.index("connected"), drawn)
        outcome[rows] = drawn
    forced = done & (part.forced_outcome >= 0)
    outcome[forced] = part.forced_outcome[forced]
    return outcome


def _durations(
    rng: np.random.Generator, kind: Ints, outcome: Ints, done: NDArray[np.bool_]
) -> Ints:
    lo = np.array([DURATION_S[k][0] for k in TYPE_KEYS])[kind]
    hi = np.array([DURATION_S[k][1] for k in TYPE_KEYS])[kind]
    seconds = (lo + rng.random(len(kind)) * (hi - lo)).astype(np.int64)
    short_call = (kind == type_code("call")) & (outcome != OUTCOMES.index("connected"))
    seconds = np.where(short_call, 10 + seconds % 36, seconds)
    missed = np.isin(outcome, [OUTCOMES.index("no_show"), OUTCOMES.index("rescheduled")])
    seconds = np.where(missed, 0, seconds)
    return np.where(done, seconds, 0)


def _check_ins(
    rng: np.random.Generator,
    people: People,
    part: Part,
    done: NDArray[np.bool_],
    completed: Ints,
    frame: pd.DataFrame,
) -> None:
    """Done visits carry a GPS check-in near the account and its check-out."""
    visit = done & (part.type == type_code("visit"))
    rows = np.flatnonzero(visit)
    lat = np.full(len(part), np.nan)
    lon = np.full(len(part), np.nan)
    acc = np.full(len(part), np.nan)
    account_lat = people.accounts["latitude"].to_numpy()
    account_lon = people.accounts["longitude"].to_numpy()
    lat[rows] = np.round(account_lat[part.account[rows] - 1] + rng.normal(0, 0.0005, len(rows)), 6)
    lon[rows] = np.round(account_lon[part.account[rows] - 1] + rng.normal(0, 0.0005, len(rows)), 6)
    acc[rows] = np.round(rng.uniform(5, 60, len(rows)), 1)
    frame["latitude"] = lat
    frame["longitude"] = lon
    frame["accuracy_m"] = acc
    frame["checked_in_at"] = to_timestamps(np.where(visit, part.at_us, NAT))
    frame["checked_out_at"] = to_timestamps(np.where(visit, completed, NAT))
    frame["verified"] = pd.arrays.BooleanArray(np.ones(len(part), dtype=bool), ~visit)


def _external_ids(ids: Ints) -> pd.Series:
    """Unique external ids built in Arrow (Python string formatting is too slow at 10M rows)."""
    text = pc.binary_join_element_wise("sim-activity-", pc.cast(pa.array(ids), pa.string()), "")
    return pd.Series(pd.arrays.ArrowStringArray(text))
