"""The metrics registry and metric answers as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from salestrack.analytics.metrics import DIMENSIONS, PERIODS, Metric
from salestrack.api.schemas.common import In

Cell = int | float | str | None
GROUPS = ", ".join(DIMENSIONS)


class MetricOut(BaseModel):
    """One metric of the registry, with its formula and the dimensions it can be split by."""

    name: str
    label: str
    unit: str
    kind: Literal["count", "sum", "ratio", "derived"]
    area: str
    formula: str
    dimensions: list[str]

    @classmethod
    def of(cls, metric: Metric) -> MetricOut:
        return cls(
            name=metric.name,
            label=metric.label,
            unit=metric.unit,
            kind=metric.kind,
            area=metric.area,
            formula=metric.formula,
            dimensions=sorted(metric.dims),
        )


class MetricList(BaseModel):
    items: list[MetricOut]
    dimensions: dict[str, str] = Field(description="Every dimension and what it groups by.")
    periods: list[str]


class MetricQuery(In):
    """How to compute a metric: grouping, period, window and time zone."""

    model_config = ConfigDict(populate_by_name=True)

    by: list[str] = Field(
        default_factory=list,
        max_length=len(DIMENSIONS),
        description=f"Repeat to group by several: {GROUPS}.",
    )
    period: str | None = Field(
        None, max_length=16, description=f"Split by periods of this length: {', '.join(PERIODS)}."
    )
    start: str | None = Field(
        None,
        alias="from",
        max_length=40,
        description="Window start: a date or date-time; without an offset it is read in `tz`.",
    )
    end: str | None = Field(None, alias="to", max_length=40, description="Window end, exclusive.")
    tz: str = Field("UTC", max_length=64, description="IANA zone periods and dates are read in.")
    currency: str | None = Field(
        None,
        max_length=3,
        description="ISO 4217 code money is added up in (other currencies are left out of "
        "sums and averages); the server's default currency when not given.",
    )


class MetricAnswer(BaseModel):
    """A metric computed for the caller's scope: one row per group."""

    metric: MetricOut
    by: list[str] = Field(description="The grouping columns of the rows, period last.")
    period: str | None
    tz: str
    start: datetime | None = Field(serialization_alias="from")
    end: datetime | None = Field(serialization_alias="to")
    as_of: datetime | None = Field(
        description="When the warehouse was last synced from the store: the data is as of then."
    )
    rows: list[dict[str, Cell]] = Field(
        description="The grouping keys (rep and team as ids, period as its start) and the value."
    )
