"""``salestrack backup FILE`` and ``salestrack restore FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from salestrack.cli.context import DB_HELP, console, database_url, handles_errors
from salestrack.store import backup as store_backup


@handles_errors
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.")],
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """Copy the whole store to FILE (SQLite backup API, or pg_dump on PostgreSQL)."""
    store_backup.backup(database_url(db), file)
    console.print(f"backed up to {file}")


@handles_errors
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `salestrack backup`.")],
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the store's contents with FILE. Stop the server first."""
    if not yes:
        typer.confirm(f"Replace everything in {database_url(db)} with {file}?", abort=True)
    store_backup.restore(database_url(db), file)
    console.print(f"restored from {file}")
