"""``salestrack insights``: sync the warehouse, then print the headline findings (or JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from salestrack.analytics.insights.render import render
from salestrack.analytics.insights.report import build_report, report_json
from salestrack.analytics.metrics.core import check_currency
from salestrack.analytics.sync import sync
from salestrack.analytics.warehouse import Warehouse
from salestrack.cli.context import DB_HELP, console, handles_errors, open_store, warehouse_for
from salestrack.config import Settings

WAREHOUSE_HELP = "DuckDB warehouse file (default: beside a SQLite store, else ./salestrack.duckdb)."


def print_insights(warehouse: Warehouse, currency: str, *, as_json: bool = False) -> None:
    """Build the report from the warehouse, money in ``currency``, and print it (Rich tables
    or JSON on stdout)."""
    with warehouse.connect(read_only=True) as conn:
        report = build_report(conn, actor=None, currency=currency)
    if as_json:
        typer.echo(json.dumps(report_json(report), indent=2))
    else:
        render(report, console)


@handles_errors
def insights(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    currency: Annotated[
        str | None,
        typer.Option(help="Currency money is added up in (default: SALESTRACK_DEFAULT_CURRENCY)."),
    ] = None,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    warehouse: Annotated[Path | None, typer.Option(help=WAREHOUSE_HELP)] = None,
) -> None:
    """Which activities win deals, when to call, attribution, repeat value, leaderboard."""
    code = check_currency(Settings().currency(currency))  # before the sync
    target = warehouse_for(db, warehouse)
    with open_store(db) as engine:
        if as_json:
            sync(engine, target)
        else:
            with console.status("syncing the warehouse"):
                sync(engine, target)
    print_insights(target, code, as_json=as_json)
