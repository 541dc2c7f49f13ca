"""Leaderboards: any metric ranked by rep or team, with the change from the previous period.

The previous period is the window of the same length just before ``[start, end)``. Ranking and
the change are computed on the small answer frame; the engine does the scans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

import numpy as np

from salestrack.analytics.metrics.core import DEFAULT_CURRENCY
from salestrack.analytics.metrics.engine import MetricResult, compute, metric
from salestrack.analytics.scope import Scope
from salestrack.errors import ValidationFailed


def leaderboard(
    name: str,
    scope: Scope,
    *,
    start: datetime,
    end: datetime,
    by: Literal["rep", "team"] = "rep",
    tz: str = "UTC",
    now: datetime | None = None,
    filters: Mapping[str, Iterable[Any]] | None = None,
    lower_is_better: bool = False,
    currency: str = DEFAULT_CURRENCY,
) -> MetricResult:
    """``name`` per rep (or team) in the window, ranked, with ``previous`` and ``change``.

    Columns: the entity, ``value``, ``previous`` (same-length window before), ``change``
    (value − previous), ``change_pct`` (relative to previous, empty when previous is 0) and
    ``rank`` (1 is best; ties share a rank; empty values rank last).
    """
    chosen = metric(name)
    if by not in chosen.dims:
        raise ValidationFailed("by", f"{name} cannot be ranked by {by}")
    common: dict[str, Any] = {
        "by": [by], "tz": tz, "now": now, "filters": filters, "currency": currency,
    }  # fmt: skip
    current = compute(name, scope, start=start, end=end, **common)
    frame = current.frame.rename(columns={name: "value"})
    if "period" in chosen.dims:
        before = compute(name, scope, start=start - (end - start), end=start, **common).frame
        frame = frame.merge(before.rename(columns={name: "previous"}), on=by, how="outer")
    else:
        frame["previous"] = np.nan  # a snapshot has no earlier window to compare with
    frame["change"] = frame["value"] - frame["previous"]
    base = frame["previous"].where(frame["previous"] != 0)
    frame["change_pct"] = 100.0 * frame["change"] / base
    frame["rank"] = frame["value"].rank(method="min", ascending=lower_is_better)
    frame = frame.sort_values(["rank", by], na_position="last").reset_index(drop=True)
    return MetricResult(frame, current.as_of, current.metrics, current.query)
