"""Prospecting: leads created per rep, the cadence A/B experiment they are enrolled in, and
which of them convert into deals.

Planted effect (g): an enrolled lead converts with the true rate of its cadence variant;
variants are assigned deterministically and balanced (alternating over a seeded shuffle), and
only leads old enough to finish the cadence are enrolled, so every conversion that will happen
has happened by "now" and the observed rates estimate the true ones without censoring.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from salestrack.simulate.clock import (
    DAY_US,
    HOUR_US,
    NAT,
    WORK_HOURS,
    day_start_us,
    draw_hours,
    epoch_us,
    local_to_utc,
    move_off_weekends,
    seconds_in_hour,
    to_timestamps,
)
from salestrack.simulate.columns import no_ids
from salestrack.simulate.geo import ZONES
from salestrack.simulate.params import SimulationParams
from salestrack.simulate.people import SOURCE, People

Ints = NDArray[np.int64]
VARIANTS = ("A", "B")
ENROLL_CUTOFF_DAYS = 30  # leads younger than this at "now" are not enrolled
MAX_CONVERSION_DAYS = 21
LEAD_SOURCES = ("web", "referral", "event", "outbound", "partner")
CADENCE_STEPS: dict[str, tuple[tuple[int, str], ...]] = {
    "A": ((0, "email"), (2, "call"), (5, "email"), (9, "call")),
    "B": ((0, "call"), (1, "email"), (3, "call"), (6, "social"), (10, "call")),
}


@dataclass
class Leads:
    """Lead rows plus what the deal generator needs about the converted ones."""

    frame: pd.DataFrame  # converted_deal_id still empty; filled once deals have ids
    owner_index: Ints  # index into People.rep_ids
    account_id: Ints
    day: Ints  # local creation day
    created_us: Ints
    converted: NDArray[np.bool_]  # converted by "now"
    qualified_day: Ints
    qualified_second: Ints
    qualified_us: Ints
    enrollments: pd.DataFrame  # deal_id still empty
    cadences: pd.DataFrame
    cadence_steps: pd.DataFrame
    experiments: pd.DataFrame


def make_leads(rng: np.random.Generator, params: SimulationParams, people: People) -> Leads:
    """Leads spread over the period and reps (reps prospect at different rates)."""
    n_reps = len(people.rep_ids)
    n = round(n_reps * params.months * params.leads_per_rep_month)
    days, start = params.days, params.start
    now_us = day_start_us(start, days)
    drive = rng.gamma(4.0, 0.25, n_reps)
    owner_index = rng.choice(n_reps, size=n, p=drive / drive.sum()).astype(np.int64)
    account_id = people.accounts_of_rep(rng, owner_index)
    zone = people.account_zone[account_id - 1]
    day = move_off_weekends(rng, start, rng.integers(0, days, n, dtype=np.int64))
    day = np.maximum(day, 0)
    second = seconds_in_hour(rng, draw_hours(rng, n, WORK_HOURS))
    created_us = local_to_utc(start, day, second, zone, ZONES)

    eligible = day <= days - ENROLL_CUTOFF_DAYS
    enrolled = eligible & (rng.random(n) < params.enrolled_share)
    variant = np.full(n, -1, dtype=np.int64)
    order = rng.permutation(np.flatnonzero(enrolled))
    variant[order] = np.arange(len(order)) % len(VARIANTS)
    rates = params.effects.cadence_map()
    rate = np.where(
        variant >= 0,
        np.array([rates[v] for v in VARIANTS])[np.maximum(variant, 0)],
        params.non_enrolled_conversion,
    )
    will_convert = rng.random(n) < rate
    delay = rng.integers(1, MAX_CONVERSION_DAYS + 1, n, dtype=np.int64)
    qualified_day = move_off_weekends(rng, start, day + delay, floor=day + 1)
    qualified_second = seconds_in_hour(rng, draw_hours(rng, n, WORK_HOURS))
    qualified_us = local_to_utc(start, qualified_day, qualified_second, zone, ZONES)
    converted = will_convert & (qualified_us < now_us)
    qualified_us = np.where(converted, qualified_us, NAT)

    age = days - day
    status = np.where(
        converted,
        "qualified",
        np.where(age > 45, "disqualified", np.where(age > 7, "working", "new")),
    )
    ids = np.arange(1, n + 1, dtype=np.int64)
    companies = people.accounts["name"].to_numpy()[account_id - 1]
    contact = people.contact_of(rng, account_id)
    contacts = people.contacts  # ids are 1..n in row order
    frame = pd.DataFrame(
        {
            "id": ids,
            "name": contacts["name"].to_numpy()[contact - 1],
            "company": companies,
            "email": contacts["email"].to_numpy()[contact - 1],
            "phone": contacts["phone"].to_numpy()[contact - 1],
            "lead_source": np.array(LEAD_SOURCES)[rng.integers(0, len(LEAD_SOURCES), n)],
            "status": status,
            "owner_id": people.rep_ids[owner_index],
            "account_id": account_id,
            "time_zone": np.array(ZONES)[zone],
            "qualified_at": to_timestamps(qualified_us),
            "converted_deal_id": no_ids(n),
            "source": SOURCE,
            "external_id": [f"sim-lead-{i}" for i in ids],
            "created_at": to_timestamps(created_us),
        }
    )
    enrollments = _enrollments(frame, variant, converted, created_us, qualified_us, contact)
    cadences, steps, experiments = _programs(params, people)
    return Leads(
        frame, owner_index, account_id, day, created_us, converted, qualified_day,
        qualified_second, qualified_us, enrollments, cadences, steps, experiments,
    )  # fmt: skip


def _enrollments(
    leads: pd.DataFrame,
    variant: Ints,
    converted: NDArray[np.bool_],
    created_us: Ints,
    qualified_us: Ints,
    contact: Ints,
) -> pd.DataFrame:
    rows = np.flatnonzero(variant >= 0)
    n = len(rows)
    enrolled_us = created_us[rows] + HOUR_US
    step_count = np.array([len(CADENCE_STEPS[v]) for v in VARIANTS])[variant[rows]]
    done = converted[rows]
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1, dtype=np.int64),
            "cadence_id": variant[rows] + 1,
            "experiment_id": np.ones(n, dtype=np.int64),
            "variant": np.array(VARIANTS)[variant[rows]],
            "lead_id": leads["id"].to_numpy()[rows],
            "contact_id": contact[rows],
            "deal_id": no_ids(n),
            "owner_id": leads["owner_id"].to_numpy()[rows],
            "status": np.where(done, "converted", "completed"),
            "current_step": step_count,
            "enrolled_at": to_timestamps(enrolled_us),
            "converted_at": to_timestamps(np.where(done, qualified_us[rows], NAT)),
            "created_at": to_timestamps(enrolled_us),
        }
    )


def _programs(
    params: SimulationParams, people: People
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The two cadences (one per variant), their steps and the experiment comparing them."""
    before = to_timestamps(np.full(2, epoch_us(params.start) - 10 * DAY_US))
    manager = int(people.users["id"].iloc[0])
    cadences = pd.DataFrame(
        {
            "id": [1, 2],
            "name": [f"Outbound cadence {v}" for v in VARIANTS],
            "owner_id": [manager, manager],
            "is_active": [True, True],
            "created_at": before,
        }
    )
    step_rows = [
        (cadence + 1, position, offset, kind)
        for cadence, v in enumerate(VARIANTS)
        for position, (offset, kind) in enumerate(CADENCE_STEPS[v], start=1)
    ]
    steps = pd.DataFrame(step_rows, columns=["cadence_id", "position", "day_offset", "type_key"])
    steps.insert(0, "id", np.arange(1, len(steps) + 1, dtype=np.int64))
    steps["purpose"] = "prospecting"
    steps["template"] = [f"Step {p} of cadence {VARIANTS[c - 1]}" for c, p, *_ in step_rows]
    steps["created_at"] = before.iloc[0]
    experiments = pd.DataFrame(
        {
            "id": [1],
            "name": ["Outbound cadence A vs B"],
            "cadence_id": [1],
            "unit": ["lead"],
            "metric": ["lead_converted"],
            "variants": [json.dumps(list(VARIANTS))],
            "status": ["running"],
            "started_at": to_timestamps(np.array([epoch_us(params.start)])),
            "stopped_at": to_timestamps(np.array([NAT])),
            "created_at": before.iloc[:1].array,
        }
    )
    return cadences, steps, experiments
