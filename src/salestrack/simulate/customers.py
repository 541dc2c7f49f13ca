"""After the sale: orders of customer accounts and their satisfaction survey answers.

Planted effect (d): every customer account has a spending scale drawn independently of how many
orders it places; an order's amount is scale x noise (mean 1), times
``repeat_order_value_ratio`` when it is a repeat order (the account's second or later order by
time). So mean(repeat order amount) / mean(first order amount) equals the ratio in expectation.

Planted effect (e): a survey answer's expected CSAT is exactly linear in the account's touch
frequency: ``csat_intercept + csat_per_touch_per_month * touches_per_month`` (kept in 1..5),
where touches_per_month = done selling activities on the account / simulated months. Scores are
integers whose mean is that value (floor plus a Bernoulli of the fraction), so no rounding bias.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from salestrack.simulate.activities import SELLING_TYPES
from salestrack.simulate.clock import (
    DAY_US,
    US,
    WORK_HOURS,
    draw_hours,
    local_to_utc,
    seconds_in_hour,
    to_timestamps,
)
from salestrack.simulate.columns import optional_ids
from salestrack.simulate.deals import Deals
from salestrack.simulate.geo import ZONES
from salestrack.simulate.params import CURRENCY, SimulationParams
from salestrack.simulate.people import SOURCE, People

Ints = NDArray[np.int64]
ORDER_SCALE_MEDIAN = 2_500.0
ORDER_SCALE_SIGMA = 0.3
ORDER_NOISE_SIGMA = 0.35


def make_orders(
    rng: np.random.Generator, params: SimulationParams, deals: Deals, now_us: int
) -> pd.DataFrame:
    """First order at each customer's first won deal, then repeat orders until "now"."""
    fx = params.effects
    won = np.flatnonzero(deals.won & deals.closed)
    by_close = won[np.argsort(deals.closed_us[won], kind="stable")]
    accounts, first_pos = np.unique(deals.account_id[by_close], return_index=True)
    first_deal = by_close[first_pos]
    closed = deals.closed_us[first_deal]
    room = np.maximum(now_us - closed - US, 0)
    first_at = closed + (rng.random(len(accounts)) * np.minimum(room, 2 * DAY_US)).astype(np.int64)
    months_left = (now_us - first_at) / (30.0 * DAY_US)
    repeats = rng.poisson(params.repeat_orders_per_month * months_left)
    scale = ORDER_SCALE_MEDIAN * np.exp(rng.normal(0.0, ORDER_SCALE_SIGMA, len(accounts)))

    owner = np.repeat(np.arange(len(accounts)), repeats)
    gap = now_us - first_at[owner]
    at = first_at[owner] + 1 + (rng.random(len(owner)) * (gap - 1)).astype(np.int64)
    account_index = np.concatenate([np.arange(len(accounts)), owner])
    ordered = np.concatenate([first_at, at])
    is_repeat = np.concatenate([np.zeros(len(accounts), bool), np.ones(len(owner), bool)])
    noise = np.exp(rng.normal(-(ORDER_NOISE_SIGMA**2) / 2, ORDER_NOISE_SIGMA, len(ordered)))
    amount = scale[account_index] * noise * np.where(is_repeat, fx.repeat_order_value_ratio, 1.0)
    deal = np.where(is_repeat, 0, np.concatenate([first_deal + 1, np.zeros(len(owner), np.int64)]))
    order = np.argsort(ordered, kind="stable")
    ids = np.arange(1, len(order) + 1, dtype=np.int64)
    return pd.DataFrame(
        {
            "id": ids,
            "account_id": accounts[account_index][order],
            "deal_id": optional_ids(deal[order]),
            "amount": np.round(amount[order], 2),
            "currency": CURRENCY,
            "ordered_at": to_timestamps(ordered[order]),
            "source": SOURCE,
            "external_id": [f"sim-order-{i}" for i in ids],
            "created_at": to_timestamps(ordered[order]),
        }
    )


def touches_per_month(
    params: SimulationParams, people: People, activities: pd.DataFrame
) -> NDArray[np.float64]:
    """Done selling activities per account (index = account id - 1) per simulated month."""
    selling = activities["type_key"].isin(SELLING_TYPES).to_numpy()
    done = (activities["status"] == "done").to_numpy()
    account = activities["account_id"].to_numpy()[selling & done]
    counts = np.bincount(account, minlength=len(people.account_zone) + 1)[1:]
    return counts / params.months


def make_satisfaction(
    rng: np.random.Generator,
    params: SimulationParams,
    people: People,
    touches: NDArray[np.float64],
) -> tuple[pd.DataFrame, float]:
    """Survey answers (mostly CSAT 1-5, some NPS 0-10); returns them and the clipped share."""
    fx = params.effects
    per_account = rng.poisson(params.survey_responses_per_account, len(touches))
    account = np.repeat(np.arange(len(touches)), per_account).astype(np.int64) + 1
    n = len(account)
    raw = fx.csat_intercept + fx.csat_per_touch_per_month * touches[account - 1]
    mean = np.clip(raw, 1.0, 5.0)
    clipped = float(np.mean(raw != mean)) if n else 0.0
    nps = rng.random(n) < params.nps_share
    target = np.where(nps, (mean - 1.0) * 2.5, mean)
    base = np.floor(target)
    score = (base + (rng.random(n) < target - base)).astype(np.int64)
    day = rng.integers(30, params.days, n, dtype=np.int64)
    second = seconds_in_hour(rng, draw_hours(rng, n, WORK_HOURS))
    at = local_to_utc(params.start, day, second, people.account_zone[account - 1], ZONES)
    order = np.argsort(at, kind="stable")
    ids = np.arange(1, n + 1, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "id": ids,
            "account_id": account[order],
            "contact_id": people.contact_of(rng, account)[order],
            "rep_id": people.account_owner[account - 1][order],
            "kind": np.where(nps, "nps", "csat")[order],
            "score": score[order],
            "responded_at": to_timestamps(at[order]),
            "source": SOURCE,
            "external_id": [f"sim-survey-{i}" for i in ids],
            "created_at": to_timestamps(at[order]),
        }
    )
    return frame, clipped
