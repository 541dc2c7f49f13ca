"""``salestrack import`` as a user runs it: summary, rejects file, exit code, and the warehouse
synced after it."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from salestrack.cli.app import build_app
from tests.capture_helpers import ACTIVITY_MAPPING, HEADER, activity_mapping_toml, write
from tests.warehouse_holder import held_by_another_process

runner = CliRunner()
GOOD = "A1,Phone call,Talked,02/03/2026 09:30,rep@example.com,Intro,\n"
BAD = "A2,Fax,Sent,02/03/2026 10:00,rep@example.com,x,\n"


def _toml(path: Path) -> Path:
    """The helper mapping as TOML (checked to round-trip through tomllib)."""
    path.write_text(activity_mapping_toml())
    assert tomllib.loads(path.read_text())["columns"] == ACTIVITY_MAPPING["columns"]
    return path


def test_import_prints_summary_writes_rejects_and_fails_when_nothing_imported(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert runner.invoke(build_app(), ["init", "--db", db]).exit_code == 0
    added = runner.invoke(
        build_app(),
        [
            "users",
            "add",
            "--email",
            "rep@example.com",
            "--name",
            "Rep",
            "--role",
            "rep",
            "--db",
            db,
        ],
        input="a-long-password\n",
    )
    assert added.exit_code == 0, added.output
    mapping = _toml(tmp_path / "m.toml")
    rejects = tmp_path / "rejects.csv"
    data = write(tmp_path / "a.csv", HEADER + GOOD + BAD)
    args = ["import", str(mapping), str(data), "--rejects", str(rejects), "--db", db]
    result = runner.invoke(build_app(), args)
    assert result.exit_code == 0, result.output
    assert "created" in result.output and "line 3: type:" in result.output
    assert rejects.read_text().splitlines()[1].startswith("3,type,")
    only_bad = write(tmp_path / "b.csv", HEADER + BAD)
    result = runner.invoke(build_app(), ["import", str(mapping), str(only_bad), "--db", db])
    assert result.exit_code == 1
    result = runner.invoke(build_app(), ["import", "nosuch", str(only_bad), "--db", db])
    assert result.exit_code == 2 and "neither a preset" in result.output


RETAIL_HEADER = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
# By hand: 500001 (customer 111) 2 x 1.50 + 1 x 4.25 = 7.25; 500002 (222) 10 x 0.85 = 8.50;
# C500003 a cancellation and 500004 without a customer are skipped; 500005 (111) 4 x 1.25 = 5.
JANUARY = (
    "500001,A,Mug,2,2010-01-04 10:00:00,1.50,111,United Kingdom\n"
    "500001,B,Tray,1,2010-01-04 10:00:00,4.25,111,United Kingdom\n"
    "500002,A,Mug,10,2010-01-05 11:00:00,0.85,222,France\n"
    "C500003,A,Mug,-2,2010-01-06 09:00:00,1.50,111,United Kingdom\n"
    "500004,B,Tray,3,2010-01-07 12:00:00,2.00,,United Kingdom\n"
    "500005,A,Mug,4,2010-01-08 15:00:00,1.25,111,United Kingdom\n"
)
FEBRUARY = "500006,C,Lamp,1,2010-02-01 09:00:00,9.99,222,France\n"  # 222's second order


def _orders_now(db: str) -> dict[str, float]:
    args = ["metrics", "orders", "revenue", "repeat_customers", "--currency", "GBP", "--json"]
    result = runner.invoke(build_app(), [*args, "--db", db])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, float]] = json.loads(result.output)["rows"]
    return rows[0]


def test_metrics_show_an_import_without_a_separate_sync(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert runner.invoke(build_app(), ["init", "--db", db]).exit_code == 0
    january = write(tmp_path / "january.csv", RETAIL_HEADER + JANUARY)
    result = runner.invoke(build_app(), ["import", "orders", str(january), "--db", db])
    assert result.exit_code == 0, result.output
    assert f"warehouse {tmp_path / 's.duckdb'} synced" in " ".join(result.output.split())
    assert _orders_now(db) == {"orders": 3, "revenue": 20.75, "repeat_customers": 1}

    february = write(tmp_path / "february.csv", RETAIL_HEADER + FEBRUARY)
    assert (
        runner.invoke(build_app(), ["import", "orders", str(february), "--db", db]).exit_code == 0
    )
    assert _orders_now(db) == {"orders": 4, "revenue": 30.74, "repeat_customers": 2}

    again = runner.invoke(build_app(), ["import", "orders", str(february), "--db", db])
    assert again.exit_code == 0 and "synced" not in again.output  # nothing new, nothing to sync
    dry = runner.invoke(build_app(), ["import", "orders", str(january), "--dry-run", "--db", db])
    assert dry.exit_code == 0 and "synced" not in dry.output


def test_an_import_commits_when_another_process_holds_the_warehouse(tmp_path: Path) -> None:
    """A running server keeps the warehouse open; the import still lands and says why the
    warehouse lags, and the next sync catches up."""
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert runner.invoke(build_app(), ["init", "--db", db]).exit_code == 0
    assert runner.invoke(build_app(), ["sync", "--db", db]).exit_code == 0
    with held_by_another_process(tmp_path / "s.duckdb"):
        january = write(tmp_path / "january.csv", RETAIL_HEADER + JANUARY)
        result = runner.invoke(build_app(), ["import", "orders", str(january), "--db", db])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "not synced" in said and "held by another process" in said
    assert runner.invoke(build_app(), ["sync", "--db", db]).exit_code == 0
    assert _orders_now(db)["orders"] == 3
