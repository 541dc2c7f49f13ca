"""``salestrack import`` as a user runs it: summary, rejects file, exit code."""

from __future__ import annotations

import tomllib
from pathlib import Path

from typer.testing import CliRunner

from salestrack.cli.app import build_app
from tests.capture_helpers import ACTIVITY_MAPPING, HEADER, activity_mapping_toml, write

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
