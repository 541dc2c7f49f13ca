"""An import run over many chunks: links looked up once per run, fresh loads, later updates.

Files are read two rows per chunk, so three chunks share what the run has learnt. SQL statements
are counted on the engine to show a link key is looked up once per run, not once per chunk.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from salestrack.capture.importer import import_file
from salestrack.domain.actor import SYSTEM
from salestrack.services import import_links
from salestrack.store.models import Account, Activity
from salestrack.store.uow import UnitOfWork
from tests.capture_helpers import HEADER, activity_mapping, write
from tests.factories import make_account, make_rep

ROWS = [
    "A1,Phone call,Talked,02/03/2026 09:30,rep@example.com,Intro,ACME",
    "A2,E-mail,Sent,02/03/2026 10:00,rep@example.com,Follow-up,BETA",
    "A3,Phone call,Left VM,03/03/2026 14:00,rep@example.com,Retry,ACME",
    "A4,E-mail,Sent,03/03/2026 15:00,rep@example.com,Quote,BETA",
    "A5,Phone call,Talked,04/03/2026 09:00,rep@example.com,Close,ACME",
    "A6,E-mail,Sent,04/03/2026 11:00,rep@example.com,Thanks,BETA",
]


@pytest.fixture
def org(uow: UnitOfWork) -> UnitOfWork:
    make_rep(uow, email="rep@example.com")
    for key in ("ACME", "BETA"):
        make_account(uow, name=key.title(), source="crm-x", external_id=key)
    return uow


def _file(tmp_path: Path, rows: list[str], name: str = "acts.csv") -> Path:
    return write(tmp_path / name, HEADER + "".join(f"{r}\n" for r in rows))


def _import(uow: UnitOfWork, path: Path, **options: Any) -> Any:
    return import_file(uow, SYSTEM, activity_mapping(), path, chunk_rows=2, **options)


@contextmanager
def _account_lookups(uow: UnitOfWork) -> Iterator[list[str]]:
    """The statements that look accounts up by external id while the block runs."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM accounts" in statement and "external_id IN" in statement:
            seen.append(statement)

    event.listen(uow.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(uow.engine, "before_cursor_execute", record)


def _accounts_of_activities(uow: UnitOfWork) -> dict[str, str | None]:
    with uow(SYSTEM):
        rows = uow.session.execute(
            select(Activity.external_id, Account.external_id).outerjoin(
                Account, Activity.account_id == Account.id
            )
        ).all()
    return {str(a): b for a, b in rows}


def test_links_are_looked_up_once_per_run_not_once_per_chunk(
    org: UnitOfWork, tmp_path: Path
) -> None:
    with _account_lookups(org) as lookups:
        report = _import(org, _file(tmp_path, ROWS))
    assert (report.created, report.rejected) == (6, 0)
    assert len(lookups) == 1  # ACME and BETA, both met in the first of three chunks
    expected = {f"A{i}": ("ACME" if i % 2 else "BETA") for i in range(1, 7)}
    assert _accounts_of_activities(org) == expected


def test_a_key_that_named_nothing_is_asked_again_in_a_later_chunk(
    org: UnitOfWork, tmp_path: Path
) -> None:
    rows = [r.replace("BETA", "GAMMA") for r in ROWS]  # A2, A4, A6 name GAMMA
    created: list[int] = []

    def between_chunks(_: int) -> None:
        # Runs as the reader moves past the first chunk, which is written by then.
        if not created:
            created.append(make_account(org, name="Gamma", source="crm-x", external_id="GAMMA").id)

    report = _import(org, _file(tmp_path, rows), progress=between_chunks)
    assert [(line, name) for line, name, _ in report.rejects] == [(3, "account")]  # A2
    accounts = _accounts_of_activities(org)
    assert "A2" not in accounts
    assert (accounts["A4"], accounts["A6"]) == ("GAMMA", "GAMMA")


def test_a_run_naming_more_keys_than_the_cache_holds_still_links_every_row(
    org: UnitOfWork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_links, "LINK_CACHE", 1)
    report = _import(org, _file(tmp_path, ROWS))
    assert (report.created, report.rejected) == (6, 0)
    assert set(_accounts_of_activities(org).values()) == {"ACME", "BETA"}


def test_a_fresh_load_refuses_a_key_of_an_earlier_chunk_and_a_later_run_updates(
    org: UnitOfWork, tmp_path: Path
) -> None:
    repeated = [*ROWS[:4], ROWS[0].replace("Intro", "Intro again")]  # A1 again, in chunk 3
    first = _import(org, _file(tmp_path, repeated))
    assert (first.created, first.rejected) == (4, 1)
    assert first.rejects[0][1:] == ("key", "duplicate key, first on line 2")

    changed = [ROWS[0].replace("Intro", "Intro rescheduled"), *ROWS[1:]]
    second = _import(org, _file(tmp_path, changed, "again.csv"))
    assert (second.created, second.updated, second.unchanged) == (2, 1, 3)
    with org(SYSTEM):
        subject = org.session.scalar(select(Activity.subject).filter_by(external_id="A1"))
        total = len(org.session.scalars(select(Activity.id)).all())
    assert (subject, total) == ("Intro rescheduled", 6)
