"""``salestrack demo`` and ``salestrack simulate``: a simulated sales org, end to end."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from fastapi import FastAPI
from rich.table import Table
from sqlalchemy import Engine, select

from salestrack.analytics.sync import sync
from salestrack.analytics.warehouse import Warehouse
from salestrack.api.app import create_app
from salestrack.cli.context import console, handles_errors, open_store, progress_bar, warehouse_for
from salestrack.cli.insights import print_insights
from salestrack.config import Settings
from salestrack.domain.actor import SYSTEM
from salestrack.domain.vocab import Role
from salestrack.services.setup import init_store
from salestrack.services.users import set_password
from salestrack.simulate import (
    CURRENCY,
    SimulationParams,
    simulate,
    write_activity_import,
    write_csv,
    write_ground_truth,
)
from salestrack.simulate.export import IMPORT_CSV, IMPORT_MAPPING
from salestrack.simulate.load import load_into_store
from salestrack.simulate.summary import store_summary
from salestrack.store.models import User
from salestrack.store.uow import UnitOfWork

DEMO_DB = Path("salestrack-demo.db")
DEMO_PASSWORD = "demo-password"
"""The demo's sign-in password for its manager and rep (a throwaway store on loopback)."""

Seed = Annotated[int, typer.Option(help="Random seed; the same seed gives the same org.")]
Reps = Annotated[int, typer.Option(help="Number of sales reps.")]
Months = Annotated[int, typer.Option(help="Months of history to simulate.")]


def _params(seed: int, reps: int, months: int, activities: int | None = None) -> SimulationParams:
    if activities is not None:
        return SimulationParams.for_activities(activities, seed=seed, reps=reps, months=months)
    return SimulationParams(seed=seed, reps=reps, months=months)


@handles_errors
def demo(
    seed: Seed = 7,
    reps: Reps = 24,
    months: Months = 12,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Stop after the report.")] = False,
    port: Annotated[int, typer.Option(help="Port of the dashboard on 127.0.0.1.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option(help="Store URL (default: ./salestrack-demo.db, recreated on every run)."),
    ] = None,
) -> None:
    """Simulate a sales org, load it into a fresh store, print what it holds, sync it into
    the analytics warehouse and print the insights report; then, unless ``--no-serve``, serve
    the web dashboard and the API on http://127.0.0.1:PORT with demo sign-ins."""
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
    print_insights(warehouse, CURRENCY)
    if no_serve:
        return
    with open_store(db) as engine:
        logins = set_demo_logins(engine)
    app = demo_app(db, warehouse)
    console.print(f"\n[bold]dashboard:[/] http://127.0.0.1:{port}/   API: /api/v1/docs")
    for login in logins:
        console.print(f"  {login.role:<8} {login.email}   password: {login.password}")
    console.print("stop with Ctrl-C")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


def set_demo_logins(engine: Engine, password: str = DEMO_PASSWORD) -> list[DemoLogin]:
    """Give the first simulated manager and the first rep of that manager's team ``password``."""
    uow = UnitOfWork(engine)
    with uow(SYSTEM, "demo.logins"):
        manager = uow.session.scalars(
            select(User).where(User.role == Role.MANAGER, User.is_active).order_by(User.id)
        ).first()
        reps = select(User).where(User.role == Role.REP, User.is_active)
        if manager is not None and manager.team_id is not None:
            reps = reps.where(User.team_id == manager.team_id)
        rep = uow.session.scalars(reps.order_by(User.id)).first()
        chosen = [(u.id, u.role, u.email) for u in (manager, rep) if u is not None]
    logins = []
    for user_id, role, email in chosen:
        set_password(uow, SYSTEM, user_id, password)
        logins.append(DemoLogin(role, email, password))
    return logins


def demo_app(db: str, warehouse: Warehouse) -> FastAPI:
    """The app ``demo`` serves: pages and API over the demo store, no scheduler, no webhooks;
    its money in the simulated org's currency."""
    settings = Settings(
        database_url=db,
        analytics_path=str(warehouse.path),
        default_currency=CURRENCY,
        webhooks_enabled=False,
        scheduler_enabled=False,
    )
    return create_app(settings)


@handles_errors
def simulate_command(
    out: Annotated[Path, typer.Option(help="Folder for the CSV files and ground_truth.json.")],
    seed: Seed = 7,
    reps: Reps = 24,
    months: Months = 12,
    activities: Annotated[
        int | None,
        typer.Option(min=0, help="Exact number of activities (default: 400 per rep and month)."),
    ] = None,
    for_import: Annotated[
        bool,
        typer.Option(
            "--for-import",
            help=f"Also write {IMPORT_CSV} (owners by e-mail, links by external id) and "
            f"{IMPORT_MAPPING}, the mapping that imports it into a store holding the same org.",
        ),
    ] = False,
) -> None:
    """Write a simulated sales org as CSV files plus ground_truth.json."""
    with console.status("simulating the sales org"):
        org = simulate(_params(seed, reps, months, activities))
    paths = write_csv(org, out)
    if for_import:
        paths += write_activity_import(org, out)
    count = len(org.tables["activities"])
    console.print(f"wrote {len(paths)} files to {out} ({count:,} activities)")


def print_summary(summary: dict[str, list[tuple[str, int]]]) -> None:
    """One Rich table per section of the store summary."""
    for section, rows in summary.items():
        table = Table(title=section, title_justify="left", show_header=False)
        table.add_column("what")
        table.add_column("count", justify="right")
        for label, count in rows:
            table.add_row(label, f"{count:,}")
        console.print(table)
