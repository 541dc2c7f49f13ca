"""Deals, their outcome and their stage history.

Planted effects (a), (c), (f), (h): each deal's covariates (segment, amount, rep, whether it
will get a demo, a follow-up within 24 h of the first meeting, a check-in) are drawn first and
independently; the outcome is then drawn from the logistic win model of ``PlantedEffects``
and from nothing else. The sales cycle length and the number of other activities do not depend
on the outcome, so no activity count is confounded with winning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from salestrack.simulate.clock import (
    DAY_US,
    NAT,
    WORK_HOURS,
    day_start_us,
    draw_hours,
    local_to_utc,
    move_off_weekends,
    seconds_in_hour,
    to_timestamps,
)
from salestrack.simulate.columns import categorical, optional_ids
from salestrack.simulate.geo import ZONES
from salestrack.simulate.params import CURRENCY, SimulationParams, log_or
from salestrack.simulate.people import SEGMENTS, SOURCE, People

Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]
OPEN_STAGES = ("Qualification", "Discovery", "Proposal", "Negotiation")
STAGE_NAMES = (*OPEN_STAGES, "Won", "Lost")
SEGMENT_MEDIAN_AMOUNT = (8_000.0, 25_000.0, 70_000.0)
LOST_REASONS = ("price", "competitor", "no decision", "timing", "no budget")
LOST_REACH = (0.35, 0.30, 0.20, 0.15)  # last open stage a lost deal reached


@dataclass
class Deals:
    """Deal rows (ids in creation order) and the per-deal plan the activity generator follows."""

    frame: pd.DataFrame
    stage_changes: pd.DataFrame
    account_id: Ints
    contact_id: Ints
    owner_id: Ints
    zone: Ints
    day: Ints  # local creation day
    cycle: Ints  # days from creation to decision (drawn independently of the outcome)
    had_demo: Bools
    fast_follow_up: Bools
    slow_follow_up: Bools
    had_check_in: Bools
    won: Bools  # the drawn outcome (also for deals still open at "now")
    closed: Bools  # decided before "now"
    closed_us: Ints
    lead_id: Ints  # 0 when the deal did not come from a lead


@dataclass
class _Seed:
    account_id: Ints
    owner_id: Ints
    lead_id: Ints
    day: Ints
    created_us: Ints


def make_deals(
    rng: np.random.Generator,
    params: SimulationParams,
    people: People,
    rep_skill: dict[int, float],
    lead_ids: Ints,
    lead_account: Ints,
    lead_day: Ints,
    lead_us: Ints,
) -> Deals:
    """New-business deals from converted leads, then repeat deals from won accounts."""
    owner = people.account_owner[lead_account - 1]
    first = _draw(
        rng, params, people, rep_skill, _Seed(lead_account, owner, lead_ids, lead_day, lead_us)
    )
    again = (
        first["won"] & first["closed"] & (rng.random(len(first["won"])) < params.repeat_deal_share)
    )
    rows = np.flatnonzero(again)
    close_day = first["day"][rows] + first["cycle"][rows]
    day = close_day + rng.integers(20, 121, len(rows), dtype=np.int64)
    day = move_off_weekends(rng, params.start, day, floor=close_day + 1)
    keep = day < params.days
    rows, day = rows[keep], day[keep]
    account = first["account_id"][rows]
    second = seconds_in_hour(rng, draw_hours(rng, len(rows), WORK_HOURS))
    created = local_to_utc(params.start, day, second, people.account_zone[account - 1], ZONES)
    seed = _Seed(account, first["owner_id"][rows], np.zeros(len(rows), np.int64), day, created)
    second_round = _draw(rng, params, people, rep_skill, seed)
    both = {k: np.concatenate([first[k], second_round[k]]) for k in first}
    order = np.argsort(both["created_us"], kind="stable")
    return _assemble(rng, params, people, {k: v[order] for k, v in both.items()})


def _draw(
    rng: np.random.Generator,
    params: SimulationParams,
    people: People,
    rep_skill: dict[int, float],
    seed: _Seed,
) -> dict[str, NDArray[Any]]:
    """Covariates first, then the outcome from the win model, then the decision time."""
    fx = params.effects
    n = len(seed.account_id)
    segment = people.account_segment[seed.account_id - 1]
    median = np.array(SEGMENT_MEDIAN_AMOUNT)[segment]
    amount = np.round(median * np.exp(rng.normal(0.0, 0.5, n)), 2)
    had_demo = rng.random(n) < fx.demo_share
    follow = rng.random(n)
    fast = follow < fx.fast_follow_up_share
    slow = ~fast & (follow < fx.fast_follow_up_share + fx.slow_follow_up_share)
    check_in = rng.random(n) < fx.check_in_share
    cycle = np.clip(np.round(np.exp(rng.normal(np.log(35.0), 0.45, n))), 14, 150).astype(np.int64)
    skill = np.array([rep_skill[int(o)] for o in people.rep_ids])
    rep_index = np.searchsorted(people.rep_ids, seed.owner_id)
    seg_effect = np.array([fx.segment_map()[s] for s in SEGMENTS])[segment]
    logit = (
        fx.win_intercept
        + log_or(fx.demo_odds_ratio) * had_demo
        + log_or(fx.fast_follow_up_odds_ratio) * fast
        + log_or(fx.check_in_odds_ratio) * check_in
        + fx.size_log_odds * np.log(amount / fx.size_reference_amount)
        + seg_effect
        + skill[rep_index]
    )
    won = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
    close_day = seed.day + cycle
    close_second = seconds_in_hour(rng, draw_hours(rng, n, WORK_HOURS))
    zone = people.account_zone[seed.account_id - 1]
    closed_us = local_to_utc(params.start, close_day, close_second, zone, ZONES)
    closed = closed_us < day_start_us(params.start, params.days)
    return {
        "account_id": seed.account_id,
        "owner_id": seed.owner_id,
        "lead_id": seed.lead_id,
        "day": seed.day,
        "created_us": seed.created_us,
        "zone": zone,
        "segment": segment,
        "amount": amount,
        "had_demo": had_demo,
        "fast": fast,
        "slow": slow,
        "check_in": check_in,
        "cycle": cycle,
        "won": won,
        "closed": closed,
        "closed_us": closed_us,
    }


def _assemble(
    rng: np.random.Generator,
    params: SimulationParams,
    people: People,
    d: dict[str, NDArray[Any]],
) -> Deals:
    n = len(d["won"])
    ids = np.arange(1, n + 1, dtype=np.int64)
    account = d["account_id"].astype(np.int64)
    created_us = d["created_us"].astype(np.int64)
    won, closed = d["won"].astype(bool), d["closed"].astype(bool)
    closed_us = np.where(closed, d["closed_us"], NAT).astype(np.int64)
    # is_repeat: the account already had a deal won before this one was created.
    won_at = np.where(won & closed, closed_us, np.iinfo(np.int64).max)
    first_won = pd.Series(won_at).groupby(account).transform("min").to_numpy()
    is_repeat = created_us > first_won
    reach = np.where(won, 4, 1 + rng.choice(4, size=n, p=LOST_REACH))
    changes, current = _stage_history(rng, params, ids, d, reach, closed_us)
    contact = people.contact_of(rng, account)
    lost_reason = np.array(LOST_REASONS, dtype=object)[rng.integers(0, len(LOST_REASONS), n)]
    names = people.accounts["name"].to_numpy()[account - 1]
    lead = d["lead_id"].astype(np.int64)
    frame = pd.DataFrame(
        {
            "id": ids,
            "name": [f"{a} - deal {i}" for a, i in zip(names, ids, strict=True)],
            "account_id": account,
            "contact_id": contact,
            "lead_id": optional_ids(lead),
            "owner_id": d["owner_id"].astype(np.int64),
            "stage_name": categorical(current, list(STAGE_NAMES)),
            "amount": d["amount"].astype(np.float64),
            "currency": CURRENCY,
            "expected_close": to_timestamps(created_us + d["cycle"].astype(np.int64) * DAY_US),
            "closed_at": to_timestamps(closed_us),
            "lost_reason": _only_where(closed & ~won, lost_reason),
            "is_repeat": is_repeat,
            "source": SOURCE,
            "external_id": [f"sim-deal-{i}" for i in ids],
            "created_at": to_timestamps(created_us),
        }
    )
    return Deals(
        frame=frame,
        stage_changes=changes,
        account_id=account,
        contact_id=contact,
        owner_id=frame["owner_id"].to_numpy(),
        zone=d["zone"].astype(np.int64),
        day=d["day"].astype(np.int64),
        cycle=d["cycle"].astype(np.int64),
        had_demo=d["had_demo"].astype(bool),
        fast_follow_up=d["fast"].astype(bool),
        slow_follow_up=d["slow"].astype(bool),
        had_check_in=d["check_in"].astype(bool),
        won=won,
        closed=closed,
        closed_us=closed_us,
        lead_id=lead,
    )


def _stage_history(
    rng: np.random.Generator,
    params: SimulationParams,
    ids: Ints,
    d: dict[str, NDArray[Any]],
    reach: Ints,
    closed_us: Ints,
) -> tuple[pd.DataFrame, Ints]:
    """One row per move up to "now": into Qualification at creation, up the open stages at
    spread-out times, then into Won or Lost at the close. Returns rows and current stage codes."""
    n = len(ids)
    now_us = day_start_us(params.start, params.days)
    created = d["created_us"].astype(np.int64)
    cycle_us = d["cycle"].astype(np.int64) * DAY_US
    frac = np.sort(rng.uniform(0.05, 0.85, (n, 3)), axis=1)
    at = np.empty((n, 5), dtype=np.int64)
    at[:, 0] = created
    at[:, 1:4] = created[:, None] + (frac * cycle_us[:, None]).astype(np.int64)
    terminal_at = created + cycle_us  # placeholder for still-open deals (never kept)
    at[:, 4] = np.where(closed_us != NAT, closed_us, terminal_at)
    col = np.arange(5)[None, :]
    valid = (col < reach[:, None]) | (col == 4)
    valid &= at < now_us
    valid[:, 4] &= closed_us != NAT
    to_code = np.broadcast_to(col, (n, 5)).copy()
    to_code[:, 4] = np.where(d["won"].astype(bool), 4, 5)
    deal_of = np.broadcast_to(np.arange(n)[:, None], (n, 5))[valid]
    to_flat = to_code[valid]
    first_row = np.ones(len(deal_of), dtype=bool)
    first_row[1:] = deal_of[1:] != deal_of[:-1]
    from_flat = np.where(first_row, -1, np.roll(to_flat, 1))
    last_row = np.ones(len(deal_of), dtype=bool)
    last_row[:-1] = deal_of[1:] != deal_of[:-1]
    current = np.zeros(n, dtype=np.int64)
    current[deal_of[last_row]] = to_flat[last_row]
    at_flat = at[valid]
    names = list(STAGE_NAMES)
    changes = pd.DataFrame(
        {
            "id": np.arange(1, len(deal_of) + 1, dtype=np.int64),
            "deal_id": ids[deal_of],
            "from_stage_name": categorical(from_flat, names),
            "to_stage_name": categorical(to_flat, names),
            "at": to_timestamps(at_flat),
            "by_user_id": d["owner_id"].astype(np.int64)[deal_of],
            "created_at": to_timestamps(at_flat),
        }
    )
    return changes, current


def _only_where(keep: Bools, values: NDArray[Any]) -> NDArray[Any]:
    out = values.astype(object)
    out[~keep] = None
    return out
