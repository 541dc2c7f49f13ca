"""``salestrack capture email|calendar`` as a user runs them: summary, re-runs, exit codes, and
the warehouse synced after each capture that wrote rows."""

from __future__ import annotations

import imaplib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salestrack.cli.app import build_app
from tests.conftest import SHARED_DATA
from tests.mail_helpers import message
from tests.servers import ImapServer, start_dovecot

runner = CliRunner()
OWNER = "rep@ours.example"


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert runner.invoke(build_app(), ["init", "--db", url]).exit_code == 0
    added = runner.invoke(
        build_app(),
        ["users", "add", "--email", OWNER, "--name", "Rep", "--role", "rep", "--db", url],
        input="a-long-password\n",
    )
    assert added.exit_code == 0, added.output
    return url


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(build_app(), ["capture", *args], env=env)
    return result.exit_code, " ".join(re.sub(r"[│┃┌┐└┘─┬┴├┤┼]", " ", result.output).split())


def _activities_in_warehouse(db: str) -> int:
    """What the metrics see, with no ``salestrack sync`` run by the test."""
    result = runner.invoke(build_app(), ["metrics", "activities", "--json", "--db", db])
    assert result.exit_code == 0, result.output
    return int(json.loads(result.output)["rows"][0]["activities"])


def test_capture_email_mbox_twice_then_a_file_with_nothing_to_import(
    db: str, tmp_path: Path
) -> None:
    mbox = str(SHARED_DATA / "email" / "enron_slice.mbox")
    args = ("email", mbox, "--owner", OWNER, "--team-domain", "enron.com", "--db", db)
    code, out = _run(*args)
    assert code == 0 and "read 1,009" in out and "created 1,009" in out
    assert "synced" in out and _activities_in_warehouse(db) == 1009
    code, out = _run(*args)
    assert code == 0 and "created 0" in out and "unchanged 1,009" in out
    undated = tmp_path / "undated.eml"
    undated.write_bytes(b"Message-ID: <u@x>\nFrom: a@client.example\nSubject: hi\n\nbody\n")
    code, out = _run("email", str(undated), "--owner", OWNER, "--db", db)
    assert code == 1 and "rejected 1" in out and "started_at: is missing" in out


def test_capture_calendar_window_and_malformed_file(db: str, tmp_path: Path) -> None:
    pycon = str(SHARED_DATA / "calendar" / "pyconuk-2015-schedule.ics")
    code, out = _run(
        "calendar", pycon, "--owner", OWNER, "--from", "2015-09-18", "--to", "2015-09-19",
        "--db", db,
    )  # fmt: skip
    # Events starting on 18 September 2015, counted with grep: 55 DTSTART:20150918T... lines.
    assert code == 0 and "created 55" in out
    assert _activities_in_warehouse(db) == 55
    code, out = _run("calendar", pycon, "--owner", OWNER, "--db", db)
    assert code == 0 and "created 107" in out and "unchanged 55" in out
    assert _activities_in_warehouse(db) == 55 + 107
    assert "shared by 2 different events" in out
    bad = tmp_path / "bad.ics"
    bad.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\n")
    code, out = _run("calendar", str(bad), "--owner", OWNER, "--db", db)
    assert code == 2 and "line 2" in out and "never closed" in out
    code, out = _run("calendar", pycon, "--owner", "nobody@x.example", "--db", db)
    assert code == 2 and "not the e-mail of a user" in out


@pytest.fixture(scope="module")
def imap_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImapServer]:
    yield from start_dovecot(tmp_path_factory.mktemp("dovecot-cli") / "server")


def test_capture_email_from_imap_with_password_from_the_environment(
    db: str, imap_server: ImapServer
) -> None:
    client = imaplib.IMAP4_SSL("127.0.0.1", imap_server.port, ssl_context=imap_server.context())
    try:
        client.login(imap_server.user, imap_server.password)
        raw = message("cli@client", "buyer@client.example", OWNER).replace(b"\n", b"\r\n")
        assert client.append("INBOX", None, None, raw)[0] == "OK"
    finally:
        client.logout()
    args = ["email", imap_server.url, "--owner", OWNER, "--ca-file", str(imap_server.cafile)]
    env = {"SALESTRACK_IMAP_PASSWORD": imap_server.password}
    code, out = _run(*args, "--db", db, env=env)
    assert code == 0 and "created 1" in out and "1 new messages after UID 0" in out
    code, out = _run(*args, "--db", db, env=env)
    assert code == 0 and "read 0" in out
