"""Uploading an import through the API and waiting for it, for the import and access tests."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.capture_helpers import HEADER, activity_mapping_toml
from tests.integration.api.conftest import Member

API = "/api/v1/imports"


def mapping_toml() -> bytes:
    return activity_mapping_toml(source="api-x").encode()


def activities_csv(owner: str, subject: str = "x") -> bytes:
    """Two rows: line 2 is good, line 3 has a type the mapping does not know."""
    return (
        HEADER
        + f"W1,Phone call,Talked,02/03/2026 09:30,{owner},Intro,\n"
        + f"W2,Fax,Sent,02/03/2026 10:00,{owner},{subject},\n"
    ).encode()


def upload(
    client: TestClient,
    member: Member,
    files: list[tuple[str, bytes]],
    headers: dict[str, str] | None = None,
    **form: Any,
) -> Any:
    parts: list[tuple[str, tuple[str, bytes]]] = [("file", f) for f in files]
    if "mapping" in form:
        parts.append(("mapping", ("activities.toml", form.pop("mapping"))))
    data = {k: str(v).lower() if isinstance(v, bool) else v for k, v in form.items()}
    return client.post(API, files=parts, data=data, headers={**member.headers, **(headers or {})})


def finished(client: TestClient, member: Member, import_id: int) -> dict[str, Any]:
    """Poll the import until it is done or failed."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"{API}/{import_id}", headers=member.headers).json()
        if body["status"] in ("done", "failed"):
            return body
        assert body["status"] in ("pending", "running")
        time.sleep(0.05)
    raise AssertionError(f"import {import_id} did not finish")
