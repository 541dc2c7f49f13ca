"""The CLI as a user runs it: init, users add, and errors as a red line with an exit code."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from salestrack.cli.app import build_app

runner = CliRunner()


def _run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(build_app(), list(args), input=stdin)
    return result.exit_code, result.output


def test_init_then_add_users_from_stdin(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    code, out = _run("init", "--db", db)
    assert code == 0
    assert "migrated empty store" in out
    code, out = _run("init", "--db", db)
    assert (code, "store is up to date" in out) == (0, True)
    code, out = _run(
        "users",
        "add",
        "--email",
        "Mia@Example.com",
        "--name",
        "Mia",
        "--role",
        "manager",
        "--team",
        "North",
        "--db",
        db,
        stdin="a long enough secret\n",
    )
    assert code == 0, out
    assert "added manager mia@example.com" in out
    with sqlite3.connect(tmp_path / "s.db") as conn:
        row = conn.execute(
            "select u.role, t.name, t.manager_id = u.id, u.password_hash "
            "from users u join teams t on t.id = u.team_id"
        ).fetchone()
    assert row[:3] == ("manager", "North", 1)
    assert row[3].startswith("$argon2")


def test_bad_input_exits_non_zero_and_writes_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    _run("init", "--db", db)
    code, out = _run(
        "users",
        "add",
        "--email",
        "x@example.com",
        "--name",
        "X",
        "--role",
        "boss",
        "--team",
        "South",
        "--db",
        db,
        stdin="a long enough secret\n",
    )
    assert code == 2
    assert "role: 'boss' is not one of rep, manager, admin" in out
    with sqlite3.connect(tmp_path / "s.db") as conn:
        assert conn.execute("select count(*) from teams").fetchone() == (0,)
        assert conn.execute("select count(*) from users").fetchone() == (0,)


def test_uninitialised_store_is_refused_by_the_installed_command(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'new.db'}"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from salestrack.cli.app import main; main()",
            "users",
            "add",
            "--email",
            "a@b.co",
            "--name",
            "A",
            "--role",
            "rep",
            "--db",
            db,
        ],
        input="a long enough secret\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 6
    assert "run `salestrack init` first" in " ".join(done.stderr.split())
