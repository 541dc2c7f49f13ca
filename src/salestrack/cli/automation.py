"""``salestrack run-rules`` (for cron) and ``salestrack experiments show NAME``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from salestrack.automation.experiments import experiment_results
from salestrack.automation.runner import DEFAULT_LOOKBACK, run_rules
from salestrack.cli.context import DB_HELP, console, handles_errors, open_store
from salestrack.config import Settings
from salestrack.domain.actor import SYSTEM
from salestrack.store.uow import UnitOfWork

experiments = typer.Typer(help="Timing experiments on cadences.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the automation commands to the ``salestrack`` app."""
    app.command("run-rules")(run_rules_command)
    app.add_typer(experiments, name="experiments")


@handles_errors
def run_rules_command(
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    dry_run: Annotated[bool, typer.Option(help="Show what is due; plan nothing.")] = False,
    lookback_days: Annotated[
        int, typer.Option(help="How far back event rules look for missed events.")
    ] = DEFAULT_LOOKBACK.days,
) -> None:
    """Evaluate every active automation rule once; safe to run from cron at any frequency."""
    with open_store(db) as engine:
        report = run_rules(
            UnitOfWork(engine),
            lookback=timedelta(days=lookback_days),
            dry_run=dry_run,
            default_zone=Settings().default_time_zone,
        )
    table = Table("rule", "due", "planned", title=f"run-rules at {report.at:%Y-%m-%d %H:%M} UTC")
    for name, due in report.due.items():
        table.add_row(name, str(due), str(report.planned.get(name, 0)))
    console.print(table)
    verb = "would plan" if dry_run else "planned"
    console.print(
        f"{verb} {report.total_due if dry_run else report.total_planned} activities "
        f"in {report.seconds:.2f} s"
    )


@experiments.command("show")
@handles_errors
def show(
    name: Annotated[str, typer.Argument(help="Experiment name.")],
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """Per-variant conversion, the difference with its interval, and the stop decision."""
    with open_store(db) as engine:
        result = experiment_results(UnitOfWork(engine), SYSTEM, name)
    console.print(
        f"[bold]{result.name}[/] ({result.status}), metric: {result.metric}, "
        f"{result.looks} daily looks"
    )
    arms = Table("variant", "n", "converted", "rate", "95% interval")
    for variant in result.variants:
        low, high = variant.interval
        arms.add_row(
            variant.name,
            str(variant.arm.n),
            str(variant.arm.conversions),
            f"{variant.arm.rate:.1%}",
            f"{low:.1%} to {high:.1%}",
        )
    console.print(arms)
    control = result.variants[0].name
    tests = Table(
        "variant", f"minus {control}", "interval", "always-valid p", "fixed p", "decision"
    )
    for name_, c in result.comparisons.items():
        tests.add_row(
            name_,
            f"{c.difference:+.1%}",
            f"{c.interval[0]:+.1%} to {c.interval[1]:+.1%}",
            f"{c.p_always_valid:.3f}",
            f"{c.p_fixed_horizon:.3f}",
            c.decision.value,
        )
    console.print(tests)
