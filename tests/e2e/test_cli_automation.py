"""The automation commands as an operator runs them: rules, cadences, customer events."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from salestrack.automation.cadences import create_cadence
from salestrack.cli.app import build_app
from salestrack.domain.actor import SYSTEM
from salestrack.services import accounts, leads
from salestrack.services.setup import init_store
from salestrack.services.users import actor_for
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork
from tests.factories import make_user


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), list(args))
    return result.exit_code, result.output


def test_rules_cadences_and_events_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    engine = make_engine(db)
    init_store(engine)
    uow = UnitOfWork(engine)
    rep = actor_for(make_user(uow, "rep", name="Rae"))
    account = accounts.create_account(uow, rep, name="Bakery", time_zone="Europe/Paris")
    lead = leads.create_lead(uow, rep, name="Lou")
    create_cadence(uow, SYSTEM, name="Outbound", steps=[{"day": 0, "type": "email"}])
    engine.dispose()

    code, out = _run(
        "rules", "add", "Demo follow-up", "--kind", "follow_up", "--plan", "call",
        "--on-type", "demo", "--delay-days", "1", "--at", "10:00", "--db", db,
    )  # fmt: skip
    assert code == 0, out
    rule_id = out.split("(id ")[1].split(")")[0]
    code, out = _run("rules", "add", "Half", "--kind", "follow_up", "--plan", "call", "--db", db)
    assert code == 2 and "on_type: is required" in out
    code, out = _run("rules", "disable", rule_id, "--db", db)
    assert code == 0 and "Demo follow-up is off" in out
    code, out = _run("rules", "list", "--db", db)
    [row] = [line for line in out.splitlines() if "type=demo" in line]
    assert code == 0 and "call +1d 10:00" in row and row.split("│")[-2].strip() == "no"

    code, out = _run("cadences", "list", "--db", db)
    assert code == 0 and "Outbound" in out and "day 0 email" in out
    code, out = _run("cadences", "enrol", "Outbound", "--lead", str(lead.id), "--db", db)
    assert code == 0 and f"enrolled lead:{lead.id}" in out, out
    code, out = _run("cadences", "enrol", "Outbound", "--lead", str(lead.id), "--db", db)
    assert code == 5 and "already enrolled" in out

    post = ("events", "post", "--account", str(account.id), "--kind", "award", "--db", db)
    code, out = _run(*post, "--title", "Best bakery")
    assert code == 0, out
    assert "planned: Call Bakery to congratulate them on the Best bakery" in out
    code, out = _run(*post, "--occurred-at", "last week")
    assert code == 2 and "occurred_at" in out
