"""Sign-in, sessions, CSRF, tokens and hostile input (SQLite: the rules live above the store)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from salestrack.api.app import create_app
from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import FixedClock
from salestrack.services import users
from salestrack.store.uow import UnitOfWork
from tests.integration.api.conftest import Org, api_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

API = "/api/v1"
PASSWORD = "correct horse battery"
EMAIL = "pia@example.com"


@pytest.fixture
def browser(engine: Engine, clock: FixedClock, uow: UnitOfWork) -> Iterator[TestClient]:
    """A client against an app with tight sign-in limits, and a user who has a password."""
    users.create_user(uow, SYSTEM, email=EMAIL, name="Pia", role="rep", password=PASSWORD)
    settings = api_settings(login_max_failures_per_account=2, login_max_failures_per_address=3)
    with TestClient(create_app(settings, engine, clock=clock)) as client:
        yield client


def _login(client: TestClient, email: str = EMAIL, password: str = PASSWORD) -> str:
    response = client.post(f"{API}/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def test_login_sets_a_hardened_cookie_and_rotates_it(browser: TestClient) -> None:
    planted = {"Cookie": "salestrack_session=attacker-chosen-session-id"}
    assert browser.get(f"{API}/auth/me", headers=planted).status_code == 401  # never a session
    response = browser.post(
        f"{API}/auth/login", json={"email": EMAIL, "password": PASSWORD}, headers=planted
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    first = response.cookies["salestrack_session"]
    assert first != "attacker-chosen-session-id"
    _login(browser)
    assert browser.cookies["salestrack_session"] != first
    # The session a browser held before signing in again is over.
    assert (
        TestClient(browser.app, cookies={"salestrack_session": first})
        .get(f"{API}/auth/me")
        .status_code
        == 401
    )


def test_secure_cookie_when_configured(engine: Engine, clock: FixedClock, uow: UnitOfWork) -> None:
    users.create_user(uow, SYSTEM, email=EMAIL, name="Pia", role="rep", password=PASSWORD)
    with TestClient(create_app(api_settings(cookie_secure=True), engine, clock=clock)) as client:
        response = client.post(f"{API}/auth/login", json={"email": EMAIL, "password": PASSWORD})
        assert "Secure" in response.headers["set-cookie"]


def test_session_writes_need_the_csrf_token(browser: TestClient) -> None:
    csrf = _login(browser)
    body = {"name": "Acme"}
    assert browser.post(f"{API}/accounts", json=body).status_code == 403
    wrong = browser.post(f"{API}/accounts", json=body, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    ok = browser.post(f"{API}/accounts", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201
    # A cross-site form post carries the cookie but cannot know the token.
    form = browser.post(f"{API}/auth/logout", data={"anything": "1"})
    assert form.status_code == 403
    assert browser.get(f"{API}/auth/me").status_code == 200
    logout = browser.post(f"{API}/auth/logout", data={"csrf_token": csrf})
    assert logout.status_code == 204
    assert browser.get(f"{API}/auth/me").status_code == 401


def test_failed_logins_are_limited_per_account_and_per_address(browser: TestClient) -> None:
    for _ in range(2):
        bad = browser.post(f"{API}/auth/login", json={"email": EMAIL, "password": "wrong-wrong"})
        assert bad.status_code == 401 and "password" in bad.json()["detail"]
    # Even the right password is refused while the account is locked.
    locked = browser.post(f"{API}/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    # One more failure on another account exhausts this address.
    browser.post(f"{API}/auth/login", json={"email": "nobody@example.com", "password": "x" * 10})
    other = browser.post(f"{API}/auth/login", json={"email": "x@example.com", "password": "y"})
    assert other.status_code == 429 and "address" in other.json()["detail"]


def test_tokens_are_shown_once_scoped_and_revocable(client: TestClient, org: Org) -> None:
    issued = client.post(
        f"{API}/auth/tokens", json={"name": "ci", "scope": "read"}, headers=org.north_rep.headers
    )
    assert issued.status_code == 201
    secret, token_id = issued.json()["secret"], issued.json()["token"]["id"]
    mine = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{API}/auth/me", headers=mine).json()["scope"] == "read"
    assert client.post(f"{API}/accounts", json={"name": "x"}, headers=mine).status_code == 403
    listed = client.get(f"{API}/auth/tokens", headers=org.north_rep.headers).text
    assert secret not in listed and "token_hash" not in listed
    assert '"last_used_at":"2026-03-02T09:00:00' in listed
    other = client.delete(f"{API}/auth/tokens/{token_id}", headers=org.north_rep2.headers)
    assert other.status_code == 404
    revoked = client.delete(f"{API}/auth/tokens/{token_id}", headers=org.north_rep.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert client.get(f"{API}/auth/me", headers=mine).status_code == 401


def test_token_replay_never_returns_the_secret_again(client: TestClient, org: Org) -> None:
    headers = {**org.north_rep.headers, "Idempotency-Key": "tok-1"}
    body = {"name": "ci", "scope": "write"}
    first = client.post(f"{API}/auth/tokens", json=body, headers=headers)
    again = client.post(f"{API}/auth/tokens", json=body, headers=headers)
    assert first.json()["secret"].startswith("st_")
    assert again.json()["secret"] is None and again.json()["token"] == first.json()["token"]


def test_hashes_are_never_returned(client: TestClient, org: Org) -> None:
    created = client.post(
        f"{API}/users",
        json={"email": "h@example.com", "name": "H", "role": "rep", "password": PASSWORD},
        headers=org.admin.headers,
    )
    assert created.status_code == 201
    texts = [
        created.text,
        client.get(f"{API}/users", headers=org.admin.headers).text,
        client.get(f"{API}/audit", params={"entity": "users"}, headers=org.admin.headers).text,
        client.get(f"{API}/audit", params={"entity": "api_tokens"}, headers=org.admin.headers).text,
    ]
    for text in texts:
        assert "argon2" not in text and "password_hash" not in text.replace(
            '"password_hash":"***"', ""
        )
        assert org.north_rep.token not in text


INJECTIONS = [
    "'; DROP TABLE accounts; --",
    "Robert'); DELETE FROM users WHERE ('1'='1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}} ${7*7}",
]


def test_injection_strings_are_stored_inert(client: TestClient, org: Org) -> None:
    headers = org.north_rep.headers
    for text in INJECTIONS:
        account = client.post(
            f"{API}/accounts",
            json={"name": text, "industry": text, "address": text},
            headers=headers,
        )
        assert account.status_code == 201, account.text
        activity = client.post(
            f"{API}/activities",
            json={
                "type": "note",
                "outcome": "logged",
                "subject": text,
                "notes": text,
                "account_id": account.json()["id"],
            },
            headers=headers,
        )
        assert activity.json()["subject"] == text and activity.json()["notes"] == text
        assert account.headers["content-type"] == "application/json"
        found = client.get(f"{API}/accounts", params={"region": text}, headers=headers)
        assert found.status_code == 200 and found.json()["items"] == []
    names = [a["name"] for a in client.get(f"{API}/accounts", headers=headers).json()["items"]]
    assert names == INJECTIONS
    assert len(client.get(f"{API}/users", headers=org.admin.headers).json()["items"]) == 6
