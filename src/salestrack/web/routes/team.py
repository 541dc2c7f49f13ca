"""The manager's team overview; every number links to the rows behind it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from salestrack.web import charts, data
from salestrack.web.deps import Page, manager_page
from salestrack.web.i18n import N_, Formatter
from salestrack.web.insight_data import wilson
from salestrack.web.labels import label

router = APIRouter()
ManagerDep = Annotated[Page, Depends(manager_page)]
PERIODS = (7, 28, 91)


def window_for(p: Page, days: int, end: str | None) -> data.Window:
    """``days`` ending at ``end`` (a local date) or at the end of the data, in the user's zone."""
    if end:
        local_end = datetime.combine(datetime.fromisoformat(end).date(), time(0), tzinfo=p.fmt.tz)
        stop = local_end + timedelta(days=1)
    else:
        stop = data.data_end(p.state.reader, p.state.clock.now())
    return data.Window(stop - timedelta(days=days), stop)


def overview_charts(o: data.Overview, fmt: Formatter) -> dict[str, dict[str, Any]]:
    """The overview's charts, shared by the page and the weekly report."""
    names = dict(zip(o.reps["rep_id"], o.reps["rep"], strict=True))
    mix = o.mix.assign(rep=o.mix["rep_id"].map(names)).dropna(subset=["rep"])
    outcomes = o.outcomes.assign(rep=o.outcomes["rep_id"].map(names)).dropna(subset=["rep"])
    outcomes = outcomes.rename(columns={"good": "won"})
    outcomes["rate"], outcomes["lo"], outcomes["hi"] = wilson(outcomes["won"], outcomes["n"])
    hours = o.time.assign(rep=o.time["rep_id"].map(names)).dropna(subset=["rep"])
    return {
        "mix": charts.stacked_bars(
            mix,
            fmt,
            y="rep",
            x="n",
            color="type",
            title=N_("Activity mix by rep"),
            x_title=N_("Activities"),
            color_title=N_("Type"),
        ),
        "outcomes": charts.rate_points(
            outcomes.assign(type=[label(fmt, t) for t in outcomes["type"]]),
            fmt,
            category="rep",
            color="type",
            color_title=N_("Type"),
            title=N_("Positive outcome rate by rep"),
            y_title=N_("Rate"),
        ),
        "funnel": charts.bars(
            o.funnel.assign(stage=[label(fmt, s) for s in o.funnel["stage"]]),
            fmt,
            x="stage",
            y="deals",
            title=N_("Deals entering each stage"),
            y_title=N_("Deals"),
        ),
        "time": charts.stacked_bars(
            hours,
            fmt,
            y="rep",
            x="hours",
            color="category",
            title=N_("Selling vs admin time"),
            x_title=N_("Hours"),
            color_title=N_("Category"),
        ),
    }


@router.get("/team")
def team(
    p: ManagerDep, days: int = 28, end: str | None = None, team: int | None = None
) -> HTMLResponse:
    days = days if days in PERIODS else 28
    window = window_for(p, days, end)
    ids = data.scope_ids(p.state.reader, p.actor, team)
    o = data.overview(p.state.reader, ids, window, currency=p.state.settings.default_currency)
    specs = overview_charts(o, p.fmt)
    drill = {
        "start": window.start.astimezone(UTC).isoformat(),
        "end": window.end.astimezone(UTC).isoformat(),
    }
    return p.render(
        "team.html",
        o=o,
        days=days,
        periods=PERIODS,
        drill=drill,
        charts={k: json.dumps(v) for k, v in specs.items()},
        names=dict(zip(o.reps["rep_id"], o.reps["rep"], strict=True)),
        last_day=(window.end - timedelta(seconds=1)),
    )
