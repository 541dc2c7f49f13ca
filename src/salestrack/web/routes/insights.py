"""Insights pages: one per question, each with its sentence, sample size, chart and numbers."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from salestrack.errors import NotFound
from salestrack.web import data
from salestrack.web.deps import Page, page
from salestrack.web.i18n import N_
from salestrack.web.insight_views import INSIGHTS

router = APIRouter()
PageDep = Annotated[Page, Depends(page)]


@router.get("/insights")
def index(p: PageDep) -> HTMLResponse:
    return p.render("insights.html", insights=INSIGHTS)


@router.get("/insights/{name}")
def insight(p: PageDep, name: str) -> HTMLResponse:
    if name not in INSIGHTS:
        raise NotFound("insight", name)
    ids = data.scope_ids(p.state.reader, p.actor)
    view = INSIGHTS[name][1](p.state.reader, ids, p.fmt)
    return p.render(
        "insight.html",
        view=view,
        chart=json.dumps(view.chart) if view.chart else "",
        back_url="/insights",
        back_label=p.fmt._(N_("Insights")),
    )
