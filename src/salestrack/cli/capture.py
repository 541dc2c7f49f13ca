"""``salestrack capture email|calendar``: bring a mailbox or a calendar in as activities.

Like ``salestrack import``, a capture that wrote rows syncs the configured warehouse after it.
"""

from __future__ import annotations

import os
import ssl
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from salestrack.cli.context import DB_HELP, handles_errors, open_store, sync_after_write
from salestrack.cli.imports import exit_code, print_report
from salestrack.config import Settings
from salestrack.domain.actor import SYSTEM
from salestrack.services.capture import CaptureOptions, capture_owner
from salestrack.store.models import User
from salestrack.store.uow import UnitOfWork

app = typer.Typer(help="Capture e-mail and meetings as activities.", no_args_is_help=True)

Owner = Annotated[
    str, typer.Option("--owner", help="E-mail of the user whose mailbox or calendar this is.")
]
Domains = Annotated[
    list[str] | None,
    typer.Option(
        "--team-domain",
        help="A domain of the team's own addresses (repeatable; adds to SALESTRACK_TEAM_DOMAINS).",
    ),
]
CaFile = Annotated[
    Path | None,
    typer.Option(help="CA certificate(s) to trust, e.g. a self-signed server's.", exists=True),
]
Db = Annotated[str | None, typer.Option(help=DB_HELP)]
DATES = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _options(
    uow: UnitOfWork, owner: str, domains: list[str] | None, leads: bool
) -> tuple[CaptureOptions, User]:
    user = capture_owner(uow, SYSTEM, owner)
    team = (*Settings().team_domains, *(domains or []))
    return CaptureOptions(owner_id=user.id, team_domains=team, create_leads=leads), user


@app.command("email")
@handles_errors
def email_command(
    target: Annotated[
        str, typer.Argument(help="An .eml file, a folder of them, an mbox, a Maildir, or imaps://")
    ],
    owner: Owner,
    team_domain: Domains = None,
    leads: Annotated[
        bool, typer.Option("--leads/--no-leads", help="Unknown external senders become leads.")
    ] = False,
    ca_file: CaFile = None,
    password_env: Annotated[
        str, typer.Option(help="Environment variable holding the IMAP password.")
    ] = "SALESTRACK_IMAP_PASSWORD",
    db: Db = None,
) -> None:
    """Capture e-mail: each message once, keyed by its Message-ID (see docs/capture.md)."""
    from salestrack.capture.email_capture import capture_email_files, capture_imap
    from salestrack.capture.email_imap import is_imap_url

    with open_store(db) as engine:
        uow = UnitOfWork(engine)
        options, _ = _options(uow, owner, team_domain, leads)
        if is_imap_url(target):
            context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
            password = os.environ.get(password_env)
            report = capture_imap(uow, SYSTEM, target, options, password=password, context=context)
        else:
            report = capture_email_files(uow, SYSTEM, Path(target), options)
        print_report(report, title=f"capture email {target}")
        if report.wrote:
            sync_after_write(engine, db)
    raise typer.Exit(exit_code(report))


@app.command("calendar")
@handles_errors
def calendar_command(
    target: Annotated[str, typer.Argument(help="An .ics file, or a CalDAV collection URL.")],
    owner: Owner,
    start: Annotated[
        datetime | None,
        typer.Option("--from", formats=DATES, help="Window start, UTC (default: no limit)."),
    ] = None,
    end: Annotated[
        datetime | None,
        typer.Option("--to", formats=DATES, help="Window end, UTC (default: 180 days ahead)."),
    ] = None,
    team_domain: Domains = None,
    user: Annotated[str | None, typer.Option(help="CalDAV user name.")] = None,
    ca_file: CaFile = None,
    password_env: Annotated[
        str, typer.Option(help="Environment variable holding the CalDAV password.")
    ] = "SALESTRACK_CALDAV_PASSWORD",
    db: Db = None,
) -> None:
    """Capture meetings: recurring events expanded over the window (see docs/capture.md)."""
    # Imported on use: the iCalendar libraries take about a second to load, which every other
    # command of the CLI would pay otherwise.
    from salestrack.capture.calendar_capture import capture_caldav, capture_ics, is_caldav_url

    window = {
        "start": start.replace(tzinfo=UTC) if start else None,
        "end": end.replace(tzinfo=UTC) if end else None,
    }
    with open_store(db) as engine:
        uow = UnitOfWork(engine)
        options, user_row = _options(uow, owner, team_domain, leads=False)
        zone = user_row.time_zone  # floating times (no zone in the file) are the owner's
        if is_caldav_url(target):
            report = capture_caldav(
                uow, SYSTEM, target, options, username=user,
                password=os.environ.get(password_env), verify=str(ca_file) if ca_file else True,
                zone=zone, **window,
            )  # fmt: skip
        else:
            report = capture_ics(uow, SYSTEM, Path(target), options, zone=zone, **window)
        print_report(report, title=f"capture calendar {target}")
        if report.wrote:
            sync_after_write(engine, db)
    raise typer.Exit(exit_code(report))
