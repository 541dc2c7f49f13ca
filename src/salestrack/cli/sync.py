"""``salestrack sync``: bring the analytics warehouse up to date, optionally export Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from salestrack.analytics.parquet import export_parquet
from salestrack.analytics.sync import sync as run_sync
from salestrack.analytics.warehouse import Warehouse
from salestrack.cli.context import (
    DB_HELP,
    WAREHOUSE_HELP,
    console,
    handles_errors,
    open_store,
    warehouse_for,
)


@handles_errors
def sync(
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    warehouse: Annotated[Path | None, typer.Option(help=WAREHOUSE_HELP)] = None,
    parquet: Annotated[
        Path | None,
        typer.Option(help="Also export the warehouse as Parquet into this folder (for Spark)."),
    ] = None,
) -> None:
    """Copy what changed in the store since the last sync into the analytics warehouse."""
    with open_store(db) as engine:
        target: Warehouse = warehouse_for(db, warehouse)
        with console.status("syncing the warehouse"):
            report = run_sync(engine, target)
    summary = Table("table", "rows copied", title=f"sync into {target.path}")
    for name, rows in report.copied.items():
        if rows:
            summary.add_row(name, f"{rows:,}")
    summary.add_row("deletes applied", f"{report.deleted:,}")
    console.print(summary)
    if parquet is not None:
        with console.status("exporting Parquet"):
            tables = export_parquet(target, parquet)
        console.print(f"exported {len(tables)} tables to {parquet}")
    console.print(f"data as of {report.as_of:%Y-%m-%d %H:%M:%S} UTC" if report.as_of else "")
