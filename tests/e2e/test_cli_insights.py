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
    assert "Money is in USD" in result.output  # the simulated org's currency
    assert (tmp_path / "salestrack-demo.duckdb").exists()

    db = f"sqlite:///{tmp_path / 'salestrack-demo.db'}"
    monkeypatch.delenv("SALESTRACK_DEFAULT_CURRENCY", raising=False)
    result = runner.invoke(build_app(), ["insights", "--json", "--db", db])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["closed_deals"] > 0
    assert data["currency"] == "USD"
    ratio = data["order_value"]["ratio"]
    assert set(ratio) == {"value", "low", "high", "n"}
    assert ratio["low"] <= ratio["value"] <= ratio["high"]
    assert set(data["attribution_revenue"]["credits"]) >= {"markov", "shapley", "first_touch"}
    assert data["sentences"]["coverage"]
    assert any(" USD " in line for line in data["sentences"]["relationships"])

    # The simulated org trades in USD only: in euros there is no money to add up, while counts
    # (closed deals, customers who ordered again) stay as they were.
    monkeypatch.setenv("SALESTRACK_DEFAULT_CURRENCY", "EUR")
    result = runner.invoke(build_app(), ["insights", "--json", "--db", db])
    euros = json.loads(result.output)
    assert euros["currency"] == "EUR"
    assert euros["order_value"]["ratio"]["value"] is None
    assert euros["attribution_revenue"]["total"] == 0
    assert euros["closed_deals"] == data["closed_deals"]
    assert euros["repeat_rate"] == data["repeat_rate"]
    result = runner.invoke(build_app(), ["insights", "--json", "--currency", "usd", "--db", db])
    assert json.loads(result.output)["currency"] == "USD"
    result = runner.invoke(build_app(), ["insights", "--currency", "dollars", "--db", db])
    assert result.exit_code == 2
    assert "currency" in result.output


def test_insights_refuses_a_store_that_needs_init(tmp_path: Path) -> None:
    result = runner.invoke(build_app(), ["insights", "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code != 0
