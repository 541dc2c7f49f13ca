"""Leaderboards: a composite score that weighs results, not raw activity volume.

Ranking any metric with its period-over-period change is :func:`salestrack.analytics.metrics.
ranking.leaderboard`; this module declares the composite the leaderboard ranks by default.
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

from salestrack.analytics.metrics.core import Metric, derived

AREA = "Leaderboards"
ENTITIES = ("rep", "team")
WEIGHTS: dict[str, float] = {
    "won_amount": 0.4,
    "win_rate": 0.3,
    "deals_won": 0.2,
    "logging_coverage": 0.1,
}


def _composite(m: Mapping[str, ir.NumericValue], keys: tuple[str, ...]) -> ir.NumericValue:
    """Each input as a share of the best value among the rows compared (same period)."""
    window = ibis.window(group_by=[k for k in keys if k not in ENTITIES])
    score: ir.NumericValue = ibis.literal(0.0)
    for name, weight in WEIGHTS.items():
        value = ibis.coalesce(m[name].cast("float64"), 0.0)
        best = value.max().over(window)
        score = score + weight * ibis.ifelse(best > 0, value / best, 0.0)
    return 100.0 * score


_WEIGHTS_TEXT = " + ".join(f"{w:g}·{n}/best" for n, w in WEIGHTS.items())

METRICS: tuple[Metric, ...] = (
    derived(
        "composite_score",
        "Composite score",
        tuple(WEIGHTS),
        _composite,
        unit="score 0-100",
        formula=f"100 × ({_WEIGHTS_TEXT}), where best is the highest value among the reps (or "
        "teams) compared in the same period and an empty value counts as 0; raw activity "
        "volume has no weight",
        dims=frozenset({"rep", "team", "period"}),
    ),
)
