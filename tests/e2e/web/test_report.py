"""``salestrack report``: a self-contained weekly manager report, in the manager's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from salestrack.cli.app import build_app
from tests.e2e.web.conftest import Site


def test_the_weekly_report_is_one_file_with_inlined_charts(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESTRACK_ANALYTICS_PATH", str(tmp_path / "report.duckdb"))
    out = tmp_path / "week.html"
    args = [
        "report",
        "--db",
        site.database_url,
        "--team",
        "Americas",
        "--week",
        "2025-W10",
        "--out",
        str(out),
        "--locale",
        "vi",
    ]
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Tổng quan nhóm: Americas" in html
    assert html.count("data:image/png;base64,") >= 8
    assert "http://" not in html and "https://" not in html  # nothing fetched when opened


def test_a_bad_week_is_refused_with_the_reason(site: Site, tmp_path: Path) -> None:
    args = [
        "report",
        "--db",
        site.database_url,
        "--team",
        "Americas",
        "--week",
        "2025-14",
        "--out",
        str(tmp_path / "x.html"),
    ]
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 2
    assert "not an ISO week" in result.output
