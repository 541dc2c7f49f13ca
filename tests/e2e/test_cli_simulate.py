"""``salestrack simulate``: the org's tables, an exact number of activities, the import layout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from salestrack.capture.mapping import load_mapping
from salestrack.cli.app import build_app
from salestrack.simulate.export import IMPORT_CSV, IMPORT_MAPPING

runner = CliRunner()


def test_simulate_writes_an_importable_activity_file(tmp_path: Path) -> None:
    args = ["simulate", "--out", str(tmp_path), "--reps", "6", "--months", "2"]
    result = runner.invoke(build_app(), [*args, "--activities", "1500", "--for-import"])
    assert result.exit_code == 0, result.output
    assert "(1,500 activities)" in result.output
    raw = pd.read_csv(tmp_path / "activities.csv")
    export = pd.read_csv(tmp_path / IMPORT_CSV)
    assert len(raw) == len(export) == 1500
    assert list(export["external_id"]) == list(raw["external_id"])
    mapping = load_mapping(tmp_path / IMPORT_MAPPING)
    assert (mapping.entity, mapping.owner_by, mapping.key) == (
        "activities",
        "email",
        ("external_id",),
    )
    assert set(mapping.needed_columns) <= set(export.columns)
    assert export["owner_email"].str.endswith("@sim.salestrack.example").all()


def test_without_for_import_only_the_tables_are_written(tmp_path: Path) -> None:
    result = runner.invoke(build_app(), ["simulate", "--out", str(tmp_path), "--reps", "6"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / IMPORT_CSV).exists() and (tmp_path / "activities.csv").exists()
