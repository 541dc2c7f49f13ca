"""``salestrack report``: the weekly manager report as one self-contained HTML file.

It shows the same team overview and insights as the web pages, from the same data functions
and chart specs; charts are rendered to PNG with vl-convert and inlined, so the file opens
anywhere (e-mail, an archive) without a server or network.
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
import vl_convert

from salestrack.analytics.warehouse import Warehouse
from salestrack.cli.context import DB_HELP, console, database_url, handles_errors, open_store
from salestrack.config import Settings, warehouse_path_for
from salestrack.domain.actor import SYSTEM
from salestrack.errors import NotFound, ValidationFailed
from salestrack.store.models import Team, User
from salestrack.store.uow import UnitOfWork
from salestrack.web import data
from salestrack.web.app import WebSettings
from salestrack.web.i18n import LOCALES, Formatter
from salestrack.web.insight_views import INSIGHTS
from salestrack.web.render import render_text
from salestrack.web.routes.team import overview_charts

PNG_WIDTH = 640
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def week_window(week: str, tz: str) -> data.Window:
    """Monday 00:00 to the next Monday in the team's zone, for an ISO week like 2025-W14."""
    found = WEEK.match(week)
    if not found:
        raise ValidationFailed("week", f"{week!r} is not an ISO week like 2025-W14")
    try:
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError as exc:
        raise ValidationFailed("week", str(exc)) from exc
    start = datetime.combine(monday, time(0), tzinfo=ZoneInfo(tz))
    return data.Window(start, start + timedelta(days=7))


def png(spec: dict[str, Any]) -> str:
    """A chart spec rendered to a PNG data URI (containers get a fixed width off-screen)."""
    fixed = {**spec, "width": PNG_WIDTH} if spec.get("width") == "container" else spec
    raw = vl_convert.vegalite_to_png(fixed, scale=1.5)
    return "data:image/png;base64," + base64.b64encode(raw).decode("ascii")


def _team(engine: Any, name: str) -> tuple[Team, str]:
    uow = UnitOfWork(engine)
    with uow(SYSTEM):
        team = uow.teams.find_one(name=name)
        if team is None:
            raise NotFound("team", name)
        manager = uow.users.get_any(team.manager_id) if team.manager_id else None
    locale = manager.locale if isinstance(manager, User) else "en"
    return team, locale


@handles_errors
def report(
    team: Annotated[str, typer.Option(help="Team name.")],
    week: Annotated[str, typer.Option(help="ISO week, e.g. 2025-W14.")],
    out: Annotated[Path, typer.Option(help="HTML file to write.")],
    locale: Annotated[
        str | None, typer.Option(help="en or vi (default: the team manager's language).")
    ] = None,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """Write the weekly manager report: team overview and insights, charts inlined."""
    if locale is not None and locale not in LOCALES:
        raise ValidationFailed("locale", f"must be one of {', '.join(LOCALES)}")
    settings = Settings()
    web = WebSettings()
    with open_store(db) as engine:
        found, manager_locale = _team(engine, team)
        window = week_window(week, found.time_zone)
        fmt = Formatter(locale or manager_locale, found.time_zone, settings.default_currency)
        path = Path(web.analytics_path) if web.analytics_path else None
        warehouse = path or warehouse_path_for(database_url(db))
        reader = data.WarehouseReader(engine, Warehouse(warehouse), max_age_s=0)
        try:
            ids = data.scope_ids(reader, SYSTEM, found.id)
            overview = data.overview(reader, ids, window, currency=settings.default_currency)
            charts = {k: png(v) for k, v in overview_charts(overview, fmt).items()}
            views = [build(reader, ids, fmt) for _, build in INSIGHTS.values()]
        finally:
            reader.close()
    html = render_text(
        fmt.locale,
        "report.html",
        {
            "fmt": fmt,
            "team": found,
            "week": week,
            "o": overview,
            "charts": charts,
            "views": [(v, png(v.chart) if v.chart else None) for v in views],
            "names": dict(zip(overview.reps["rep_id"], overview.reps["rep"], strict=True)),
            "last_day": window.end - timedelta(seconds=1),
        },
    )
    out.write_text(html, encoding="utf-8")
    console.print(f"wrote {out} ({len(html) // 1024} KiB)")
