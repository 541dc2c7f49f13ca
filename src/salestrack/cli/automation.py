"""``salestrack run-rules`` (for cron), ``experiments show``, ``rules``, ``cadences``, ``events``.

Each command is one call of the automation service the API route for it calls, acting as the
system (an operator on the server, like ``users add``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated, Any

import typer
from rich.table import Table

from salestrack.automation import cadences as cadence_service
from salestrack.automation.events import post_customer_event
from salestrack.automation.experiments import experiment_results
from salestrack.automation.rules import create_rule, update_rule
from salestrack.automation.runner import DEFAULT_LOOKBACK, run_rules
from salestrack.cli.context import DB_HELP, console, handles_errors, open_store
from salestrack.config import Settings
from salestrack.domain.actor import SYSTEM
from salestrack.errors import ValidationFailed
from salestrack.services import reads
from salestrack.store.models import AutomationRule
from salestrack.store.uow import UnitOfWork

experiments = typer.Typer(help="Timing experiments on cadences.", no_args_is_help=True)
rules = typer.Typer(help="Automation rules: what is planned, for whom, when.", no_args_is_help=True)
cadences = typer.Typer(help="Cadences and who is enrolled in them.", no_args_is_help=True)
events = typer.Typer(help="Customer events: funding rounds, awards, ...", no_args_is_help=True)
Db = Annotated[str | None, typer.Option(help=DB_HELP)]


def register(app: typer.Typer) -> None:
    """Add the automation commands to the ``salestrack`` app."""
    app.command("run-rules")(run_rules_command)
    app.add_typer(experiments, name="experiments")
    app.add_typer(rules, name="rules")
    app.add_typer(cadences, name="cadences")
    app.add_typer(events, name="events")


def _every(uow: UnitOfWork, repo: str, **filters: Any) -> Iterator[Any]:
    """Every row of a repository, page by page (the API's reads, as the system sees them)."""
    cursor = None
    while True:
        request = reads.PageRequest(filters=filters, limit=reads.MAX_LIMIT, cursor=cursor)
        found = reads.page(uow, SYSTEM, repo, request)
        yield from found.items
        cursor = found.next_cursor
        if cursor is None:
            return


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


# ----------------------------------------------------------------------------- rules

_CONDITIONS = ("on_type", "on_purpose", "on_outcome", "on_stage", "on_tier", "on_event")


def _condition(rule: AutomationRule) -> str:
    parts = [f"{name[3:]}={getattr(rule, name)}" for name in _CONDITIONS if getattr(rule, name)]
    if rule.idle_days is not None:
        parts.append(f"idle {rule.idle_days} days")
    return ", ".join(parts) or "any"


@rules.command("list")
@handles_errors
def list_rules(db: Db = None) -> None:
    """Every rule: its condition, what it plans and for which team."""
    with open_store(db) as engine:
        uow = UnitOfWork(engine)
        teams = {team.id: team.name for team in _every(uow, "teams")}
        found = list(_every(uow, "automation_rules"))
    table = Table("id", "name", "kind", "when")
    table.add_column("plans", no_wrap=True)
    table.add_column("team")
    table.add_column("on")
    for rule in found:
        plans = f"{rule.plan_type} +{rule.delay_days}d {rule.at_local}"
        team = teams.get(rule.team_id, "everyone") if rule.team_id else "everyone"
        active = "yes" if rule.is_active else "no"
        table.add_row(str(rule.id), rule.name, rule.kind, _condition(rule), plans, team, active)
    console.print(table)


@rules.command("add")
@handles_errors
def add_rule(
    name: Annotated[str, typer.Argument(help="A name, unique among rules.")],
    kind: Annotated[str, typer.Option(help="follow_up, stage, stalled, nurture or event.")],
    plan: Annotated[str, typer.Option(help="Activity type to plan, e.g. call.")],
    on_type: Annotated[str | None, typer.Option(help="follow_up: completed type.")] = None,
    on_purpose: Annotated[str | None, typer.Option(help="follow_up: its purpose.")] = None,
    on_outcome: Annotated[str | None, typer.Option(help="follow_up: its outcome.")] = None,
    on_stage: Annotated[str | None, typer.Option(help="stage: the stage entered.")] = None,
    on_tier: Annotated[str | None, typer.Option(help="nurture: tier A, B or C.")] = None,
    on_event: Annotated[str | None, typer.Option(help="event: only this kind.")] = None,
    idle_days: Annotated[int | None, typer.Option(help="stalled, nurture: days idle.")] = None,
    purpose: Annotated[str | None, typer.Option(help="Purpose of the planned one.")] = None,
    delay_days: Annotated[int, typer.Option(help="Working days after the cause.")] = 0,
    at: Annotated[str, typer.Option(help="Local time in the customer's zone.")] = "09:00",
    subject: Annotated[str | None, typer.Option(help="Template, e.g. 'Call {contact}'.")] = None,
    team: Annotated[str | None, typer.Option(help="Only this team's work.")] = None,
    db: Db = None,
) -> None:
    """Add a rule; it acts on what happens from now on."""
    given = {
        "on_type": on_type,
        "on_purpose": on_purpose,
        "on_outcome": on_outcome,
        "on_stage": on_stage,
        "on_tier": on_tier,
        "on_event": on_event,
        "idle_days": idle_days,
        "plan_purpose": purpose,
        "subject": subject,
    }
    fields = {key: value for key, value in given.items() if value is not None}
    with open_store(db) as engine:
        uow = UnitOfWork(engine)
        if team is not None:
            found = next(_every(uow, "teams", name=team), None)
            if found is None:
                raise ValidationFailed("team", f"{team!r} is not a team")
            fields["team_id"] = found.id
        rule = create_rule(
            uow,
            SYSTEM,
            name=name,
            kind=kind,
            plan_type=plan,
            delay_days=delay_days,
            at_local=at,
            **fields,
        )
    console.print(f"added rule [bold]{rule.name}[/] (id {rule.id})")


def _switch(rule_id: int, on: bool, db: str | None) -> None:
    with open_store(db) as engine:
        rule = update_rule(UnitOfWork(engine), SYSTEM, rule_id, is_active=on)
    console.print(f"rule [bold]{rule.name}[/] is {'on' if on else 'off'}")


@rules.command("disable")
@handles_errors
def disable_rule(
    rule_id: Annotated[int, typer.Argument(help="Id from `rules list`.")], db: Db = None
) -> None:
    """Switch a rule off; what it planned stays planned."""
    _switch(rule_id, False, db)


@rules.command("enable")
@handles_errors
def enable_rule(
    rule_id: Annotated[int, typer.Argument(help="Id from `rules list`.")], db: Db = None
) -> None:
    """Switch a rule on again; it acts on what happens from now on."""
    _switch(rule_id, True, db)


# ----------------------------------------------------------------------------- cadences


@cadences.command("list")
@handles_errors
def list_cadences(db: Db = None) -> None:
    """Every cadence with its steps: working day, activity type, local time."""
    with open_store(db) as engine:
        uow = UnitOfWork(engine)
        found = list(_every(uow, "cadences"))
        steps = cadence_service.steps_of(uow, SYSTEM, [c.id for c in found])
    table = Table("id", "name", "steps", "in use")
    for cadence in found:
        shown = ", ".join(
            f"day {step.day_offset} {key}" + (f" {step.at_local}" if step.at_local else "")
            for step, key in steps[cadence.id]
        )
        table.add_row(str(cadence.id), cadence.name, shown, "yes" if cadence.is_active else "no")
    console.print(table)


@cadences.command("enrol")
@handles_errors
def enrol(
    cadence: Annotated[str, typer.Argument(help="Cadence name.")],
    lead: Annotated[int | None, typer.Option(help="Lead id.")] = None,
    contact: Annotated[int | None, typer.Option(help="Contact id.")] = None,
    deal: Annotated[int | None, typer.Option(help="Deal id.")] = None,
    db: Db = None,
) -> None:
    """Enrol one lead, contact or deal; its first step is planned for the record's owner."""
    with open_store(db) as engine:
        enrolment = cadence_service.enrol(
            UnitOfWork(engine), SYSTEM, cadence, lead_id=lead, contact_id=contact, deal_id=deal
        )
    variant = f", variant {enrolment.variant}" if enrolment.variant else ""
    console.print(
        f"enrolled {enrolment.unit_key} in {cadence!r} (enrolment {enrolment.id}{variant})"
    )


# ----------------------------------------------------------------------------- events


def _moment(field: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationFailed(field, f"{text!r} is not an ISO 8601 time") from exc


@events.command("post")
@handles_errors
def post_event(
    account: Annotated[int, typer.Option(help="Account id.")],
    kind: Annotated[str, typer.Option(help="funding_round, award, expansion, ...")],
    title: Annotated[str | None, typer.Option(help="What happened, e.g. 'Series B'.")] = None,
    occurred_at: Annotated[
        str | None, typer.Option(help="ISO 8601 with offset; now by default.")
    ] = None,
    source: Annotated[str, typer.Option(help="Where it came from.")] = "manual",
    external_id: Annotated[str | None, typer.Option(help="The source's id of it.")] = None,
    db: Db = None,
) -> None:
    """Record a customer event; the event rules plan a task for the account's owner."""
    with open_store(db) as engine:
        event, tasks = post_customer_event(
            UnitOfWork(engine),
            SYSTEM,
            account_id=account,
            kind=kind,
            title=title,
            occurred_at=_moment("occurred_at", occurred_at),
            source=source,
            external_id=external_id,
        )
    console.print(f"posted event {event.id} ({event.kind}) for account {event.account_id}")
    for task in tasks:
        due = f"{task.due_at:%Y-%m-%d %H:%M} UTC" if task.due_at else "unscheduled"
        console.print(f"planned: {task.subject} (owner {task.owner_id}, due {due})")
