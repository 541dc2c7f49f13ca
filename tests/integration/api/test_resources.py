"""Every resource honours the same contract: create, read, list, page, update with ETags,
bulk create (atomic), idempotent retries and problem responses."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from tests.integration.api.conftest import Org
from tests.integration.api.contracts import CONTRACTS, Contract, make_ctx

API = "/api/v1"


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.path)
def test_resource_contract(client: TestClient, org: Org, contract: Contract) -> None:
    ctx = make_ctx(client, org, contract.role)
    headers = ctx.actor.headers
    url = f"{API}/{contract.path}"

    created = client.post(url, json=contract.create(ctx), headers=headers)
    assert created.status_code == 201, created.text
    row = created.json()
    assert created.headers["Location"] == f"{url}/{row['id']}"
    etag = created.headers["ETag"]
    assert etag == f'"{row["change_seq"]}"'

    read = client.get(f"{url}/{row['id']}", headers=headers)
    assert read.status_code == 200 and read.json() == row and read.headers["ETag"] == etag

    bulk = client.post(
        f"{url}/bulk", json={"items": [contract.create(ctx) for _ in range(3)]}, headers=headers
    )
    assert bulk.status_code == 201, bulk.text
    ids = [row["id"]] + [item["id"] for item in bulk.json()["items"]]

    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 2, "sort": "-id"}
        if cursor:
            params["cursor"] = cursor
        page = client.get(url, params=params, headers=headers)
        assert page.status_code == 200, page.text
        seen += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and set(ids) <= set(seen)

    if contract.update is not None:
        target = f"{url}/{row['id']}"
        changed = client.patch(target, json=contract.update, headers={**headers, "If-Match": etag})
        assert changed.status_code == 200, changed.text
        for key, value in contract.update.items():
            assert changed.json()[key] == value
        assert changed.headers["ETag"] != etag
        stale = client.patch(target, json=contract.update, headers={**headers, "If-Match": etag})
        assert stale.status_code == 409
        assert stale.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("contract", CONTRACTS[2:8], ids=lambda c: c.path)
def test_bulk_is_all_or_nothing_and_names_the_item(
    client: TestClient, org: Org, contract: Contract
) -> None:
    ctx = make_ctx(client, org, contract.role)
    url = f"{API}/{contract.path}"
    before = len(client.get(url, params={"limit": 500}, headers=ctx.actor.headers).json()["items"])
    bad = {**contract.create(ctx), "owner_id": org.south_rep.id}
    if contract.path == "orders":
        bad = {**contract.create(ctx), "amount": "lots"}
    items = [contract.create(ctx), contract.create(ctx), bad]
    response = client.post(f"{url}/bulk", json={"items": items}, headers=ctx.actor.headers)
    assert response.status_code in (403, 422), response.text
    assert "items.2" in response.json()["detail"]
    after = len(client.get(url, params={"limit": 500}, headers=ctx.actor.headers).json()["items"])
    assert after == before


def test_idempotency_key_replays_and_never_writes_twice(client: TestClient, org: Org) -> None:
    headers = {**org.north_rep.headers, "Idempotency-Key": "k-1"}
    body = {"type": "call", "outcome": "connected", "subject": "first"}
    first = client.post(f"{API}/activities", json=body, headers=headers)
    again = client.post(f"{API}/activities", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    listed = client.get(f"{API}/activities", headers=org.north_rep.headers).json()["items"]
    assert [a["subject"] for a in listed] == ["first"]
    other = client.post(f"{API}/activities", json={**body, "subject": "x"}, headers=headers)
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    # Keys belong to their user: the same key from someone else is a different request.
    theirs = client.post(
        f"{API}/activities", json=body, headers={**org.north_rep2.headers, "Idempotency-Key": "k-1"}
    )
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]


def test_a_bulk_of_activities_is_written_in_one_flush(
    client: TestClient, org: Org, engine: Engine
) -> None:
    """A bulk inserts its activities together: one block of change numbers and one audit
    insert, and on PostgreSQL multi-row INSERTs, instead of three round trips per activity.
    (The first activity is flushed alone by the first read of the rules.)"""
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    items = [{"type": "call", "outcome": "connected", "subject": f"s{n}"} for n in range(40)]
    response = client.post(
        f"{API}/activities/bulk", json={"items": items}, headers=org.north_rep.headers
    )
    assert response.status_code == 201, response.text
    assert [r["subject"] for r in response.json()["items"]] == [f"s{n}" for n in range(40)]
    ids = [r["id"] for r in response.json()["items"]]
    assert len(set(ids)) == 40

    def count(*prefixes: str) -> int:
        return sum(s.lstrip().upper().startswith(prefixes) for s in statements)

    assert count("SELECT SALESTRACK_RESERVE_CHANGE_SEQ", "UPDATE CHANGE_COUNTER") <= 2
    assert count("INSERT INTO AUDIT_EVENTS") <= 2
    if engine.dialect.name == "postgresql":  # SQLite gets no multi-row INSERT ... RETURNING
        assert count("INSERT INTO ACTIVITIES") <= 2
    audit = client.get(f"{API}/audit?entity=activities", headers=org.admin.headers).json()
    assert {row["entity_id"] for row in audit["items"]} >= set(ids)


def test_a_refused_write_leaves_nothing_but_its_problem_under_the_key(
    client: TestClient, org: Org
) -> None:
    """The key, the write and the answer commit together: a bulk refused at its second item
    writes none of it, and a retry gets the same problem back instead of a second attempt."""
    headers = {**org.north_rep.headers, "Idempotency-Key": "k-refused"}
    body = {"items": [{"type": "call", "outcome": "connected"}, {"type": "call"}]}
    first = client.post(f"{API}/activities/bulk", json=body, headers=headers)
    again = client.post(f"{API}/activities/bulk", json=body, headers=headers)
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["field"] == "items.1.outcome"
    listed = client.get(f"{API}/activities", headers=org.north_rep.headers).json()["items"]
    assert listed == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # rules above the store
def test_errors_are_problems_naming_field_and_reason(client: TestClient, org: Org) -> None:
    headers = org.north_rep.headers
    bad = client.post(f"{API}/activities", json={"type": "call"}, headers=headers)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["field"] == "outcome" and "required" in bad.json()["reason"]
    shape = client.post(
        f"{API}/deals", json={"name": "x", "amount": "1", "extra": 1}, headers=headers
    )
    assert shape.status_code == 422 and shape.json()["field"] == "extra"
    missing = client.get(f"{API}/deals/999999", headers=headers)
    assert missing.status_code == 404 and missing.json()["title"] == "Not found"
    sort = client.get(f"{API}/deals", params={"sort": "password"}, headers=headers)
    assert sort.status_code == 422 and sort.json()["field"] == "sort"
    cursor = client.get(f"{API}/deals", params={"cursor": "garbage"}, headers=headers)
    assert cursor.status_code == 422 and cursor.json()["field"] == "cursor"
    # A time that leaves year 1 once in UTC (the store's zone) is refused, not a server error.
    early = {"created_after": "0001-01-01T00:00:00+05:00"}
    too_early = client.get(f"{API}/deals", params=early, headers=headers)
    assert too_early.status_code == 422 and too_early.json()["field"] == "created_after"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # rules above the store
def test_activity_lifecycle_through_actions(client: TestClient, org: Org) -> None:
    headers = org.north_rep.headers
    planned = client.post(
        f"{API}/activities",
        json={"type": "meeting", "status": "planned", "due_at": "2026-03-03T10:00:00+01:00"},
        headers=headers,
    ).json()
    assert planned["status"] == "planned" and planned["due_at"].startswith("2026-03-03T09:00")
    url = f"{API}/activities/{planned['id']}"
    moved = client.post(
        f"{url}/reschedule", json={"due_at": "2026-03-04T10:00:00Z"}, headers=headers
    )
    assert moved.status_code == 200 and moved.json()["due_at"].startswith("2026-03-04T10:00")
    no_outcome = client.post(f"{url}/complete", json={"outcome": "maybe"}, headers=headers)
    assert no_outcome.status_code == 422 and no_outcome.json()["field"] == "outcome"
    done = client.post(
        f"{url}/complete", json={"outcome": "held", "result": "positive"}, headers=headers
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    cancel = client.post(f"{url}/cancel", json={}, headers=headers)
    assert cancel.status_code == 422 and cancel.json()["field"] == "status"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # rules above the store
def test_deal_stage_move_and_filters(client: TestClient, org: Org) -> None:
    headers = org.north_rep.headers
    deal = client.post(f"{API}/deals", json={"name": "D", "amount": "10"}, headers=headers).json()
    won = client.post(f"{API}/deals/{deal['id']}/move", json={"stage": "won"}, headers=headers)
    assert won.status_code == 200 and won.json()["closed_at"] is not None
    by_stage = client.get(
        f"{API}/deals", params={"stage_id": won.json()["stage_id"]}, headers=headers
    ).json()["items"]
    assert [d["id"] for d in by_stage] == [deal["id"]]
    unknown_filter = client.get(f"{API}/deals", params={"password_hash": "x"}, headers=headers)
    assert unknown_filter.status_code == 422
