"""``salestrack users``: add people who sign in."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from salestrack.cli.context import DB_HELP, console, handles_errors, open_store
from salestrack.domain.actor import SYSTEM
from salestrack.errors import ValidationFailed
from salestrack.services import users as user_service
from salestrack.store.uow import UnitOfWork

app = typer.Typer(help="Manage users.", no_args_is_help=True)


def _read_password() -> str:
    """Ask twice on a terminal; otherwise read one line from stdin (for scripts)."""
    if sys.stdin.isatty():
        first = typer.prompt("Password", hide_input=True)
        if typer.prompt("Repeat password", hide_input=True) != first:
            raise ValidationFailed("password", "the two entries differ")
        return str(first)
    return sys.stdin.readline().rstrip("\n")


@app.command("add")
@handles_errors
def add(
    email: Annotated[str, typer.Option(help="Sign-in e-mail address.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[str, typer.Option(help="rep, manager or admin.")],
    team: Annotated[str | None, typer.Option(help="Team name; created when missing.")] = None,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """Add a user; the password is asked for, or read from stdin when piped."""
    password = _read_password()
    with open_store(db) as engine:
        uow = UnitOfWork(engine)
        fields = {"email": email, "name": name, "role": role, "password": password}
        if team:
            user = user_service.add_user_to_team(uow, SYSTEM, team=team, **fields)
        else:
            user = user_service.create_user(uow, SYSTEM, **fields)
    console.print(f"added {user.role} [bold]{user.email}[/] (id {user.id})")
