"""Schemathesis walks the OpenAPI schema with an admin token: no 5xx, responses match it."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from sqlalchemy import Engine

from salestrack.api.app import create_app
from salestrack.config import Settings
from salestrack.domain.actor import SYSTEM
from salestrack.services import tokens, users
from salestrack.store.uow import UnitOfWork


@pytest.fixture
def admin_headers(engine: Engine) -> dict[str, str]:
    uow = UnitOfWork(engine)
    admin = users.create_user(uow, SYSTEM, email="admin@example.com", name="A", role="admin")
    token = tokens.create_token(uow, SYSTEM, name="schemathesis", scope="write", user_id=admin.id)
    return {"Authorization": f"Bearer {token.plaintext}"}


MAX_EXAMPLES = 12
# What the issue asks: no server error, and status, content type, headers and body as documented.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
PASSED_ON = ("method", "url", "params", "headers", "json", "content", "files")


def _httpx_kwargs(case: schemathesis.Case, headers: dict[str, str]) -> dict[str, Any]:
    """Send the case through the app's TestClient (httpx) rather than schemathesis' requests
    transport, which breaks when urllib3-future replaces urllib3 in the environment."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    cookies = kwargs.pop("cookies", None) or {}
    if cookies:
        kwargs["headers"] = {
            **kwargs.get("headers", {}),
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        }
    data = kwargs.pop("data", None)
    if data is not None:
        kwargs["content" if isinstance(data, bytes | str) else "data"] = data
    return {k: v for k, v in kwargs.items() if k in PASSED_ON or k == "data"}


@pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)], indirect=True
)
def test_api_conforms_to_its_schema(engine: Engine, admin_headers: dict[str, str]) -> None:
    """Every operation, a bounded number of generated requests each (pytest-9-safe loop)."""
    app = create_app(Settings(webhooks_enabled=False), engine)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    client = TestClient(app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            response = client.request(**_httpx_kwargs(case, admin_headers))
            case.validate_response(response, checks=CHECKS, headers=admin_headers)

        try:
            check()
        except Exception as exc:
            raise AssertionError(f"{operation.label}: {exc}") from exc
