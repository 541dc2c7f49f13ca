"""``salestrack demo`` and ``salestrack simulate``: a simulated sales org, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from salestrack.analytics.sync import sync
from salestrack.cli.context import console, handles_errors, open_store, progress_bar, warehouse_for
from salestrack.cli.insights import print_insights
from salestrack.services.setup import init_store
from salestrack.simulate import SimulationParams, simulate, write_csv, write_ground_truth
from salestrack.simulate.load import load_into_store
from salestrack.simulate.summary import store_summary

DEMO_DB = Path("salestrack-demo.db")

Seed = Annotated[int, typer.Option(help="Random seed; the same seed gives the same org.")]
Reps = Annotated[int, typer.Option(help="Number of sales reps.")]
Months = Annotated[int, typer.Option(help="Months of history to simulate.")]


def _params(seed: int, reps: int, months: int) -> SimulationParams:
    return SimulationParams(seed=seed, reps=reps, months=months)


@handles_errors
def demo(
    seed: Seed = 7,
    reps: Reps = 24,
    months: Months = 12,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Stop after the report.")] = False,
    db: Annotated[
        str | None,
        typer.Option(help="Store URL (default: ./salestrack-demo.db, recreated on every run)."),
    ] = None,
) -> None:
    """Simulate a sales org, load it into a fresh store, print what it holds, sync it into
    the analytics warehouse and print the insights report."""
    if db is None:
        stale_files = [*DEMO_DB.parent.glob(DEMO_DB.name + "*"), DEMO_DB.with_suffix(".duckdb")]
        for stale in stale_files:
            stale.unlink(missing_ok=True)
        db = f"sqlite:///{DEMO_DB}"
    with console.status("simulating the sales org"):
        org = simulate(_params(seed, reps, months))
    truth = write_ground_truth(org, DEMO_DB.with_suffix(".ground_truth.json"))
    with open_store(db, migrated=False) as engine:
        init_store(engine)
        with progress_bar() as bar:
            task = bar.add_task("loading", total=sum(len(f) for f in org.tables.values()))
            load_into_store(engine, org, progress=lambda n: bar.advance(task, n))
        summary = store_summary(engine)
        warehouse = warehouse_for(db, None)
        with console.status("syncing the analytics warehouse"):
            sync(engine, warehouse)
    print_summary(summary)
    console.print(f"store: {db}   warehouse: {warehouse.path}   ground truth: {truth}")
    print_insights(warehouse)
    if not no_serve:
        console.print("[yellow]the web dashboard is not built yet; ran as --no-serve[/]")


@handles_errors
def simulate_command(
    out: Annotated[Path, typer.Option(help="Folder for the CSV files and ground_truth.json.")],
    seed: Seed = 7,
    reps: Reps = 24,
    months: Months = 12,
) -> None:
    """Write a simulated sales org as CSV files plus ground_truth.json."""
    with console.status("simulating the sales org"):
        org = simulate(_params(seed, reps, months))
    paths = write_csv(org, out)
    console.print(f"wrote {len(paths)} files to {out}")


def print_summary(summary: dict[str, list[tuple[str, int]]]) -> None:
    """One Rich table per section of the store summary."""
    for section, rows in summary.items():
        table = Table(title=section, title_justify="left", show_header=False)
        table.add_column("what")
        table.add_column("count", justify="right")
        for label, count in rows:
            table.add_row(label, f"{count:,}")
        console.print(table)
