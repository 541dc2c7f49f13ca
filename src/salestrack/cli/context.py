"""What every command needs: the settings, the store and a console, built on demand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from salestrack.analytics.refresh import WarehouseSync
from salestrack.analytics.warehouse import Warehouse
from salestrack.config import Settings
from salestrack.errors import ConfigurationError, SalestrackError, WarehouseBusy
from salestrack.store import migrate
from salestrack.store.engine import make_engine

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")

DB_HELP = "Database URL (default: SALESTRACK_DATABASE_URL or sqlite:///./salestrack.db)."

WAREHOUSE_HELP = (
    "DuckDB warehouse file (default: SALESTRACK_ANALYTICS_PATH, or beside a SQLite store)."
)


def database_url(db: str | None) -> str:
    return db or Settings().database_url


def warehouse_for(db: str | None, path: Path | None) -> Warehouse:
    """The analytics warehouse of the store ``db``, unless a path is given."""
    return Warehouse(path or Settings().warehouse_path(database_url(db)))


def sync_after_write(engine: Engine, db: str | None) -> None:
    """Bring the configured warehouse up to date after an import or capture wrote rows, so
    metrics show them without a separate ``salestrack sync``.

    The rows are committed whatever happens here: a warehouse held by another process (a
    running server, which syncs it on its timer) is reported, not turned into a failure.
    """
    path = Settings().configured_warehouse(database_url(db))
    if path is None:
        console.print(
            "warehouse not synced: a server store needs SALESTRACK_ANALYTICS_PATH "
            "(or run `salestrack sync --warehouse FILE`)"
        )
        return
    try:
        with console.status("syncing the analytics warehouse"):
            report = WarehouseSync(engine, Warehouse(path)).run()
    except WarehouseBusy as exc:
        err_console.print(
            f"[yellow]warehouse not synced:[/] {exc}, or run `salestrack sync` later",
            highlight=False,
        )
        return
    assert report is not None  # a waiting run always syncs
    as_of = f"{report.as_of:%Y-%m-%d %H:%M:%S} UTC" if report.as_of else "now"
    console.print(f"warehouse {path} synced ({report.total:,} changes), data as of {as_of}")


@contextmanager
def open_store(db: str | None, *, migrated: bool = True) -> Iterator[Engine]:
    """The store's engine; unless ``migrated`` is False, refuse a store that needs ``init``."""
    engine = make_engine(database_url(db))
    try:
        if migrated and migrate.current_revision(engine) != migrate.head_revision():
            raise ConfigurationError(
                f"the store {engine.url.render_as_string()} is not initialised or is behind; "
                "run `salestrack init` first"
            )
        yield engine
    finally:
        engine.dispose()


def handles_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Map the error tree to a red line and the error's exit code, in one place."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SalestrackError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(exc.exit_code) from exc

    return wrapper


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
