"""``salestrack metrics``: compute registry metrics from the warehouse, list them, print docs."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from salestrack.analytics.metrics import REGISTRY, Metric, MetricResult, compute
from salestrack.analytics.metrics.docs import render
from salestrack.analytics.metrics.timezones import moment
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import open_warehouse, to_frame
from salestrack.cli.context import (
    DB_HELP,
    WAREHOUSE_HELP,
    console,
    handles_errors,
    open_store,
    warehouse_for,
)
from salestrack.config import Settings
from salestrack.domain.actor import SYSTEM, Actor
from salestrack.errors import ConfigurationError, NotFound
from salestrack.services.users import actor_for
from salestrack.store.uow import UnitOfWork

LABELLED = {"rep": ("users", "name"), "team": ("teams", "name")}


def _actor(db: str | None, email: str | None) -> Actor:
    """The user to scope to (``--as``); without it the CLI acts as the system and sees all."""
    if email is None:
        return SYSTEM
    with open_store(db) as engine:
        uow = UnitOfWork(engine)
        with uow(SYSTEM):
            user = uow.users.find_one(email=email.strip().lower())
            if user is None:
                raise NotFound("user", email)
            return actor_for(user)


def _labels(scope: Scope, frame: pd.DataFrame) -> pd.DataFrame:
    """Names next to rep and team ids, for people rather than programs."""
    for dim, (table, column) in LABELLED.items():
        if dim in frame.columns:
            t = scope.lookup(table)
            names = to_frame(t.select(t.id, t[column]))
            mapping = dict(zip(names["id"], names[column], strict=True))
            frame[dim] = [mapping.get(v, "—") if pd.notna(v) else "—" for v in frame[dim]]
    return frame


def _cell(value: Any, metric: Metric | None) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, pd.Timestamp | datetime):
        return f"{value:%Y-%m-%d}"
    if metric is None or not isinstance(value, int | float):
        return str(value)
    if metric.unit == "share":
        return f"{100 * value:.1f} %"
    if metric.kind == "count":
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _print(result: MetricResult, frame: pd.DataFrame) -> None:
    units = {m.name: m for m in result.metrics}
    title = ", ".join(m.label for m in result.metrics)
    table = Table(title=title)
    for column in frame.columns:
        metric = units.get(column)
        table.add_column(f"{column} ({metric.unit})" if metric else column, justify="right")
    for row in frame.itertuples(index=False):
        table.add_row(*[_cell(v, units.get(c)) for c, v in zip(frame.columns, row, strict=True)])
    console.print(table)
    as_of = f"{result.as_of:%Y-%m-%d %H:%M:%S} UTC" if result.as_of else "never synced"
    console.print(f"data as of {as_of}")


def _json(result: MetricResult) -> str:
    return json.dumps(
        {
            "metrics": [m.name for m in result.metrics],
            "as_of": result.as_of.isoformat() if result.as_of else None,
            "rows": result.rows(),
        },
        indent=2,
    )


def _list() -> None:
    table = Table("metric", "label", "unit", "kind", "dimensions", title="metrics")
    for m in REGISTRY:
        table.add_row(m.name, m.label, m.unit, m.kind, ", ".join(sorted(m.dims)))
    console.print(table)


@handles_errors
def metrics(
    names: Annotated[list[str] | None, typer.Argument(help="Metric names (see --list).")] = None,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="Group by rep, team, activity_type, ...")
    ] = None,
    period: Annotated[
        str | None, typer.Option(help="Split by day, week, month or quarter.")
    ] = None,
    tz: Annotated[str, typer.Option(help="IANA time zone for periods and dates.")] = "UTC",
    currency: Annotated[
        str | None,
        typer.Option(help="Currency money is added up in (default: SALESTRACK_DEFAULT_CURRENCY)."),
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="Window start (date).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Window end, exclusive.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Scope to what this user (e-mail) may see.")
    ] = None,
    list_all: Annotated[bool, typer.Option("--list", help="List the metrics.")] = False,
    docs: Annotated[bool, typer.Option("--docs", help="Print docs/metrics.md.")] = False,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    warehouse: Annotated[Path | None, typer.Option(help=WAREHOUSE_HELP)] = None,
) -> None:
    """Compute metrics from the warehouse (run `salestrack sync` first)."""
    if docs:
        typer.echo(render(), nl=False)
        return
    if list_all or not names:
        _list()
        return
    actor = _actor(db, as_user)
    target = warehouse_for(db, warehouse)
    if not target.path.exists():
        raise ConfigurationError(f"no warehouse at {target.path}; run `salestrack sync` first")
    with open_warehouse(target) as source:
        scope = Scope(actor, source)
        result = compute(
            names,
            scope,
            by=by or (),
            period=period,
            tz=tz,
            start=moment(start, tz, "from"),
            end=moment(end, tz, "to"),
            currency=Settings().currency(currency),
        )
        if as_json:
            typer.echo(_json(result))
        else:
            _print(result, _labels(scope, result.frame.copy()))
