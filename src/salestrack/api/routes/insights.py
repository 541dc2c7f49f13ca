"""Insights: the report of ``salestrack insights --json``, for what the caller may see.

Built by :func:`salestrack.analytics.insights.report.build_report` on a cursor of the app's
warehouse reader (the one the web pages use, re-synced when stale) and scoped to the caller by
the insights' own scope function (``frames.scoped_source``), as the CLI's ``--json`` would be:
a rep's own deals and accounts, a manager's team, an admin everything.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from salestrack.analytics.insights.report import build_report, report_json
from salestrack.api.context import ApiState, Reader, get_state
from salestrack.api.problems import PROBLEM_RESPONSES
from salestrack.api.schemas.insights import SECTIONS, InsightSection, InsightsReport, section_of
from salestrack.domain.actor import Actor
from salestrack.errors import NotFound

router = APIRouter(prefix="/insights", tags=["insights"], responses=PROBLEM_RESPONSES)
State = Annotated[ApiState, Depends(get_state)]


def _report(state: ApiState, actor: Actor) -> dict[str, Any]:
    with state.reader.cursor() as cursor:  # its own connection: the scope's views stay in it
        return report_json(build_report(cursor, actor))


@router.get("", response_model=InsightsReport, summary="Every insight, for what you may see")
def report(principal: Reader, state: State) -> InsightsReport:
    return InsightsReport.model_validate(_report(state, principal.actor))


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
) -> Any:
    if section not in SECTIONS:
        raise NotFound("insight section", section)
    return section_of(_report(state, principal.actor), section)
