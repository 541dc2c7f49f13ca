"""Each resource declared once for the tests: who creates it, a create payload, an update.

The generic tests in ``test_resources.py`` and the access matrix inherit everything else.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.api.conftest import Member, Org

_n = itertools.count(1)
Payload = Callable[["Ctx"], dict[str, Any]]


@dataclass(frozen=True)
class Ctx:
    """What a payload may refer to: the org, the acting member and an account it owns, and a
    way to create whatever else it needs."""

    client: TestClient
    org: Org
    actor: Member
    account_id: int

    def make(self, path: str, body: dict[str, Any], by: Member | None = None) -> dict[str, Any]:
        """Create a record through the API (as the acting member unless ``by``); its JSON."""
        response = self.client.post(
            f"/api/v1/{path}", json=body, headers=(by or self.actor).headers
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


@dataclass(frozen=True)
class Contract:
    path: str
    role: str  # the org member who creates and changes it
    create: Payload
    update: dict[str, Any] | None = None


AT = "2026-03-02T10:00:00+00:00"
STEPS = [{"day": 0, "type": "email", "at_local": "09:00"}, {"day": 2, "type": "call"}]


def _enrolment(c: Ctx) -> dict[str, Any]:
    """A fresh cadence (a manager's) and a fresh lead of the rep's: one enrolment each."""
    cadence = c.make("cadences", {"name": f"Cadence {next(_n)}", "steps": STEPS}, c.org.admin)
    return {"cadence": cadence["name"], "lead_id": c.make("leads", {"name": "Lee"})["id"]}


CONTRACTS: tuple[Contract, ...] = (
    Contract(
        "users",
        "admin",
        lambda c: {"email": f"new{next(_n)}@example.com", "name": "New", "role": "rep"},
        {"name": "Renamed"},
    ),
    Contract(
        "teams", "admin", lambda c: {"name": f"Team {next(_n)}"}, {"time_zone": "Asia/Ho_Chi_Minh"}
    ),
    Contract("accounts", "north_rep", lambda c: {"name": f"Acme {next(_n)}"}, {"tier": "A"}),
    Contract(
        "contacts",
        "north_rep",
        lambda c: {"name": "Pat", "account_id": c.account_id, "email": "PAT@x.example"},
        {"title": "CTO"},
    ),
    Contract(
        "leads", "north_rep", lambda c: {"name": "Lee", "company": "Lee Ltd"}, {"status": "working"}
    ),
    Contract(
        "deals",
        "north_rep",
        lambda c: {"name": "Big one", "amount": "1200.50", "account_id": c.account_id},
        {"amount": "1500.00"},
    ),
    Contract(
        "activities",
        "north_rep",
        lambda c: {"type": "call", "outcome": "connected", "account_id": c.account_id},
        {"subject": "pricing call"},
    ),
    Contract(
        "orders",
        "north_rep",
        lambda c: {"account_id": c.account_id, "amount": "99.90", "ordered_at": AT},
    ),
    Contract(
        "satisfaction-responses",
        "north_rep",
        lambda c: {"kind": "csat", "score": 4, "responded_at": AT, "account_id": c.account_id},
    ),
    Contract(
        "goals",
        "north_manager",
        lambda c: {
            "metric": "calls",
            "period": "week",
            "period_start": AT,
            "target": "40",
            "user_id": c.org.north_rep.id,
        },
        {"target": "50.00"},
    ),
    Contract(
        "activity-types",
        "admin",
        lambda c: {
            "key": f"inmail{next(_n)}",
            "label": "InMail",
            "category": "selling",
            "outcomes": ["sent", "replied"],
        },
    ),
    Contract(
        "automation-rules",
        "north_manager",
        lambda c: {
            "name": f"Rule {next(_n)}",
            "kind": "follow_up",
            "on_type": "demo",
            "plan_type": "call",
            "delay_days": 1,
        },
        {"delay_days": 3, "at_local": "14:30", "is_active": False},
    ),
    Contract(
        "cadences", "north_manager", lambda c: {"name": f"Cadence {next(_n)}", "steps": STEPS}
    ),
    Contract("enrollments", "north_rep", _enrolment),
    Contract(
        "experiments",
        "north_manager",
        lambda c: {
            "name": f"Experiment {next(_n)}",
            "cadence": c.make("cadences", {"name": f"Cadence {next(_n)}", "steps": STEPS})["name"],
            "variants": {"10am": {}, "4pm": {"1": {"at_local": "16:00"}}},
            "metric": "replied",
        },
    ),
    Contract(
        "customer-events",
        "north_rep",
        lambda c: {"account_id": c.account_id, "kind": "award", "title": "Best bakery 2026"},
    ),
)


def make_ctx(client: TestClient, org: Org, role: str) -> Ctx:
    actor = getattr(org, role)
    owner = actor if actor.user.role != "admin" else org.north_rep
    response = client.post(
        "/api/v1/accounts",
        json={"name": "Ctx Account", "owner_id": owner.id},
        headers=actor.headers,
    )
    assert response.status_code == 201, response.text
    return Ctx(client, org, actor, response.json()["id"])
