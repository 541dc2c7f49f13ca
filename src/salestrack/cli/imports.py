"""``salestrack import``: bring a file (or a CRM export) in through a mapping or a preset.

An import that wrote rows syncs the configured warehouse after it, so metrics show them at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from salestrack.capture.importer import ImportReport
from salestrack.capture.presets import run_preset_or_mapping
from salestrack.cli.context import (
    DB_HELP,
    console,
    handles_errors,
    open_store,
    progress_bar,
    sync_after_write,
)
from salestrack.domain.actor import SYSTEM
from salestrack.store.uow import UnitOfWork

SHOWN_REJECTS = 20


def print_report(report: ImportReport, *, title: str) -> None:
    """The summary every capture command prints: counts, then the reasons for rejects."""
    table = Table(title=title, show_header=False)
    for name in ("read", "created", "updated", "unchanged", "rejected"):
        table.add_row(name, f"{getattr(report, name):,}")
    console.print(table)
    for note in report.notes:
        console.print(f"  {note}")
    for reason, count in report.reasons.most_common():
        console.print(f"  [yellow]{count:,} x[/] {reason}", highlight=False)
    for line, field, reason in report.rejects[:SHOWN_REJECTS]:
        console.print(f"  line {line}: {field}: {reason}", highlight=False)
    if report.rejected > SHOWN_REJECTS:
        console.print(f"  ... {report.rejected - SHOWN_REJECTS:,} more rejects")
    for frame in report.preview:
        console.print("preview of the first rows as they would be stored:")
        console.print(frame.to_string(max_colwidth=30), highlight=False)
    if not report.committed:
        console.print("[bold]nothing was written[/] (dry run, or all-or-nothing with rejects)")


def exit_code(report: ImportReport) -> int:
    """Non-zero when nothing could be imported (or an all-or-nothing run was refused)."""
    if report.read and report.imported == 0:
        return 1
    if not report.committed and report.rejected:
        return 1
    return 0


@handles_errors
def import_command(
    preset_or_mapping: Annotated[
        str,
        typer.Argument(
            help="A preset (salesforce, hubspot, pipedrive, orders) or a .toml mapping."
        ),
    ],
    paths: Annotated[
        list[Path], typer.Argument(help="Files to import.", exists=True, dir_okay=False)
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and preview; write nothing.")
    ] = False,
    all_or_nothing: Annotated[
        bool, typer.Option("--all-or-nothing", help="Write nothing unless every row is valid.")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option(help="Write rejected rows here (line, field, reason, row).")
    ] = None,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """Import CSV / JSON Lines files through a mapping, or CRM exports through a preset."""
    with open_store(db) as engine:
        with progress_bar() as bar:
            task = bar.add_task("importing", total=sum(p.stat().st_size for p in paths))
            report = run_preset_or_mapping(
                UnitOfWork(engine),
                SYSTEM,
                preset_or_mapping,
                paths,
                dry_run=dry_run,
                atomic=all_or_nothing,
                rejects_path=rejects,
                progress=lambda n: bar.advance(task, n),
            )
        print_report(report, title=f"import {preset_or_mapping}")
        if report.wrote:
            sync_after_write(engine, db)
    raise typer.Exit(exit_code(report))
