"""Generic CSV/JSONL import through a mapping: create, re-import, update, rejects, modes."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from salestrack.capture.importer import import_file
from salestrack.capture.mapping import parse_mapping
from salestrack.domain.actor import SYSTEM
from salestrack.store.models import Activity, AuditEvent
from salestrack.store.uow import UnitOfWork
from tests.capture_helpers import ACTIVITY_MAPPING, HEADER, activity_mapping, write
from tests.factories import make_account, make_rep

ROWS = (
    "A1,Phone call,Talked,02/03/2026 09:30,rep@example.com,Intro,ACME\n"
    "A2,E-mail,Sent,02/03/2026 10:00,REP@example.com,Follow-up,ACME\n"
    "A3,Phone call,Left VM,01/07/2026 14:00,rep@example.com,Retry,\n"
)


@pytest.fixture
def rep_and_account(uow: UnitOfWork) -> None:
    make_rep(uow, email="rep@example.com")
    make_account(uow, name="Acme", source="crm-x", external_id="ACME")


def _count(uow: UnitOfWork) -> int:
    with uow(SYSTEM):
        return int(uow.session.scalar(select(func.count()).select_from(Activity)) or 0)


@pytest.mark.usefixtures("rep_and_account")
def test_import_then_reimport_adds_nothing_and_a_change_updates(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    path = write(tmp_path / "a.csv", HEADER + ROWS)
    first = import_file(uow, SYSTEM, activity_mapping(), path)
    assert (first.read, first.created, first.rejected) == (3, 3, 0)
    with uow(SYSTEM):
        rows = {a.external_id: a for a in uow.session.scalars(select(Activity))}
    # London is UTC+0 in March and UTC+1 in July: the source time zone is applied per date.
    assert rows["A1"].started_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert rows["A3"].started_at == datetime(2026, 7, 1, 13, 0, tzinfo=UTC)
    assert (rows["A1"].outcome, rows["A3"].outcome, rows["A2"].status) == (
        "connected",
        "voicemail",
        "done",
    )
    assert rows["A1"].account_id is not None and rows["A3"].account_id is None
    again = import_file(uow, SYSTEM, activity_mapping(), path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = write(tmp_path / "b.csv", HEADER + ROWS.replace("Retry", "Retry later"))
    third = import_file(uow, SYSTEM, activity_mapping(), changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert _count(uow) == 3
    with uow(SYSTEM):
        audit = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "activities").order_by(AuditEvent.id)
        ).all()
    assert [a.action for a in audit] == ["import.activities", "import.activities"]
    first = audit[0].after["first_change_seq"]
    assert audit[0].after == {"rows": 3, "first_change_seq": first, "last_change_seq": first + 2}
    assert audit[1].before == {"subject": "Retry"}


@pytest.mark.usefixtures("rep_and_account")
def test_rejects_file_names_line_field_reason_and_keeps_the_row(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    bad = (
        'B1,Phone call,Talked,02/03/2026 09:30,rep@example.com,"two\nlines",ACME\n'
        "B2,Fax,Sent,02/03/2026 10:00,rep@example.com,x,ACME\n"
        "B3,Phone call,Held,02/03/2026 10:00,rep@example.com,x,ACME\n"
        "B4,Phone call,Talked,31/02/2026 10:00,rep@example.com,x,ACME\n"
        "B5,Phone call,Talked,02/03/2226 10:00,rep@example.com,x,ACME\n"
        "B6,Phone call,Talked,02/03/2026 10:00,nobody@example.com,x,ACME\n"
        "B1,Phone call,Talked,02/03/2026 09:30,rep@example.com,dup,ACME\n"
        "B8,Phone call,Talked,02/03/2026 09:30,rep@example.com,x,NOPE\n"
    )
    path = write(tmp_path / "bad.csv", HEADER + bad)
    rejects = tmp_path / "rejects.csv"
    report = import_file(uow, SYSTEM, activity_mapping(), path, rejects_path=rejects)
    assert (report.read, report.created, report.rejected) == (8, 1, 7)
    got = {(line, field) for line, field, _ in report.rejects}
    # line numbers are physical lines of the file: B1 spans lines 2-3.
    assert got == {
        (4, "type"),
        (5, "outcome"),
        (6, "started_at"),
        (7, "started_at"),
        (8, "owner"),
        (9, "key"),
        (10, "account"),
    }
    with rejects.open(newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [r["line"] for r in written] == ["4", "5", "6", "7", "8", "9", "10"]
    assert written[0]["Type"] == "Fax" and "not one of" in written[0]["reason"]
    assert "first on line 2" in written[5]["reason"]
    assert "years in the future" in written[3]["reason"]


@pytest.mark.usefixtures("rep_and_account")
def test_all_or_nothing_writes_nothing_when_one_row_is_bad(uow: UnitOfWork, tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.csv", HEADER + ROWS + "A4,Fax,Sent,02/03/2026 10:00,rep@example.com,x,\n"
    )
    report = import_file(uow, SYSTEM, activity_mapping(), path, atomic=True, chunk_rows=2)
    assert (report.rejected, report.committed) == (1, False)
    assert _count(uow) == 0
    good = write(tmp_path / "g.csv", HEADER + ROWS)
    assert (
        import_file(uow, SYSTEM, activity_mapping(), good, atomic=True, chunk_rows=2).created == 3
    )
    assert _count(uow) == 3


@pytest.mark.usefixtures("rep_and_account")
def test_dry_run_previews_and_writes_nothing(uow: UnitOfWork, tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", HEADER + ROWS)
    report = import_file(uow, SYSTEM, activity_mapping(), path, dry_run=True)
    assert (report.created, report.committed, _count(uow)) == (3, False, 0)
    assert list(report.preview[0]["external_id"]) == ["A1", "A2", "A3"]


@pytest.mark.usefixtures("rep_and_account")
def test_jsonl_with_the_same_mapping(uow: UnitOfWork, tmp_path: Path) -> None:
    frame = pd.read_csv(pd.io.common.StringIO(HEADER + ROWS), dtype=str, keep_default_na=False)
    path = tmp_path / "a.jsonl"
    frame.to_json(path, orient="records", lines=True, force_ascii=False)
    with path.open("a") as handle:
        handle.write("{not json\n")
    report = import_file(uow, SYSTEM, parse_mapping({**ACTIVITY_MAPPING, "format": "jsonl"}), path)
    assert (report.created, report.rejected) == (3, 1)
    assert report.rejects[0][:2] == (4, "row")
