"""Bad input (issue 3 acceptance): each problem is reported with line and reason, nothing
half-written; and a killed import, run again, ends with exactly the file's rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from salestrack.capture.importer import import_file
from salestrack.domain.actor import SYSTEM
from salestrack.errors import ImportRowError
from salestrack.store.models import Activity
from salestrack.store.uow import UnitOfWork
from tests.capture_helpers import HEADER, activity_mapping, write
from tests.factories import make_account, make_rep

GOOD = "A1,Phone call,Talked,02/03/2026 09:30,rep@example.com,Café,ACME\n"


@pytest.fixture(autouse=True)
def _people(uow: UnitOfWork) -> None:
    make_rep(uow, email="rep@example.com")
    make_account(uow, name="Acme", source="crm-x", external_id="ACME")


def _count(uow: UnitOfWork) -> int:
    with uow(SYSTEM):
        return int(uow.session.scalar(select(func.count()).select_from(Activity)) or 0)


def test_latin1_file_is_refused_with_the_line_unless_the_mapping_says_latin1(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    path = write(tmp_path / "l1.csv", HEADER + GOOD.replace("A1", "A0") + GOOD, "latin-1")
    with pytest.raises(ImportRowError) as err:
        import_file(uow, SYSTEM, activity_mapping(), path)
    assert (err.value.line, err.value.field) == (2, "encoding")
    assert _count(uow) == 0
    report = import_file(uow, SYSTEM, activity_mapping(encoding="latin-1"), path)
    assert report.created == 2
    with uow(SYSTEM):
        assert uow.session.scalar(select(Activity.subject).limit(1)) == "Café"


def test_bom_and_crlf_and_quoted_newlines(uow: UnitOfWork, tmp_path: Path) -> None:
    body = HEADER + GOOD + 'A2,E-mail,Sent,02/03/2026 10:00,rep@example.com,"a\nb",ACME\n'
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode())
    report = import_file(uow, SYSTEM, activity_mapping(), path)
    assert (report.created, report.rejected) == (2, 0)
    with uow(SYSTEM):
        subjects = set(uow.session.scalars(select(Activity.subject)))
    assert subjects == {"Café", "a\r\nb"}  # the quoted line break is kept as written


def test_missing_required_column_names_it(uow: UnitOfWork, tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", HEADER.replace(",Result", "") + "A1,Phone call,x,y,z,ACME\n")
    with pytest.raises(ImportRowError) as err:
        import_file(uow, SYSTEM, activity_mapping(), path)
    assert (err.value.line, err.value.field) == (1, "Result")
    assert _count(uow) == 0


def test_empty_file(uow: UnitOfWork, tmp_path: Path) -> None:
    with pytest.raises(ImportRowError) as err:
        import_file(uow, SYSTEM, activity_mapping(), write(tmp_path / "e.csv", ""))
    assert (err.value.line, err.value.field) == (1, "file")


def test_a_1mb_field_rejects_its_row_only(uow: UnitOfWork, tmp_path: Path) -> None:
    huge = "x" * 1_048_576
    path = write(
        tmp_path / "big.csv",
        HEADER + GOOD + f"A2,E-mail,Sent,02/03/2026 10:00,rep@example.com,{huge},ACME\n",
    )
    report = import_file(uow, SYSTEM, activity_mapping(), path)
    assert (report.created, report.rejects) == (
        1,
        [(3, "subject", "is longer than 500 characters")],
    )


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        (
            "A1,Phone call,Talked,2026-13-45 10:00,rep@example.com,x,ACME",
            "started_at",
            "matches no date format",
        ),
        (
            "A1,Phone call,Talked,02/03/2999 10:00,rep@example.com,x,ACME",
            "started_at",
            "years in the future",
        ),
        (
            "A1,Phone call,Talked,29/03/2026 01:30,rep@example.com,x,ACME",
            "started_at",
            "not a valid local time",
        ),
        (
            "A1,Phone call,Shouted,02/03/2026 10:00,rep@example.com,x,ACME",
            "outcome",
            "not an outcome of a call",
        ),
        (
            "A1,Phone call,Talked,02/03/2026 10:00,ghost@example.com,x,ACME",
            "owner",
            "not the email of a user",
        ),
    ],
)
def test_row_problems_are_named(
    uow: UnitOfWork, tmp_path: Path, row: str, field: str, reason: str
) -> None:
    report = import_file(
        uow, SYSTEM, activity_mapping(), write(tmp_path / "r.csv", HEADER + row + "\n")
    )
    assert report.created == 0
    [(line, got_field, got_reason)] = report.rejects
    assert (line, got_field) == (2, field) and reason in got_reason


def test_unknown_stage_is_rejected(uow: UnitOfWork, tmp_path: Path) -> None:
    mapping = {
        "entity": "deals",
        "source": "crm-x",
        "key": ["id"],
        "columns": {"name": "name", "amount": "amount", "stage": "stage", "account": "acc"},
    }
    from salestrack.capture.mapping import parse_mapping

    path = write(
        tmp_path / "d.csv",
        "id,name,amount,stage,acc\nD1,Big,100,Proposal,ACME\nD2,Odd,⁰⁴⁵,Proposal,ACME\nD3,Lost,5,Limbo,ACME\n",
    )
    report = import_file(uow, SYSTEM, parse_mapping(mapping), path)
    assert report.created == 1
    assert [(line, f) for line, f, _ in report.rejects] == [(3, "amount"), (4, "stage")]


CRASH_SCRIPT = """
import sys
from pathlib import Path
from salestrack.capture.importer import import_file
from salestrack.domain.actor import SYSTEM
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork
from tests.capture_helpers import activity_mapping
report = import_file(UnitOfWork(make_engine(sys.argv[1])), SYSTEM, activity_mapping(),
                     Path(sys.argv[2]), chunk_rows=500)
print("done", report.created, report.unchanged)
"""


@pytest.mark.slow
def test_killed_import_leaves_whole_chunks_and_a_rerun_completes(
    engine: Engine, uow: UnitOfWork, tmp_path: Path
) -> None:
    rows = 30_000
    lines = [
        f"K{i},Phone call,Talked,02/03/2026 09:30,rep@example.com,s{i},ACME" for i in range(rows)
    ]
    path = write(tmp_path / "big.csv", HEADER + "\n".join(lines) + "\n")
    url = engine.url.render_as_string(hide_password=False)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"}
    command = [sys.executable, "-c", CRASH_SCRIPT, url, str(path)]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _count(uow) < 2_000 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    written = _count(uow)
    assert 0 < written < rows, "the kill must land mid-import for this test to mean anything"
    assert written % 500 == 0, "only whole chunks (500 rows each) may be committed"
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["done", str(rows - written), str(written)]
    with uow(SYSTEM):
        keys = list(uow.session.scalars(select(Activity.external_id)))
    assert sorted(keys) == sorted(f"K{i}" for i in range(rows))
