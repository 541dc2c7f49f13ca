"""A manager imports a file from the browser: preview, run, and see why a row was rejected."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.capture_helpers import HEADER, activity_mapping_toml
from tests.e2e.web.conftest import Browse, Site


def _mapping(path: Path) -> Path:
    path.write_text(activity_mapping_toml(source="web-x"))
    return path


def test_import_with_a_bad_row_shows_its_reason(browse: Browse, site: Site, tmp_path: Path) -> None:
    rep = site.seeded.rep
    data = tmp_path / "activities.csv"
    data.write_text(
        HEADER
        + f"W1,Phone call,Talked,02/03/2026 09:30,{rep},Intro,\n"
        + f"W2,Fax,Sent,02/03/2026 10:00,{rep},x,\n"
    )
    mapping = _mapping(tmp_path / "activities.toml")
    manager = browse.page(site.seeded.manager)
    manager.goto("/imports")
    manager.get_by_label("File").set_input_files(str(data))
    manager.get_by_label("Mapping (.toml)").set_input_files(str(mapping))
    manager.get_by_role("button", name="Preview").click()
    report = manager.locator("#import-report")
    expect(report).to_contain_text("Preview: nothing was written")
    expect(manager.locator("#import-rejects")).to_contain_text("type")
    expect(manager.locator("#import-preview")).to_be_visible()

    manager.get_by_label("File").set_input_files(str(data))
    manager.get_by_label("Mapping (.toml)").set_input_files(str(mapping))
    manager.get_by_role("button", name="Import", exact=True).click()
    expect(report).to_contain_text("Imported")
    rejects = manager.locator("#import-rejects")
    expect(rejects).to_contain_text("3")  # the bad row's line in the file
    expect(rejects).to_contain_text("type")
    with manager.expect_download() as download:
        manager.get_by_role("link", name="Download the rejected rows").click()
    saved = Path(download.value.path())
    assert "W2" in saved.read_text()
