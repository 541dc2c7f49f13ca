"""Goals: attainment = actual / target per goal and period, with pace for the running period.

A goal names a registry metric (``calls_made``, ``won_amount`` ...), an owner (a rep or a team),
a period (week, month, quarter) starting at ``period_start`` and a target. The actual is that
metric computed for the owner over ``[period_start, period_end)`` through the same scope as any
other query; goals sharing metric, window and owner level are computed in one query.

Pace compares the actual with the part of the target due by now: ``elapsed`` is the share of the
period gone at ``now`` (0 to 1), ``pace = actual / (target × elapsed)`` (above 1: ahead), and
``projected = actual / elapsed`` is where the period ends if the rate holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salestrack.analytics.metrics.core import Metric, Query
from salestrack.analytics.metrics.timezones import next_period, to_utc_naive
from salestrack.analytics.sources import to_frame

if TYPE_CHECKING:
    from salestrack.analytics.scope import Scope

AREA = "Goals"
COLUMNS = [
    "goal_id", "rep", "team", "metric", "period", "period_start", "period_end", "target",
    "actual", "attainment", "elapsed", "pace", "projected",
]  # fmt: skip


def _goals(scope: Scope, q: Query) -> pd.DataFrame:
    g = scope.table("goals")
    frame = to_frame(g.select(
        goal_id=g.id, rep=g.user_id, team=g.team_id, metric=g.metric, period=g.period,
        period_start=g.period_start, target=g.target.cast("float64"),
    ))  # fmt: skip
    frame["period_end"] = [
        next_period(start.to_pydatetime(), period)
        for start, period in zip(frame["period_start"], frame["period"], strict=True)
    ]
    if q.start is not None:
        frame = frame[frame["period_end"] > to_utc_naive(q.start)]
    if q.end is not None:
        frame = frame[frame["period_start"] < to_utc_naive(q.end)]
    for dim in ("rep", "team"):
        if dim in q.filters:
            frame = frame[frame[dim].isin(q.filters[dim])]
    return pd.DataFrame(frame)


def _actuals(scope: Scope, goals: pd.DataFrame, q: Query) -> list[float]:
    """The metric value of each goal's owner in the goal's window (NaN when not computable);
    a money goal counts amounts in the request's currency."""
    # Imported here: the engine and the registry import this module's declaration.
    from salestrack.analytics.metrics.engine import compute
    from salestrack.analytics.metrics.registry import REGISTRY

    actual = pd.Series(np.nan, index=goals.index)
    for level in ("rep", "team"):
        owned = goals[goals[level].notna() & goals["metric"].isin([m.name for m in REGISTRY])]
        for (name, start, end), group in owned.groupby(["metric", "period_start", "period_end"]):
            owners = [int(v) for v in group[level].unique()]
            result = compute(
                str(name), scope, by=[level], filters={level: owners},
                start=_utc(start), end=_utc(end), currency=q.currency,
            )  # fmt: skip
            values = result.frame.set_index(level)[str(name)]
            actual[group.index] = group[level].astype(int).map(values).astype(float)
    return list(actual)


def _utc(value: object) -> datetime:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp).to_pydatetime()


def attainment(scope: Scope, q: Query) -> pd.DataFrame:
    """One row per visible goal overlapping the window, with actual, attainment and pace."""
    goals = _goals(scope, q).reset_index(drop=True)
    if goals.empty:
        return pd.DataFrame(columns=COLUMNS)
    goals["actual"] = _actuals(scope, goals, q)
    goals["attainment"] = goals["actual"] / goals["target"]
    now = pd.Timestamp(to_utc_naive(q.now))
    length = (goals["period_end"] - goals["period_start"]).dt.total_seconds()
    gone = (now - goals["period_start"]).dt.total_seconds()
    goals["elapsed"] = (gone / length).clip(0.0, 1.0)
    due = goals["target"] * goals["elapsed"]
    goals["pace"] = (goals["actual"] / due).where(due > 0)
    goals["projected"] = (goals["actual"] / goals["elapsed"]).where(goals["elapsed"] > 0)
    return goals[COLUMNS].sort_values(["period_start", "goal_id"]).reset_index(drop=True)


METRICS: tuple[Metric, ...] = (
    Metric(
        "goal_attainment",
        "Goal attainment",
        "share of target",
        "actual / target per goal, where actual is the goal's metric for its rep or team over "
        "the goal's period; pace = actual / (target × share of the period elapsed)",
        "derived",
        runner=attainment,
        dims=frozenset({"rep", "team"}),
    ),
)
