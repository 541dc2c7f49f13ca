"""``salestrack demo`` ends with the insights report; ``salestrack insights --json`` prints
the same findings as JSON, every estimate with its interval and sample size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salestrack.cli.app import build_app

runner = CliRunner()


def test_demo_prints_insights_then_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(build_app(), ["demo", "--no-serve", "--reps", "6", "--months", "4"])
    assert result.exit_code == 0, result.output
    assert "salestrack insights" in result.output
    assert "Activities that lift win rate most" in result.output
    assert "Best hours to call" in result.output
    assert (tmp_path / "salestrack-demo.duckdb").exists()

    db = f"sqlite:///{tmp_path / 'salestrack-demo.db'}"
    result = runner.invoke(build_app(), ["insights", "--json", "--db", db])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["closed_deals"] > 0
    ratio = data["order_value"]["ratio"]
    assert set(ratio) == {"value", "low", "high", "n"}
    assert ratio["low"] <= ratio["value"] <= ratio["high"]
    assert set(data["attribution_revenue"]["credits"]) >= {"markov", "shapley", "first_touch"}
    assert data["sentences"]["coverage"]


def test_insights_refuses_a_store_that_needs_init(tmp_path: Path) -> None:
    result = runner.invoke(build_app(), ["insights", "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code != 0
