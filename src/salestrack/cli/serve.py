"""``salestrack serve``: the one app (REST API, web pages, scheduler) under uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from salestrack.cli.context import DB_HELP, handles_errors, open_store


@handles_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (use PostgreSQL for >1).")] = 1,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    scheduler: Annotated[
        bool, typer.Option(help="Run the automation rules and agenda e-mails in the app.")
    ] = True,
) -> None:
    """Serve the web pages at http://HOST:PORT/ and the API at /api/v1 (docs at /api/v1/docs)."""
    with open_store(db):  # refuse a store that needs `salestrack init`, before forking workers
        pass
    if db:
        os.environ["SALESTRACK_DATABASE_URL"] = db  # read by every worker's settings
    os.environ["SALESTRACK_SCHEDULER_ENABLED"] = "true" if scheduler else "false"
    uvicorn.run(
        "salestrack.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
    )
