"""The access matrix: every route, for every role and ownership case.

South's records are seeded; North's people and anonymous callers then walk every route of the
app. Expected: 401 without credentials, 403 for read-only tokens on writes and for rank a role
lacks, 404 (never 403) for records of another team, and no list or error body that mentions
South's data.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from salestrack.analytics.metrics import REGISTRY, Metric
from salestrack.api.schemas.insights import SECTIONS
from tests.integration.api.conftest import Member, Org
from tests.integration.api.uploads import activities_csv, finished, mapping_toml, upload

API = "/api/v1"
SECRET = "SOUTH-SECRET"
AT = "2026-03-02T10:00:00+00:00"
STEPS = [{"day": 0, "type": "email"}]


def _seed_south(client: TestClient, org: Org) -> dict[str, int]:
    """One record of each kind owned by South; returns the id per resource path."""
    rep, mgr = org.south_rep.headers, org.south_manager.headers

    def post(path: str, body: dict[str, Any], headers: dict[str, str]) -> int:
        response = client.post(f"{API}/{path}", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    account = post("accounts", {"name": f"{SECRET} Co"}, rep)
    cadence = {"name": "South cadence", "steps": STEPS}
    experiment = {"name": "South test", "cadence": "South cadence", "variants": {"a": {}, "b": {}}}
    ids = {
        "accounts": account,
        "contacts": post("contacts", {"name": SECRET, "account_id": account}, rep),
        "leads": post("leads", {"name": SECRET}, rep),
        "deals": post("deals", {"name": SECRET, "amount": "5", "account_id": account}, rep),
        "activities": post(
            "activities",
            {
                "type": "call",
                "status": "planned",
                "due_at": AT,
                "subject": SECRET,
                "account_id": account,
            },
            rep,
        ),
        "orders": post("orders", {"account_id": account, "amount": "7", "ordered_at": AT}, rep),
        "satisfaction-responses": post(
            "satisfaction-responses",
            {
                "kind": "nps",
                "score": 9,
                "responded_at": AT,
                "account_id": account,
                "comment": SECRET,
            },
            rep,
        ),
        "goals": post(
            "goals",
            {
                "metric": SECRET,
                "period": "week",
                "period_start": AT,
                "target": "3",
                "user_id": org.south_rep.id,
            },
            mgr,
        ),
        "automation-rules": post(
            "automation-rules",
            {"name": SECRET, "kind": "follow_up", "on_type": "demo", "plan_type": "call"},
            mgr,
        ),
        "cadences": post("cadences", cadence, mgr),
        "experiments": post("experiments", experiment, mgr),
        "enrollments": post(
            "enrollments",
            {"cadence": "South cadence", "lead_id": post("leads", {"name": SECRET}, rep)},
            rep,
        ),
        "customer-events": post(
            "customer-events", {"account_id": account, "kind": "award", "title": SECRET}, rep
        ),
        "users": org.south_rep.id,
        "teams": int(org.south_rep.user.team_id or 0),
        "auth/tokens": 0,
    }
    tokens = client.get(f"{API}/auth/tokens", headers=rep).json()["items"]
    ids["auth/tokens"] = tokens[0]["id"]
    # An import whose rejected row (with its original text) must stay South's.
    data = [("activities.csv", activities_csv("sue@south.example", subject=SECRET))]
    made = upload(client, org.south_manager, data, mapping=mapping_toml())
    assert made.status_code == 202, made.text
    assert finished(client, org.south_manager, made.json()["id"])["rejected"] == 1
    ids["imports"] = made.json()["id"]
    return ids


# Reference data every user sees (and only admins, or for the last two managers, change).
SHARED = ("activity-types", "cadences", "experiments")

# Not team data at all: only admins reach these routes.
ADMIN_ONLY = ("webhooks",)

# Resources whose changes need a rank (admin, manager) regardless of the record.
RANKED = ("users", "teams", "goals", "automation-rules")

# A valid body per route, so that only access, not input, decides the answer.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "users"): {"name": "x"},
    ("PATCH", "teams"): {"name": "x"},
    ("PATCH", "accounts"): {"tier": "A"},
    ("PATCH", "contacts"): {"title": "x"},
    ("PATCH", "leads"): {"status": "working"},
    ("PATCH", "deals"): {"amount": "1"},
    ("PATCH", "activities"): {"subject": "x"},
    ("PATCH", "goals"): {"target": "9"},
    ("PATCH", "webhooks"): {"description": "x"},
    ("PATCH", "automation-rules"): {"delay_days": 1},
    ("POST", "activities/complete"): {"outcome": "connected"},
    ("POST", "activities/cancel"): {},
    ("POST", "activities/reschedule"): {"due_at": AT},
    ("POST", "deals/move"): {"stage": "Proposal"},
    ("POST", "enrollments/pause"): {},
    ("POST", "enrollments/resume"): {},
    ("POST", "experiments/stop"): {},
}


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, read from its OpenAPI schema."""
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]


def _item_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of the app that addresses one record by id."""
    return [(method, path) for method, path in _routes(app) if "{row_id}" in path]


def _resource(path: str) -> tuple[str, str]:
    """("deals", "move") for /api/v1/deals/{row_id}/move."""
    match = re.fullmatch(rf"{API}/(.+)/\{{row_id\}}(?:/(\w+))?", path)
    assert match, path
    return match.group(1), match.group(2) or ""


def _call(client: TestClient, method: str, path: str, row_id: int, headers: dict[str, str]) -> Any:
    resource, verb = _resource(path)
    body = BODIES.get((method, f"{resource}/{verb}" if verb else resource))
    url = path.replace("{row_id}", str(row_id))
    return client.request(method, url, json=body if method != "GET" else None, headers=headers)


@pytest.mark.parametrize("role", ["north_rep", "north_manager"])
def test_other_teams_records_are_invisible_on_every_route(
    app: FastAPI, client: TestClient, org: Org, role: str
) -> None:
    ids = _seed_south(client, org)
    member: Member = getattr(org, role)
    checked = 0
    for method, path in _item_routes(app):
        resource, _ = _resource(path)
        if resource in SHARED:
            continue
        response = _call(client, method, path, ids.get(resource, 1), member.headers)
        expected = {403} if resource in ADMIN_ONLY else {404}
        if resource in RANKED and method == "PATCH":
            expected = {403, 404}  # a rank check may come first; either answer reveals nothing
        assert response.status_code in expected, (method, path, response.text)
        assert SECRET not in response.text and "sue@south" not in response.text
        checked += 1
    assert checked >= 20
    for method_path in _list_paths(app):
        listed = client.get(method_path, params={"limit": 500}, headers=member.headers)
        assert listed.status_code in (200, 403), (method_path, listed.text)
        assert SECRET not in listed.text and "sue@south" not in listed.text, method_path
    _analytics_show_only_own_team(client, org, member)


def _analytics_show_only_own_team(client: TestClient, org: Org, member: Member) -> None:
    """Metrics by rep and team, and every insight section, count North only."""
    north = {org.north_manager.id, org.north_rep.id, org.north_rep2.id}
    south_team = org.south_rep.user.team_id
    headers = member.headers
    for metric in _one_metric_per_fact():
        got = client.get(f"{API}/metrics/{metric.name}", params={"by": "rep"}, headers=headers)
        assert got.status_code == 200, (metric.name, got.text)
        reps = {row["rep"] for row in got.json()["rows"]}
        assert reps <= north, (metric.name, reps)
    by_team = client.get(f"{API}/metrics/activities", params={"by": "team"}, headers=headers)
    assert south_team not in {row["team"] for row in by_team.json()["rows"]}
    for section in ("", *(f"/{name}" for name in SECTIONS)):
        got = client.get(f"{API}/insights{section}", headers=headers)
        assert got.status_code == 200, (section, got.text)
        assert SECRET not in got.text and "sue@south" not in got.text, section
        assert _rep_ids(got.json()) <= north, section


def _one_metric_per_fact() -> list[Metric]:
    """Scope is applied where a metric reads its fact (ratios and derived ones only combine
    them), so one metric per fact, plus those computed their own way, covers every path."""
    chosen: dict[str, Metric] = {}
    for metric in REGISTRY:
        key = metric.fact.name if metric.fact else (metric.name if metric.runner else "")
        if key:
            chosen.setdefault(key, metric)
    return list(chosen.values())


def _rep_ids(value: Any) -> set[int]:
    """Every rep id an insights answer mentions: ``rep_id`` fields and per-rep keys."""
    found: set[int] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "rep_id":
                found.add(int(item))
            elif key in ("by_rep", "rep_effects"):
                found |= {int(k) for k in item}
            else:
                found |= _rep_ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= _rep_ids(item)
    return found


def test_reference_data_is_read_by_everyone_and_changed_by_rank(
    app: FastAPI, client: TestClient, org: Org
) -> None:
    """Shared routes, walked as another team's rep: every read answers, every change is 403."""
    ids = _seed_south(client, org)
    walked = set()
    for method, path in _item_routes(app):
        resource, verb = _resource(path)
        if resource not in SHARED:
            continue
        response = _call(client, method, path, ids.get(resource, 1), org.north_rep.headers)
        assert response.status_code == (200 if method == "GET" else 403), (method, path)
        walked.add(f"{method} {resource}/{verb}")
    assert walked >= {"GET experiments/results", "POST experiments/stop", "GET cadences/"}


def _list_paths(app: FastAPI) -> list[str]:
    return [
        path
        for method, path in _routes(app)
        if method == "GET" and "{" not in path and not path.endswith("/me")
    ]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # rules above the store
def test_every_route_needs_credentials(app: FastAPI, client: TestClient, org: Org) -> None:
    for method, path in _routes(app):
        if path.endswith("/auth/login"):
            continue
        url = path.replace("{row_id}", "1")
        for headers in ({}, {"Authorization": "Bearer st_not-a-token"}):
            response = client.request(method, url, json={}, headers=headers)
            assert response.status_code == 401, (method, url)
            assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # rules above the store
def test_read_only_token_cannot_write_anywhere(app: FastAPI, client: TestClient, org: Org) -> None:
    own = client.post(f"{API}/accounts", json={"name": "Mine"}, headers=org.north_rep.headers)
    account_id = own.json()["id"]
    assert (
        client.get(f"{API}/accounts/{account_id}", headers=org.read_only.headers).status_code == 200
    )
    for method, path in _routes(app):
        # Signing in and the signed hooks take no token at all.
        if method == "GET" or path.endswith("/auth/login") or "/hooks/" in path:
            continue
        url = path.replace("{row_id}", str(account_id))
        response = client.request(method, url, json={}, headers=org.read_only.headers)
        assert response.status_code == 403, (method, url, response.text)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # rules above the store
def test_teammates_see_but_cannot_change_each_others_records(client: TestClient, org: Org) -> None:
    mine = client.post(f"{API}/accounts", json={"name": "Nora's"}, headers=org.north_rep.headers)
    url = f"{API}/accounts/{mine.json()['id']}"
    # A rep sees their own records only; the manager sees and changes the team's.
    assert client.get(url, headers=org.north_rep2.headers).status_code == 404
    assert client.get(url, headers=org.north_manager.headers).status_code == 200
    changed = client.patch(url, json={"tier": "B"}, headers=org.north_manager.headers)
    assert changed.status_code == 200
    assert client.get(url, headers=org.south_manager.headers).status_code == 404
    assert client.get(url, headers=org.admin.headers).status_code == 200


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # rules above the store
def test_rank_is_enforced_with_403(client: TestClient, org: Org) -> None:
    rep = org.north_rep.headers
    cases = [
        ("users", {"email": "x@example.com", "name": "X", "role": "admin"}),
        ("teams", {"name": "Rogue"}),
        (
            "activity-types",
            {"key": "rogue", "label": "R", "category": "selling", "outcomes": ["x"]},
        ),
        (
            "goals",
            {
                "metric": "calls",
                "period": "week",
                "period_start": AT,
                "target": "5",
                "user_id": org.north_rep.id,
            },
        ),
        ("accounts", {"name": "Given away", "owner_id": org.north_rep2.id}),
        (
            "automation-rules",
            {"name": "Mine", "kind": "follow_up", "on_type": "call", "plan_type": "email"},
        ),
        ("cadences", {"name": "Mine", "steps": STEPS}),
        ("experiments", {"name": "Mine", "cadence": "Any", "variants": {"a": {}, "b": {}}}),
    ]
    for path, body in cases:
        response = client.post(f"{API}/{path}", json=body, headers=rep)
        assert response.status_code == 403, (path, response.text)
    own = [("activities.csv", activities_csv(org.north_rep.user.email))]
    imported = upload(client, org.north_rep, own, mapping=mapping_toml())
    assert imported.status_code == 403, imported.text  # importing is for managers and admins
    assert client.get(f"{API}/audit", headers=rep).status_code == 403
    # A rep cannot promote themselves.
    promote = client.patch(f"{API}/users/{org.north_rep.id}", json={"role": "admin"}, headers=rep)
    assert promote.status_code == 403
    # A manager assigns within the team only.
    manager = org.north_manager.headers
    inside = client.post(
        f"{API}/accounts", json={"name": "T", "owner_id": org.north_rep.id}, headers=manager
    )
    outside = client.post(
        f"{API}/accounts", json={"name": "T", "owner_id": org.south_rep.id}, headers=manager
    )
    assert (inside.status_code, outside.status_code) == (201, 403)
