"""``simulate(params)``: the whole org from one seed, and the ground truth of what was planted.

Order of generation follows causality: people, leads (and the cadence experiment), deals with
their outcome, activities on deals and in the background, then orders and surveys that depend on
what happened. One ``numpy.random.Generator`` is threaded through in a fixed order, so the
same params give the same frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from salestrack.simulate.activities import Part, background, finish
from salestrack.simulate.clock import day_start_us, to_timestamps
from salestrack.simulate.customers import make_orders, make_satisfaction, touches_per_month
from salestrack.simulate.deal_activities import deal_activities
from salestrack.simulate.deals import Deals, make_deals
from salestrack.simulate.goals import make_goals
from salestrack.simulate.leads import Leads, make_leads
from salestrack.simulate.params import SimulationParams
from salestrack.simulate.people import People, make_people
from salestrack.simulate.truth import ground_truth

TABLE_ORDER: tuple[str, ...] = (
    "teams",
    "users",
    "accounts",
    "contacts",
    "leads",
    "deals",
    "stage_changes",
    "cadences",
    "cadence_steps",
    "experiments",
    "enrollments",
    "activities",
    "goals",
    "orders",
    "satisfaction_responses",
)


@dataclass
class SimulatedOrg:
    """The simulated tables (store column names, ids 1..n) and the planted truth."""

    params: SimulationParams
    tables: dict[str, pd.DataFrame]
    ground_truth: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables.items()}


def simulate(params: SimulationParams | None = None) -> SimulatedOrg:
    """Generate the org for ``params`` (defaults: seed 7, 3 teams, 24 reps, 12 months)."""
    params = params or SimulationParams()
    rng = np.random.default_rng(params.seed)
    now_us = day_start_us(params.start, params.days)
    people = make_people(rng, params)
    skill = rng.normal(0.0, params.effects.rep_skill_sd, len(people.rep_ids))
    rep_skill = {int(u): float(s) for u, s in zip(people.rep_ids, skill, strict=True)}
    leads = make_leads(rng, params, people)
    conv = np.flatnonzero(leads.converted)
    deals = make_deals(
        rng,
        params,
        people,
        rep_skill,
        conv + 1,
        leads.account_id[conv],
        leads.qualified_day[conv],
        leads.qualified_us[conv],
    )
    _link_leads(leads, deals)
    planned = deal_activities(rng, params, people, deals)
    extra = max(params.activity_target - len(planned), 0)
    lead_owner = people.rep_ids[leads.owner_index]
    touches = background(rng, params, people, extra, lead_owner, leads.account_id, leads.day)
    activities = finish(rng, params, people, Part.concat([planned, touches]), now_us)
    orders = make_orders(rng, params, deals, now_us)
    touch_rate = touches_per_month(params, people, activities)
    surveys, clipped = make_satisfaction(rng, params, people, touch_rate)
    _mark_customers(people, orders)
    won_per_team_quarter = float((deals.won & deals.closed).sum()) / (
        params.teams * max(params.months / 3.0, 1.0)
    )
    tables = {
        "teams": people.teams,
        "users": people.users,
        "accounts": people.accounts,
        "contacts": people.contacts,
        "leads": leads.frame,
        "deals": deals.frame,
        "stage_changes": deals.stage_changes,
        "cadences": leads.cadences,
        "cadence_steps": leads.cadence_steps,
        "experiments": leads.experiments,
        "enrollments": leads.enrollments,
        "activities": activities,
        "goals": make_goals(params, people, won_per_team_quarter),
        "orders": orders,
        "satisfaction_responses": surveys,
    }
    truth = ground_truth(params, rep_skill, to_timestamps(np.array([now_us])).iloc[0], clipped)
    truth["counts"] = {name: len(frame) for name, frame in tables.items()}
    return SimulatedOrg(params=params, tables=tables, ground_truth=truth)


def _link_leads(leads: Leads, deals: Deals) -> None:
    """Fill leads.converted_deal_id and enrollments.deal_id from the deals' lead ids."""
    from_lead = deals.lead_id > 0
    deal_of_lead = np.zeros(len(leads.frame) + 1, dtype=np.int64)
    deal_of_lead[deals.lead_id[from_lead]] = np.flatnonzero(from_lead) + 1
    ids = deal_of_lead[1:]
    leads.frame["converted_deal_id"] = pd.arrays.IntegerArray(ids, ids == 0)
    enrolled = deal_of_lead[leads.enrollments["lead_id"].to_numpy()]
    leads.enrollments["deal_id"] = pd.arrays.IntegerArray(enrolled, enrolled == 0)


def _mark_customers(people: People, orders: pd.DataFrame) -> None:
    """Accounts that have ordered (i.e. won a deal) are customers."""
    buyers = np.unique(orders["account_id"].to_numpy())
    status = people.accounts["status"].to_numpy(dtype=object).copy()
    status[buyers - 1] = "customer"
    people.accounts["status"] = status
