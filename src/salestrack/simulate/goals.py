"""Goals of the simulated org: weekly call and monthly demo/lead targets per rep, a quarterly
won-deals target per team, one row per period of the simulated range."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from salestrack.simulate.clock import to_timestamps
from salestrack.simulate.columns import no_ids
from salestrack.simulate.params import SimulationParams
from salestrack.simulate.people import People

REP_GOALS: tuple[tuple[str, str, float], ...] = (
    ("calls", "week", 40.0),
    ("demos", "month", 2.0),
    ("leads_created", "month", 0.0),  # 0: taken from the params' lead rate
)
TEAM_GOALS: tuple[tuple[str, str, float], ...] = (("deals_won", "quarter", 0.0),)


def _period_starts(params: SimulationParams, period: str) -> pd.DatetimeIndex:
    """UTC midnights starting each week (Monday), month or quarter that overlaps the range."""
    start = params.start
    end = pd.Timestamp(start, tz="UTC") + timedelta(days=params.days)
    if period == "week":
        first = pd.Timestamp(start - timedelta(days=start.weekday()), tz="UTC")
        return pd.date_range(first, end, freq="7D", inclusive="left", unit="us")
    month = start.month if period == "month" else 3 * ((start.month - 1) // 3) + 1
    first = pd.Timestamp(start.year, month, 1, tz="UTC")
    freq = "MS" if period == "month" else "QS"
    return pd.date_range(first, end, freq=freq, inclusive="left", unit="us")


def make_goals(
    params: SimulationParams, people: People, deals_per_team_quarter: float
) -> pd.DataFrame:
    """Goal rows; the team target is rounded from the expected won deals per team and quarter."""
    frames = []
    for metric, period, target in REP_GOALS:
        starts = _period_starts(params, period)
        value = target or float(round(params.leads_per_rep_month))
        frames.append(
            pd.DataFrame(
                {
                    "user_id": np.repeat(people.rep_ids, len(starts)),
                    "team_id": no_ids(len(people.rep_ids) * len(starts)),
                    "metric": metric,
                    "period": period,
                    "period_start": to_timestamps(np.tile(starts.asi8, len(people.rep_ids))),
                    "target": value,
                }
            )
        )
    team_ids = people.teams["id"].to_numpy()
    for metric, period, _ in TEAM_GOALS:
        starts = _period_starts(params, period)
        frames.append(
            pd.DataFrame(
                {
                    "user_id": no_ids(len(team_ids) * len(starts)),
                    "team_id": np.repeat(team_ids, len(starts)),
                    "metric": metric,
                    "period": period,
                    "period_start": to_timestamps(np.tile(starts.asi8, len(team_ids))),
                    "target": float(max(round(deals_per_team_quarter), 1)),
                }
            )
        )
    goals = pd.concat(frames, ignore_index=True)
    goals["user_id"] = goals["user_id"].astype("Int64")
    goals["team_id"] = goals["team_id"].astype("Int64")
    goals["created_at"] = goals["period_start"]
    goals.insert(0, "id", np.arange(1, len(goals) + 1, dtype=np.int64))
    return goals
