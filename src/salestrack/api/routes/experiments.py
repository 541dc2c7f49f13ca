"""An experiment's results: the numbers ``salestrack experiments show`` prints, as data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from salestrack.api.context import Reader, get_uow
from salestrack.api.problems import PROBLEM_RESPONSES
from salestrack.api.resource import RowId
from salestrack.api.schemas.automation import (
    ComparisonOut,
    ExperimentResultsOut,
    Interval,
    VariantResultOut,
)
from salestrack.automation.experiments import experiment_results
from salestrack.store.uow import UnitOfWork

router = APIRouter(prefix="/experiments", tags=["experiments"], responses=PROBLEM_RESPONSES)


@router.get(
    "/{row_id}/results",
    response_model=ExperimentResultsOut,
    summary="Conversion per variant, each variant against the control, and the stop decision",
)
def results(
    row_id: RowId, principal: Reader, uow: Annotated[UnitOfWork, Depends(get_uow)]
) -> ExperimentResultsOut:
    found = experiment_results(uow, principal.actor, row_id)
    control = found.variants[0].name
    return ExperimentResultsOut(
        experiment_id=row_id,
        name=found.name,
        metric=found.metric,
        status=found.status,
        looks=found.looks,
        variants=[
            VariantResultOut(
                name=v.name,
                n=v.arm.n,
                conversions=v.arm.conversions,
                rate=v.arm.rate,
                interval=Interval(low=v.interval[0], high=v.interval[1]),
            )
            for v in found.variants
        ],
        comparisons=[
            ComparisonOut(
                variant=name,
                control=control,
                difference=c.difference,
                interval=Interval(low=c.interval[0], high=c.interval[1]),
                p_always_valid=c.p_always_valid,
                p_fixed_horizon=c.p_fixed_horizon,
                decision=c.decision.value,
            )
            for name, c in found.comparisons.items()
        ],
    )
