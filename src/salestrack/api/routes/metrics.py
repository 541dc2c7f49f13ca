"""Metrics: the registry, and any metric computed for what the caller may see.

Computed through :func:`salestrack.analytics.metrics.compute` on the app's warehouse reader (the
one the web pages use, re-synced when stale), scoped by :class:`~salestrack.analytics.scope.Scope`
as in the CLI and the pages: a rep's own rows, a manager's team's, an admin's all.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from salestrack.analytics.metrics import DIMENSIONS, PERIODS, REGISTRY, compute
from salestrack.analytics.metrics.timezones import moment
from salestrack.analytics.scope import Scope
from salestrack.api.context import ApiState, Reader, get_state
from salestrack.api.problems import PROBLEM_RESPONSES
from salestrack.api.schemas.metrics import MetricAnswer, MetricList, MetricOut, MetricQuery
from salestrack.errors import NotFound, ValidationFailed

router = APIRouter(prefix="/metrics", tags=["metrics"], responses=PROBLEM_RESPONSES)
State = Annotated[ApiState, Depends(get_state)]


@router.get("", response_model=MetricList, summary="Every metric of the registry")
def list_all(principal: Reader) -> MetricList:
    return MetricList(
        items=[MetricOut.of(m) for m in REGISTRY],
        dimensions=dict(DIMENSIONS),
        periods=list(PERIODS),
    )


@router.get("/{name}", response_model=MetricAnswer, summary="A metric, for what you may see")
def compute_one(
    name: Annotated[str, Path(max_length=100, description="A metric's name (see /metrics).")],
    query: Annotated[MetricQuery, Query()],
    principal: Reader,
    state: State,
) -> MetricAnswer:
    if name not in REGISTRY:
        raise NotFound("metric", name)
    # ``by=period`` says "split by period" in the same list as the other groupings; the
    # ``period`` parameter says how long one is (and alone splits as well, as in the CLI).
    if "period" in query.by and query.period is None:
        raise ValidationFailed("period", f"say how long a period is: {', '.join(PERIODS)}")
    by = [dim for dim in query.by if dim != "period"]
    start, end = moment(query.start, query.tz, "from"), moment(query.end, query.tz, "to")
    with state.reader.source() as source:
        result = compute(
            name,
            Scope(principal.actor, source),
            by=by,
            period=query.period,
            tz=query.tz,
            start=start,
            end=end,
            currency=state.settings.currency(query.currency),
        )
    return MetricAnswer(
        metric=MetricOut.of(result.metrics[0]),
        by=list(result.query.keys),
        period=result.query.period,
        tz=result.query.tz,
        start=start,
        end=end,
        as_of=result.as_of,
        rows=result.rows(),
    )
