"""The ``salestrack`` command: Typer app assembled from one module per command group."""

from __future__ import annotations

from typing import Annotated

import typer

from salestrack.cli import (
    automation,
    backup,
    capture,
    demo,
    imports,
    insights,
    report,
    serve,
    users,
)
from salestrack.cli.context import DB_HELP, console, database_url, handles_errors, open_store
from salestrack.cli.metrics import metrics
from salestrack.cli.sync import sync
from salestrack.services.setup import init_store


def build_app() -> typer.Typer:
    """Assemble the command tree (a factory, so importing this module builds nothing)."""
    app = typer.Typer(
        help="salestrack: capture sales activities and learn which ones win deals.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    app.command("init")(init)
    app.command("demo")(demo.demo)
    app.command("simulate")(demo.simulate_command)
    app.command("insights")(insights.insights)
    app.add_typer(users.app, name="users")
    app.command("import")(imports.import_command)
    app.command("report")(report.report)
    app.command("serve")(serve.serve)
    app.command("backup")(backup.backup)
    app.command("restore")(backup.restore)
    automation.register(app)
    app.command("sync")(sync)
    app.command("metrics")(metrics)
    app.add_typer(capture.app, name="capture")
    return app


@handles_errors
def init(db: Annotated[str | None, typer.Option(help=DB_HELP)] = None) -> None:
    """Create the store or apply pending migrations, and seed the default vocabularies."""
    with open_store(db, migrated=False) as engine:
        done = init_store(engine)
    for line in done or ["store is up to date"]:
        console.print(line)
    console.print(f"store: {database_url(db)}")


def main() -> None:
    build_app()()
