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
    """What a payload may refer to: the org, the acting member and an account it owns."""

    org: Org
    actor: Member
    account_id: int


@dataclass(frozen=True)
class Contract:
    path: str
    role: str  # the org member who creates and changes it
    create: Payload
    update: dict[str, Any] | None = None


AT = "2026-03-02T10:00:00+00:00"

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
    return Ctx(org, actor, response.json()["id"])
