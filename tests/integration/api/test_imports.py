"""Imports through the API: upload, follow the status, read the rejects; on both stores.

Expected counts come from running the same files through ``run_preset_or_mapping`` (what
``salestrack import`` runs and prints) on a fresh store of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from salestrack.capture.presets import run_preset_or_mapping
from salestrack.domain.actor import SYSTEM
from salestrack.services.setup import init_store
from salestrack.store.engine import make_engine
from salestrack.store.models import Activity, ImportJob
from salestrack.store.uow import UnitOfWork
from tests.capture_helpers import HEADER
from tests.conftest import SHARED_DATA
from tests.integration.api.conftest import Org
from tests.integration.api.uploads import API, activities_csv, finished, mapping_toml, upload

SF = SHARED_DATA / "salesforce-sample"
SF_FILES = ("Accounts.csv", "Contacts.csv", "Opportunities.csv")


def _activities(engine: Engine) -> int:
    uow = UnitOfWork(engine)
    with uow(SYSTEM):
        return int(uow.session.scalar(select(func.count()).select_from(Activity)) or 0)


def test_a_preset_upload_reports_what_the_cli_import_reports(
    client: TestClient, org: Org, tmp_path: Path
) -> None:
    files = [(name, (SF / name).read_bytes()) for name in SF_FILES]
    answer = upload(client, org.north_manager, files, preset="salesforce")
    assert answer.status_code == 202, answer.text
    assert answer.headers["location"] == f"{API}/{answer.json()['id']}"
    assert answer.json()["status"] in ("pending", "running", "done")
    got = finished(client, org.north_manager, answer.json()["id"])

    fresh = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    init_store(fresh)
    cli = run_preset_or_mapping(UnitOfWork(fresh), SYSTEM, "salesforce", [SF / n for n in SF_FILES])
    fresh.dispose()
    assert got["status"] == "done" and got["committed"] and got["error"] is None
    counts = {k: got[k] for k in ("read", "created", "updated", "unchanged", "rejected")}
    assert counts == {
        "read": cli.read,
        "created": cli.created,
        "updated": cli.updated,
        "unchanged": cli.unchanged,
        "rejected": cli.rejected,
    }
    assert got["reasons"] == dict(cli.reasons)
    assert got["files"] == list(SF_FILES) and got["preset"] == "salesforce"
    assert got["started_at"] and got["finished_at"] and got["user_id"] == org.north_manager.id
    rejects = client.get(f"{API}/{got['id']}/rejects", headers=org.north_manager.headers).json()
    assert [(r["line"], r["field"]) for r in rejects["items"]] == [
        (line, field) for line, field, _ in cli.rejects
    ]


def test_rejects_name_the_bad_line_as_json_and_csv(
    client: TestClient, org: Org, engine: Engine
) -> None:
    rep = org.north_rep.user.email
    data = [("activities.csv", activities_csv(rep))]
    answer = upload(client, org.north_manager, data, mapping=mapping_toml())
    assert answer.status_code == 202, answer.text
    got = finished(client, org.north_manager, answer.json()["id"])
    assert (got["read"], got["created"], got["rejected"]) == (2, 1, 1)
    assert got["mapping"] == "activities.toml" and got["preset"] is None
    url = f"{API}/{got['id']}/rejects"
    items = client.get(url, headers=org.north_manager.headers).json()["items"]
    assert len(items) == 1
    assert (items[0]["line"], items[0]["field"]) == (3, "type")
    assert items[0]["row"]["Activity ID"] == "W2" and items[0]["row"]["Type"] == "Fax"
    csv_answer = client.get(url, params={"format": "csv"}, headers=org.north_manager.headers)
    assert csv_answer.headers["content-type"].startswith("text/csv")
    header, row = csv_answer.text.strip().splitlines()
    assert header == "line,field,reason," + HEADER.strip()
    assert row.startswith("3,type,") and ",W2,Fax,Sent," in row
    assert _activities(engine) == 1


def test_a_dry_run_writes_nothing(client: TestClient, org: Org, engine: Engine) -> None:
    data = [("activities.csv", activities_csv(org.north_rep.user.email))]
    answer = upload(client, org.admin, data, mapping=mapping_toml(), dry_run=True)
    got = finished(client, org.admin, answer.json()["id"])
    assert got["status"] == "done" and got["dry_run"] and not got["committed"]
    assert (got["created"], got["rejected"]) == (1, 1)
    assert _activities(engine) == 0


def test_all_or_nothing_writes_nothing_when_a_row_is_bad(
    client: TestClient, org: Org, engine: Engine
) -> None:
    data = [("activities.csv", activities_csv(org.north_rep.user.email))]
    answer = upload(client, org.admin, data, mapping=mapping_toml(), all_or_nothing=True)
    got = finished(client, org.admin, answer.json()["id"])
    assert (got["status"], got["committed"], got["rejected"]) == ("done", False, 1)
    assert _activities(engine) == 0


def test_a_rep_may_not_import(client: TestClient, org: Org, engine: Engine) -> None:
    data = [("activities.csv", activities_csv(org.north_rep.user.email))]
    answer = upload(client, org.north_rep, data, mapping=mapping_toml())
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    uow = UnitOfWork(engine)
    with uow(SYSTEM):
        assert uow.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_an_import_and_its_rejects_are_seen_in_scope_only(client: TestClient, org: Org) -> None:
    data = [("activities.csv", activities_csv(org.north_rep.user.email))]
    made = upload(client, org.north_manager, data, mapping=mapping_toml()).json()
    finished(client, org.north_manager, made["id"])
    for who, status in (
        (org.north_manager, 200),
        (org.admin, 200),
        (org.south_manager, 404),
        (org.north_rep, 404),
        (org.south_rep, 404),
    ):
        for suffix in ("", "/rejects", "/rejects?format=csv"):
            got = client.get(f"{API}/{made['id']}{suffix}", headers=who.headers)
            assert got.status_code == status, (who.user.email, suffix, got.text)
            if status == 404:
                assert "W2" not in got.text
        listed = client.get(API, headers=who.headers).json()["items"]
        assert [i["id"] for i in listed] == ([made["id"]] if status == 200 else [])


def test_the_same_idempotency_key_never_imports_twice(client: TestClient, org: Org) -> None:
    data = [("activities.csv", activities_csv(org.north_rep.user.email))]
    key = {"Idempotency-Key": "upload-1"}
    first = upload(client, org.north_manager, data, key, mapping=mapping_toml())
    again = upload(client, org.north_manager, data, key, mapping=mapping_toml())
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    other = [("activities.csv", activities_csv(org.north_rep2.user.email))]
    changed = upload(client, org.north_manager, other, key, mapping=mapping_toml())
    assert changed.status_code == 422  # the same key for another upload
    finished(client, org.north_manager, first.json()["id"])
    listed = client.get(API, headers=org.north_manager.headers).json()["items"]
    assert len(listed) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # input checks above the store
def test_bad_choices_are_refused_naming_the_field(client: TestClient, org: Org) -> None:
    data = [("activities.csv", activities_csv("x@example.com"))]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"preset": "nope"}, "preset"),
        ({}, "preset"),
        ({"preset": "salesforce", "mapping": mapping_toml()}, "preset"),
        ({"mapping": b"entity = 'activities'\nkey = ["}, "mapping"),
        ({"mapping": b"entity = 'meteors'\nkey = ['id']\n"}, "mapping"),
        ({"mapping": b"\xff\xfe"}, "mapping"),
    ]
    for form, field in cases:
        answer = upload(client, org.admin, data, **form)
        assert answer.status_code == 422, (form, answer.text)
        assert answer.json()["field"] == field, answer.text
        assert "salestrack-import-" not in answer.text  # never the server's folder
    nothing = client.post(API, data={"preset": "salesforce"}, headers=org.admin.headers)
    assert nothing.status_code == 422 and nothing.json()["field"] == "file"
    assert client.get(API, headers=org.admin.headers).json()["items"] == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the runner, not the store
def test_an_import_that_cannot_run_is_failed_with_its_reason(client: TestClient, org: Org) -> None:
    answer = upload(client, org.admin, [("notes.csv", b"a,b\n1,2\n")], preset="salesforce")
    got = finished(client, org.admin, answer.json()["id"])
    assert got["status"] == "failed" and got["finished_at"]
    assert got["error"].startswith("notes.csv") and "salestrack-import-" not in got["error"]
