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

from salestrack.analytics.warehouse import Warehouse
from salestrack.config import Settings
from salestrack.errors import ConfigurationError, SalestrackError
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
