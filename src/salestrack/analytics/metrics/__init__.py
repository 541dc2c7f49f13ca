"""The metrics registry and the engine that computes it (DESIGN.md section 3).

Public API (what dashboards, the CLI, the API and the insights build on)::

    from salestrack.analytics.metrics import compute, leaderboard, REGISTRY
    from salestrack.analytics.scope import Scope
    from salestrack.analytics.sources import open_warehouse, spark_source

    with open_warehouse(Warehouse(path)) as source:
        scope = Scope(actor, source)                 # visibility, applied in one place
        result = compute(["calls_made", "connect_rate"], scope, by=["rep"], period="week",
                         tz="Europe/Berlin", start=..., end=...)
        result.frame   # pandas: one row per rep and week, one column per metric
        result.as_of   # when the data was synced from the store

- :data:`REGISTRY`: every :class:`Metric` (name, label, unit, formula, kind, dims), by area;
- :func:`compute`: one or many metrics as one engine query; raises ``ValidationFailed`` for an
  unknown metric, dimension or period;
- :func:`expression`: the same as an unexecuted Ibis table, to compose further in the engine;
- :func:`leaderboard`: any metric ranked by rep or team with period-over-period change;
- :mod:`.facts`: the scoped per-event tables (activities with type, deals with stage, stage
  entries, orders with first/repeat flag ...) to build new metrics or insights on.
"""

from __future__ import annotations

from salestrack.analytics.metrics.core import DIMENSIONS, PERIODS, Metric, Query
from salestrack.analytics.metrics.engine import (
    MetricResult,
    compute,
    expression,
    make_query,
    metric,
)
from salestrack.analytics.metrics.ranking import leaderboard
from salestrack.analytics.metrics.registry import REGISTRY

__all__ = [
    "DIMENSIONS",
    "PERIODS",
    "REGISTRY",
    "Metric",
    "MetricResult",
    "Query",
    "compute",
    "expression",
    "leaderboard",
    "make_query",
    "metric",
]
