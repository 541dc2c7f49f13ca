"""Insights: the report of ``salestrack insights --json``, for what the caller may see.

Built by :func:`salestrack.analytics.insights.report.build_report` on a cursor of the app's
warehouse reader (the one the web pages use, re-synced when stale) and scoped to the caller by
the insights' own scope function (``frames.scoped_source``), as the CLI's ``--json`` would be:
a rep's own deals and accounts, a manager's team, an admin everything.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from salestrack.analytics.insights.report import build_report, report_json
from salestrack.analytics.metrics.core import check_currency
from salestrack.api.context import ApiState, Reader, get_state
from salestrack.api.problems import PROBLEM_RESPONSES
from salestrack.api.schemas.insights import SECTIONS, InsightSection, InsightsReport, section_of
from salestrack.domain.actor import Actor
from salestrack.errors import NotFound

router = APIRouter(prefix="/insights", tags=["insights"], responses=PROBLEM_RESPONSES)
State = Annotated[ApiState, Depends(get_state)]


Currency = Annotated[
    str | None,
    Query(
        max_length=3,
        description="ISO 4217 code money is added up in; the server's default when not given.",
    ),
]


def _report(state: ApiState, actor: Actor, currency: str | None) -> dict[str, Any]:
    code = check_currency(state.settings.currency(currency))  # before the sync
    with state.reader.cursor() as cursor:  # its own connection: the scope's views stay in it
        return report_json(build_report(cursor, actor, code))


@router.get("", response_model=InsightsReport, summary="Every insight, for what you may see")
def report(principal: Reader, state: State, currency: Currency = None) -> InsightsReport:
    return InsightsReport.model_validate(_report(state, principal.actor, currency))


@router.get(
    "/{section}",
    response_model=InsightSection,
    summary="One section of the report",
    description=f"Sections: {', '.join(SECTIONS)}.",
)
def one_section(
    section: Annotated[str, Path(max_length=40, description="A section of the report.")],
    principal: Reader,
    state: State,
    currency: Currency = None,
) -> Any:
    if section not in SECTIONS:
        raise NotFound("insight section", section)
    return section_of(_report(state, principal.actor, currency), section)
