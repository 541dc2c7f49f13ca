"""One app: the API, the web pages and the scheduler behind ``create_app``."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from salestrack.analytics.refresh import WarehouseSync
from salestrack.api import app as app_module
from salestrack.api.app import create_app
from salestrack.config import Settings
from salestrack.services.setup import init_store
from salestrack.store.engine import make_engine


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    init_store(make_engine(url))
    return Settings(database_url=url, webhooks_enabled=False)


def test_pages_and_api_share_one_app(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")
        assert "<form" in client.get("/login").text
        assert client.get("/static/nonexistent.css").status_code == 404
        missing_api = client.get("/api/v1/nothing-here")
        assert missing_api.headers["content-type"] == "application/problem+json"
        missing_page = client.get("/nothing-here")
        assert missing_page.headers["content-type"].startswith("text/html")
        assert client.get("/api/v1/accounts").status_code == 401


def test_scheduler_runs_only_when_enabled(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    synced: list[WarehouseSync | None] = []

    class FakeScheduler:
        def shutdown(self, wait: bool = True) -> None:
            started.append("stopped")

    def fake_start(*_: object, warehouse: WarehouseSync | None = None) -> FakeScheduler:
        started.append("started")
        synced.append(warehouse)
        return FakeScheduler()

    monkeypatch.setattr(app_module, "start_scheduler", fake_start)
    with TestClient(create_app(settings)):
        pass
    assert started == []
    enabled = settings.model_copy(update={"scheduler_enabled": True})
    app = create_app(enabled)
    with TestClient(app):
        assert started == ["started"]
    assert started == ["started", "stopped"]
    # The timer syncs the warehouse the pages read, through their lock.
    assert synced == [app.state.web.reader.syncs]
    api_only = create_app(enabled, pages=False)
    with TestClient(api_only):
        pass
    beside = synced[-1]  # no pages: the warehouse the API's metrics read, beside the store
    assert beside is api_only.state.salestrack.reader.syncs
    assert beside.warehouse.path == enabled.configured_warehouse()


def test_one_sign_in_for_pages_and_api(settings: Settings) -> None:
    from salestrack.api.context import SESSION_COOKIE
    from salestrack.domain.actor import SYSTEM
    from salestrack.services.users import create_user
    from salestrack.store.uow import UnitOfWork
    from salestrack.web.session import COOKIE

    assert COOKIE == SESSION_COOKIE
    engine = make_engine(settings.database_url)
    create_user(
        UnitOfWork(engine),
        SYSTEM,
        email="ann@example.com",
        name="Ann",
        role="admin",
        password="a-long-password",
    )
    with TestClient(create_app(settings, engine)) as client:
        page = client.post("/login", data={"email": "ann@example.com", "password": "nope"})
        assert page.status_code == 401
        assert client.get("/api/v1/auth/me").status_code == 401
        page = client.post(
            "/login", data={"email": "ann@example.com", "password": "a-long-password"}
        )
        assert page.status_code == 200 and "/login" not in str(page.url)
        me = client.get("/api/v1/auth/me")
        assert me.status_code == 200, me.text
        csrf = me.json()["csrf_token"]
        assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
        out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert out.status_code == 303
        assert client.get("/api/v1/auth/me").status_code == 401
        assert client.get("/", follow_redirects=False).status_code == 303
