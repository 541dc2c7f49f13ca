"""The ground truth written next to the simulated data: each planted effect's true value and
exactly how it was planted, in JSON-ready form (string keys, floats), so the analytics tests can
check that each estimate's interval covers the truth."""

from __future__ import annotations

from typing import Any

import pandas as pd

from salestrack.simulate.deal_activities import FAST_FOLLOW_UP_HOURS, SLOW_FOLLOW_UP_HOURS
from salestrack.simulate.params import SimulationParams, log_or

WIN = (
    "A closed deal (stage Won or Lost) is won with probability sigmoid(logit), logit = intercept"
    " + sum(coefficient * covariate). Covariates are drawn before the outcome and independently"
    " of each other (segment and amount depend on the account only); cycle length and the"
    " number of other activities do not depend on the outcome."
)


def ground_truth(
    params: SimulationParams, rep_skill: dict[int, float], now: pd.Timestamp, clipped: float
) -> dict[str, Any]:
    fx = params.effects
    segments = fx.segment_map()
    return {
        "seed": params.seed,
        "params": params.describe(),
        "as_of": now.isoformat(),
        "win_model": {
            "description": WIN,
            "intercept": fx.win_intercept,
            "coefficients": {
                "had_demo": log_or(fx.demo_odds_ratio),
                "fast_follow_up": log_or(fx.fast_follow_up_odds_ratio),
                "had_check_in": log_or(fx.check_in_odds_ratio),
                "log_amount_ratio": fx.size_log_odds,
                **{f"segment[{s}]": float(v) for s, v in segments.items() if s != "smb"},
                "rep_skill[owner_id]": 1.0,
            },
            "covariates": {
                "had_demo": "the deal has an activity of type demo (all are done, outcome held)",
                "fast_follow_up": "the deal has a purpose follow_up activity started within 24 h"
                " after the start of its first meeting",
                "had_check_in": "the deal has an activity with purpose check_in",
                "log_amount_ratio": f"ln(amount / {fx.size_reference_amount:g})",
                "segment": "the account's segment; reference level smb",
                "rep_skill[owner_id]": "per-rep log-odds offset, see rep_skill",
            },
        },
        "demo_effect": {
            "odds_ratio": fx.demo_odds_ratio,
            "log_odds": log_or(fx.demo_odds_ratio),
            "share_of_deals": fx.demo_share,
            "description": "conditional odds ratio of winning for deals with a demo, holding"
            " the other win-model covariates fixed (all of them: fast_follow_up, had_check_in,"
            " log_amount_ratio, segment, owner); demo presence is a coin flip per deal.",
        },
        "connect_rate_by_local_hour": {
            "probability": {str(h): p for h, p in fx.connect_by_local_hour},
            "peaks": [10, 11, 16, 17],
            "description": "every call of status done is connected with the probability of its"
            " started_at hour in the account's time zone (account.time_zone), independently of"
            " everything else; calls only start in these local hours.",
        },
        "fast_follow_up_effect": {
            "odds_ratio": fx.fast_follow_up_odds_ratio,
            "log_odds": log_or(fx.fast_follow_up_odds_ratio),
            "window_hours": 24,
            "first_meeting": "the deal's activity with purpose first_meeting (type meeting);"
            " exactly one per deal and the deal's earliest meeting/visit/demo",
            "fast_delay_hours": list(FAST_FOLLOW_UP_HOURS),
            "slow_delay_hours": list(SLOW_FOLLOW_UP_HOURS),
            "shares": {
                "fast": fx.fast_follow_up_share,
                "slow": fx.slow_follow_up_share,
                "none": 1.0 - fx.fast_follow_up_share - fx.slow_follow_up_share,
            },
            "description": "conditional odds ratio of winning when a follow_up e-mail starts"
            " within 24 h after the first meeting's started_at, versus later or no follow-up.",
        },
        "repeat_order_value": {
            "ratio": fx.repeat_order_value_ratio,
            "definition": "orders table only: an order is 'first' when it is its account's"
            " earliest order by ordered_at, 'repeat' when the account had an earlier order;"
            " ratio = mean(amount of repeat orders) / mean(amount of first orders).",
            "description": "amount = account scale (lognormal, independent of the number of"
            " orders) x noise with mean 1, x ratio for repeat orders.",
        },
        "csat_touch_slope": {
            "slope_per_touch_per_month": fx.csat_per_touch_per_month,
            "intercept": fx.csat_intercept,
            "touches_per_month": "done activities of a selling type (call, email, meeting,"
            " visit, demo, social) with the response's account_id over the whole simulated"
            " period, divided by params.months",
            "clipped_share": clipped,
            "nps": "NPS answers have mean 2.5 * (csat_mean - 1) on 0..10",
            "description": "E[csat score] = intercept + slope * touches_per_month exactly, clipped"
            " to 1..5 (clipped_share of answers hit a bound; 0 at default sizes).",
        },
        "rep_skill": {
            "log_odds_by_user_id": {str(u): s for u, s in rep_skill.items()},
            "sd": fx.rep_skill_sd,
            "description": "per-rep additive log-odds offset in the win model (not centred);"
            " reps also differ in lead volume, which does not affect win odds.",
        },
        "cadence_conversion": {
            "rate_by_variant": {v: r for v, r in fx.cadence_conversion},
            "experiment_id": 1,
            "definition": "an enrollment converts when its lead is qualified (converted into a"
            " deal); enrollments.converted_at is set exactly for those. Assignment alternates"
            " over a seeded shuffle (balanced); only leads at least 30 days old at as_of are"
            " enrolled and conversion takes at most 21 days, so nothing is censored.",
        },
        "null_control": {
            "purpose": "check_in",
            "odds_ratio": fx.check_in_odds_ratio,
            "log_odds": log_or(fx.check_in_odds_ratio),
            "share_of_deals": fx.check_in_share,
            "description": "a check_in call is planted on a coin-flip share of deals and has"
            " no effect on win odds; nothing else links its presence to the outcome.",
        },
    }
