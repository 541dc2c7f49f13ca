"""``salestrack demo`` without ``--no-serve`` serves the dashboard with working demo sign-ins."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from salestrack.cli import demo as demo_module
from salestrack.cli.app import build_app

runner = CliRunner()


def test_demo_serves_the_dashboard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    served: dict[str, Any] = {}

    def fake_run(app: FastAPI, **options: Any) -> None:
        served["app"], served["options"] = app, options

    monkeypatch.setattr(demo_module.uvicorn, "run", fake_run)
    result = runner.invoke(build_app(), ["demo", "--reps", "6", "--months", "4", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert served["options"]["host"] == "127.0.0.1"
    assert served["options"]["port"] == 8123
    assert "http://127.0.0.1:8123/" in result.output
    logins = re.findall(r"(manager|rep)\s+(\S+@\S+)\s+password: (\S+)", result.output)
    assert [role for role, _, _ in logins] == ["manager", "rep"]

    with TestClient(served["app"]) as client:
        for _, email, password in logins:
            client.cookies.clear()
            page = client.post("/login", data={"email": email, "password": password})
            assert page.status_code == 200
            assert "/login" not in str(page.url)
            api = client.post("/api/v1/auth/login", json={"email": email, "password": password})
            assert api.status_code == 200, api.text
        wrong = client.post("/login", data={"email": logins[0][1], "password": "nope"})
        assert "/login" in str(wrong.url) or wrong.status_code >= 400
