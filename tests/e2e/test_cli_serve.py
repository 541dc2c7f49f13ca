"""``salestrack serve`` runs the one app factory under uvicorn, with the scheduler by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from salestrack.cli import serve as serve_module
from salestrack.cli.app import build_app
from salestrack.config import Settings

runner = CliRunner()


@pytest.mark.parametrize(("flag", "enabled"), [([], True), (["--no-scheduler"], False)])
def test_serve_runs_the_app_factory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: list[str], enabled: bool
) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert runner.invoke(build_app(), ["init", "--db", db]).exit_code == 0
    monkeypatch.setenv("SALESTRACK_DATABASE_URL", "unset")  # restored after the test
    monkeypatch.setenv("SALESTRACK_SCHEDULER_ENABLED", "unset")
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    result = runner.invoke(build_app(), ["serve", "--db", db, "--port", "8765", *flag])
    assert result.exit_code == 0, result.output
    [(target, options)] = calls
    assert target == "salestrack.api.app:app_from_env" and options["factory"] is True
    assert options["port"] == 8765
    settings = Settings()
    assert settings.database_url == db
    assert settings.scheduler_enabled is enabled
