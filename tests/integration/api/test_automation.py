"""Automation over the API: who writes rules, enrolment and its pause and resume, experiment
results, and the task a customer event plans, once, for the account's owner."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salestrack.automation.experiments import experiment_results
from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import FixedClock
from salestrack.store.uow import UnitOfWork
from tests.integration.api.conftest import Member, Org

API = "/api/v1"
STEPS = [
    {"day": 0, "type": "email", "at_local": "10:00", "template": "Hi {lead}"},
    {"day": 2, "type": "call", "at_local": "16:30"},
]


def _post(client: TestClient, path: str, body: dict[str, Any], by: Member) -> dict[str, Any]:
    response = client.post(f"{API}/{path}", json=body, headers=by.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _status(
    client: TestClient, method: str, path: str, by: Member, body: dict[str, Any] | None = None
) -> int:
    return client.request(method, f"{API}/{path}", json=body, headers=by.headers).status_code


def _planned(client: TestClient, by: Member, **filters: Any) -> list[dict[str, Any]]:
    params = {"status": "planned", "limit": 500, **filters}
    response = client.get(f"{API}/activities", params=params, headers=by.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _rule(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": "follow_up", "on_type": "demo", "plan_type": "call", **extra}


def test_managers_write_their_teams_rules_and_reps_read_the_ones_that_apply(
    client: TestClient, org: Org
) -> None:
    north, south = org.north_manager, org.south_manager
    assert _status(client, "POST", "automation-rules", org.north_rep, _rule("Rep's")) == 403

    ours = _post(client, "automation-rules", _rule("North demos"), north)
    assert ours["team_id"] == org.north_manager.user.team_id
    theirs = _post(client, "automation-rules", _rule("South demos"), south)
    everyone = _post(client, "automation-rules", _rule("Everyone's demos"), org.admin)
    assert everyone["team_id"] is None

    elsewhere = _rule("North writes South's", team_id=org.south_rep.user.team_id)
    assert _status(client, "POST", "automation-rules", north, elsewhere) == 403

    # Another team's rule looks absent; the rules for everyone are read but changed by admins.
    def change(rule: dict[str, Any], by: Member) -> int:
        return _status(client, "PATCH", f"automation-rules/{rule['id']}", by, {"delay_days": 5})

    assert change(theirs, north) == 404
    assert change(everyone, north) == 403
    assert change(ours, org.north_rep) == 403
    assert change(ours, north) == 200

    def names(member: Member) -> set[str]:
        listed = client.get(f"{API}/automation-rules", headers=member.headers)
        assert listed.status_code == 200, listed.text
        return {rule["name"] for rule in listed.json()["items"]}

    seeded = "Congratulate customers on their news"
    assert names(org.north_rep) == {seeded, "North demos", "Everyone's demos"}
    assert names(org.south_rep) == {seeded, "South demos", "Everyone's demos"}
    assert names(org.admin) >= {"North demos", "South demos"}

    # The service's checks come back as problems naming the field.
    bad = client.post(
        f"{API}/automation-rules", json=_rule("Bad", on_outcome="connected"), headers=north.headers
    )
    assert bad.status_code == 422 and bad.json()["field"] == "on_outcome"
    taken = client.post(f"{API}/automation-rules", json=_rule("South demos"), headers=north.headers)
    assert taken.status_code == 409


def test_enrolment_plans_the_first_step_and_pauses_and_resumes(
    client: TestClient, org: Org, clock: FixedClock
) -> None:
    rep = org.north_rep
    cadence = _post(client, "cadences", {"name": "Outbound", "steps": STEPS}, org.north_manager)
    assert [(s["position"], s["day"], s["type"]) for s in cadence["steps"]] == [
        (1, 0, "email"),
        (2, 2, "call"),
    ]
    assert client.get(f"{API}/cadences/{cadence['id']}", headers=rep.headers).json() == cadence
    assert _status(client, "POST", "cadences", rep, {"name": "Mine", "steps": STEPS}) == 403

    lead = _post(client, "leads", {"name": "Pat Doe", "time_zone": "America/New_York"}, rep)
    enrolment = _post(client, "enrollments", {"cadence": "Outbound", "lead_id": lead["id"]}, rep)
    assert enrolment["status"] == "active" and enrolment["current_step"] == 1
    # Monday 09:00 UTC is 04:00 in New York: step 1 today at 10:00 there, 15:00 UTC.
    [step] = _planned(client, rep, lead_id=lead["id"])
    assert step["due_at"] == "2026-03-02T15:00:00Z" and step["notes"] == "Hi Pat Doe"
    again = {"cadence": "Outbound", "lead_id": lead["id"]}
    assert _status(client, "POST", "enrollments", rep, again) == 409

    url = f"{API}/enrollments/{enrolment['id']}"
    # A teammate does not see it; the team's manager does and may pause it.
    assert client.post(f"{url}/pause", json={}, headers=org.north_rep2.headers).status_code == 404
    paused = client.post(
        f"{url}/pause", json={"reason": "on holiday"}, headers=org.north_manager.headers
    )
    assert paused.status_code == 200, paused.text
    assert (paused.json()["status"], paused.json()["pause_reason"]) == ("paused", "on holiday")
    assert _planned(client, rep, lead_id=lead["id"]) == []
    twice = client.post(f"{url}/pause", json={}, headers=rep.headers)
    assert twice.status_code == 422 and twice.json()["field"] == "status"

    clock.advance(timedelta(days=1))
    resumed = client.post(
        f"{url}/resume", json={}, headers={**rep.headers, "If-Match": paused.headers["ETag"]}
    )
    assert resumed.status_code == 200, resumed.text
    assert (resumed.json()["status"], resumed.json()["resumes"]) == ("active", 1)
    [replanned] = _planned(client, rep, lead_id=lead["id"])
    assert replanned["due_at"] == "2026-03-03T15:00:00Z" and replanned["id"] != step["id"]
    stale = client.post(
        f"{url}/pause", json={}, headers={**rep.headers, "If-Match": paused.headers["ETag"]}
    )
    assert stale.status_code == 409

    # Completing the step plans the next one, as the cadence says.
    done = client.post(
        f"{API}/activities/{replanned['id']}/complete",
        json={"outcome": "sent"},
        headers=rep.headers,
    )
    assert done.status_code == 200, done.text
    [call] = _planned(client, rep, lead_id=lead["id"])
    assert call["due_at"] == "2026-03-05T21:30:00Z"
    listed = client.get(
        f"{API}/enrollments", params={"cadence_id": cadence["id"]}, headers=rep.headers
    )
    assert [e["current_step"] for e in listed.json()["items"]] == [2]


def test_experiment_results_are_what_experiments_show_prints(
    client: TestClient, org: Org, uow: UnitOfWork, clock: FixedClock
) -> None:
    manager, rep = org.north_manager, org.north_rep
    _post(client, "cadences", {"name": "Calls", "steps": STEPS}, manager)
    body = {
        "name": "first-email-time",
        "cadence": "Calls",
        "variants": {"10am": {}, "4pm": {"1": {"at_local": "16:00"}}},
    }
    assert client.post(f"{API}/experiments", json=body, headers=rep.headers).status_code == 403
    experiment = _post(client, "experiments", body, manager)
    results_url = f"{API}/experiments/{experiment['id']}/results"
    empty = client.get(results_url, headers=rep.headers).json()
    assert [v["n"] for v in empty["variants"]] == [0, 0]
    assert empty["comparisons"][0]["interval"] == {"low": -1.0, "high": 1.0}

    leads = [_post(client, "leads", {"name": f"Lead {n}"}, rep)["id"] for n in range(8)]
    for lead_id in leads:
        _post(client, "enrollments", {"cadence": "Calls", "lead_id": lead_id}, rep)
    clock.advance(timedelta(days=2))
    for lead_id in leads[:3]:
        _post(
            client,
            "activities",
            {"type": "email", "direction": "inbound", "outcome": "replied", "lead_id": lead_id},
            rep,
        )

    found = client.get(results_url, headers=rep.headers)
    assert found.status_code == 200, found.text
    data = found.json()
    expected = experiment_results(uow, SYSTEM, "first-email-time")  # what the CLI prints
    assert [(v["name"], v["n"], v["conversions"]) for v in data["variants"]] == [
        (v.name, v.arm.n, v.arm.conversions) for v in expected.variants
    ]
    assert sum(v["n"] for v in data["variants"]) == 8
    assert sum(v["conversions"] for v in data["variants"]) == 3
    [comparison] = data["comparisons"]
    [(name, c)] = expected.comparisons.items()
    assert (comparison["variant"], comparison["control"]) == (name, "10am")
    assert comparison["difference"] == pytest.approx(c.difference)
    assert comparison["interval"] == pytest.approx({"low": c.interval[0], "high": c.interval[1]})
    assert comparison["p_always_valid"] == pytest.approx(c.p_always_valid)
    assert comparison["decision"] == c.decision.value == "continue"
    assert data["looks"] == expected.looks == 3

    stop = f"{API}/experiments/{experiment['id']}/stop"
    assert client.post(stop, json={}, headers=rep.headers).status_code == 403
    stopped = client.post(stop, json={}, headers=manager.headers)
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    again = client.post(stop, json={}, headers=manager.headers)
    assert again.status_code == 422 and again.json()["field"] == "status"
    late = _post(client, "leads", {"name": "Late"}, rep)
    later = _post(client, "enrollments", {"cadence": "Calls", "lead_id": late["id"]}, rep)
    assert later["variant"] is None and later["experiment_id"] is None


def test_a_customer_event_plans_one_task_for_the_owner_and_a_retry_none(
    client: TestClient, org: Org
) -> None:
    rep, manager = org.north_rep, org.north_manager
    account = _post(client, "accounts", {"name": "Initech", "time_zone": "America/New_York"}, rep)
    body = {
        "account_id": account["id"],
        "kind": "funding_round",
        "title": "Series B",
        "external_id": "cb-77",
    }
    headers = {**manager.headers, "Idempotency-Key": "event-1"}
    posted = client.post(f"{API}/customer-events", json=body, headers=headers)
    assert posted.status_code == 201, posted.text
    event = posted.json()
    [task] = event["tasks"]
    assert (task["owner_id"], task["status"]) == (rep.id, "planned")
    assert task["subject"] == "Call Initech to congratulate them on the Series B"
    assert task["due_at"] == "2026-03-02T15:00:00Z"  # 10:00 in New York, the same day

    retry = client.post(f"{API}/customer-events", json=body, headers=headers)
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == event
    assert [a["id"] for a in _planned(client, rep, account_id=account["id"])] == [task["id"]]
    # Without the key, the source's own id still keeps it from being posted twice.
    twice = client.post(f"{API}/customer-events", json=body, headers=manager.headers)
    assert twice.status_code == 409
    assert len(_planned(client, rep, account_id=account["id"])) == 1

    read = client.get(f"{API}/customer-events/{event['id']}", headers=rep.headers)
    assert read.status_code == 200 and read.json() == event
    # Other people's accounts are out of reach, and history from an import plans nothing.
    theirs = {**body, "external_id": "cb-78"}
    assert _status(client, "POST", "customer-events", org.south_rep, theirs) == 422
    assert _status(client, "GET", f"customer-events/{event['id']}", org.south_manager) == 404
    imported = {**body, "external_id": "cb-79", "source": "import"}
    assert _post(client, "customer-events", imported, rep)["tasks"] == []
