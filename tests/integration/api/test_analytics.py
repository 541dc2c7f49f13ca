"""Metrics and insights through the API, on both stores: the same numbers as the registry and
the insights report computed directly, for the caller's scope only.

The expected values are computed on a second warehouse synced from the same store, so the
API's shared reader, its sync and its scoping are what is under test.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from salestrack.analytics.insights.report import build_report, report_json
from salestrack.analytics.metrics import REGISTRY, compute
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import IbisSource, open_warehouse
from salestrack.analytics.sync import sync
from salestrack.analytics.warehouse import Warehouse
from salestrack.api.schemas.insights import SECTIONS, InsightsReport, section_of
from salestrack.domain.actor import SYSTEM, Actor
from salestrack.domain.clock import FixedClock
from salestrack.services import activities, tokens, users
from salestrack.services.users import actor_for
from salestrack.simulate import SimulationParams, simulate
from salestrack.simulate.load import load_into_store
from salestrack.store.models import Account, User
from salestrack.store.uow import UnitOfWork
from tests.web_seed import SMALL_ORG

API = "/api/v1"
WINDOW = {"from": "2025-01-01", "to": "2025-04-01", "tz": "Europe/Berlin"}
START = datetime(2024, 12, 31, 23, 0, tzinfo=UTC)  # 2025-01-01 00:00 in Berlin
END = datetime(2025, 3, 31, 22, 0, tzinfo=UTC)  # 2025-04-01 00:00 in Berlin (summer time)


@dataclass(frozen=True)
class Caller:
    actor: Actor
    headers: dict[str, str]


@dataclass(frozen=True)
class SimOrg:
    """A simulated org of two teams; a manager and a rep of team 1, a rep of team 2, an admin."""

    admin: Caller
    manager: Caller
    rep: Caller
    other_rep: Caller

    def callers(self) -> dict[str, Caller]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _caller(uow: UnitOfWork, user: User) -> Caller:
    issued = tokens.create_token(uow, SYSTEM, name="t", scope="read", user_id=user.id)
    return Caller(actor_for(user), {"Authorization": f"Bearer {issued.plaintext}"})


@pytest.fixture
def sim(engine: Engine, uow: UnitOfWork) -> SimOrg:
    load_into_store(engine, simulate(SMALL_ORG))
    with uow(SYSTEM):
        find = uow.users.find_one
        manager, rep, other = find(role="manager", team_id=1), find(role="rep", team_id=1), None
        other = find(role="rep", team_id=2)
    assert manager is not None and rep is not None and other is not None
    admin = users.create_user(uow, SYSTEM, email="root@example.com", name="Root", role="admin")
    callers = (_caller(uow, u) for u in (admin, manager, rep, other))
    return SimOrg(*callers)


@contextmanager
def expected_source(engine: Engine, tmp_path: Path) -> Iterator[IbisSource]:
    """A second warehouse, synced from the same store now, read directly."""
    warehouse = Warehouse(tmp_path / "expected.duckdb")
    sync(engine, warehouse)
    with open_warehouse(warehouse) as source:
        yield source


def test_the_metric_list_is_the_registry(client: TestClient, sim: SimOrg) -> None:
    listed = client.get(f"{API}/metrics", headers=sim.rep.headers).json()
    assert [m["name"] for m in listed["items"]] == [m.name for m in REGISTRY]
    win_rate = next(m for m in listed["items"] if m["name"] == "win_rate")
    assert win_rate["formula"] == REGISTRY["win_rate"].formula
    assert win_rate["kind"] == "ratio" and "rep" in win_rate["dimensions"]
    assert "period" in listed["dimensions"] and listed["periods"][0] == "day"


@pytest.mark.parametrize("name", ["activities_done", "win_rate", "revenue"])
def test_a_metric_equals_the_registrys_compute_for_each_scope(
    client: TestClient, sim: SimOrg, engine: Engine, tmp_path: Path, name: str
) -> None:
    params = {**WINDOW, "by": ["rep", "period"], "period": "month"}
    answers = {
        who: client.get(f"{API}/metrics/{name}", params=params, headers=c.headers)
        for who, c in sim.callers().items()
    }
    with expected_source(engine, tmp_path) as source:
        for who, caller in sim.callers().items():
            answer = answers[who]
            assert answer.status_code == 200, answer.text
            body = answer.json()
            expected = compute(
                name,
                Scope(caller.actor, source),
                by=["rep"],
                period="month",
                tz="Europe/Berlin",
                start=START,
                end=END,
            )
            assert body["rows"] == expected.rows(), who
            assert body["metric"]["name"] == name and body["by"] == ["rep", "period"]
            assert datetime.fromisoformat(body["from"]) == START
            assert body["as_of"] is not None
    reps = {who: {r["rep"] for r in answers[who].json()["rows"]} for who in answers}
    assert reps["rep"] == {sim.rep.actor.id}
    assert reps["other_rep"] == {sim.other_rep.actor.id}
    assert sim.rep.actor.id in reps["manager"] and sim.other_rep.actor.id not in reps["manager"]
    assert reps["admin"] >= reps["manager"] | reps["other_rep"]


def _total(client: TestClient, caller: Caller, name: str) -> float:
    body = client.get(f"{API}/metrics/{name}", headers=caller.headers).json()
    return float(body["rows"][0][name])


def test_a_reps_metric_never_counts_another_teams_rows(
    client: TestClient, sim: SimOrg, uow: UnitOfWork, clock: FixedClock
) -> None:
    before = {who: _total(client, c, "activities") for who, c in sim.callers().items()}
    assert before["rep"] < before["manager"] < before["admin"]
    with uow(SYSTEM):
        account = uow.session.scalars(
            select(Account).where(Account.owner_id == sim.other_rep.actor.id)
        ).first()
    assert account is not None
    activities.log_activity(
        uow,
        sim.other_rep.actor,
        type="call",
        outcome="connected",
        started_at=clock.now(),
        account_id=account.id,
    )
    after = {who: _total(client, c, "activities") for who, c in sim.callers().items()}
    assert after["rep"] == before["rep"] and after["manager"] == before["manager"]
    assert after["other_rep"] == before["other_rep"] + 1
    assert after["admin"] == before["admin"] + 1  # the reader re-synced: the call counts


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # request checks above the store
def test_bad_metric_requests_are_problems_naming_the_field(client: TestClient, sim: SimOrg) -> None:
    unknown = client.get(f"{API}/metrics/nope", headers=sim.rep.headers)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    for params, field in (
        ({"by": "stage"}, "by"),  # not a dimension of activities
        ({"by": "colour"}, "by"),
        ({"period": "fortnight"}, "period"),
        ({"by": "period"}, "period"),  # split by period, but of what length?
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2025-02-01", "to": "2025-01-01"}, "to"),
        ({"currency": "$$"}, "currency"),
    ):
        answer = client.get(f"{API}/metrics/activities", params=params, headers=sim.rep.headers)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.json()["field"] == field, answer.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the parameter, not the store
def test_money_is_added_up_in_the_currency_asked_for(client: TestClient, sim: SimOrg) -> None:
    """The simulated org sells in one currency: in another, revenue is none, counts stay."""

    def answer(path: str, **params: str) -> Any:
        got = client.get(f"{API}{path}", params=params, headers=sim.admin.headers)
        assert got.status_code == 200, got.text
        return got.json()

    usd = answer("/metrics/revenue")["rows"][0]["revenue"]
    assert (
        float(usd) > 0 and answer("/metrics/revenue", currency="usd")["rows"][0]["revenue"] == usd
    )
    assert not answer("/metrics/revenue", currency="EUR")["rows"][0]["revenue"]
    deals = answer("/metrics/win_rate")["rows"][0]["win_rate"]
    assert answer("/metrics/win_rate", currency="EUR")["rows"][0]["win_rate"] == deals
    assert answer("/insights")["currency"] == "USD"
    assert answer("/insights", currency="eur")["currency"] == "EUR"


def _rounded(value: Any) -> Any:
    """The same JSON with floats to 9 significant digits (sums may differ in the last bits)."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, float) and math.isfinite(value) and value:
        return round(value, 8 - math.floor(math.log10(abs(value))))
    return value


def test_insights_equal_the_cli_report_for_each_scope(
    client: TestClient, sim: SimOrg, engine: Engine, tmp_path: Path
) -> None:
    answers = {
        who: client.get(f"{API}/insights", headers=c.headers) for who, c in sim.callers().items()
    }
    warehouse = Warehouse(tmp_path / "expected.duckdb")
    sync(engine, warehouse)
    for who, caller in sim.callers().items():
        assert answers[who].status_code == 200, answers[who].text
        got = answers[who].json()
        with warehouse.connect(read_only=True) as conn:
            expected = report_json(build_report(conn, caller.actor))
        assert got["as_of"] is not None
        got.pop("as_of"), expected.pop("as_of")
        assert _rounded(got) == _rounded(expected), who  # nothing dropped, nothing changed
    admin = answers["admin"].json()
    assert admin["closed_deals"] > 0
    assert set(admin["repeat_rate"]) == {"value", "low", "high", "n"}
    repeat = admin["repeat_rate"]
    assert repeat["low"] <= repeat["value"] <= repeat["high"]
    assert admin["coverage"]["logged_within_24h"]["n"] > 0
    rep = answers["rep"].json()
    assert rep["closed_deals"] < admin["closed_deals"]
    assert {r["rep_id"] for r in rep["leaderboard"]} <= {sim.rep.actor.id}
    assert set(rep["coverage"]["by_rep"]) <= {str(sim.rep.actor.id)}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # slicing, not the store
def test_one_insight_section(client: TestClient, sim: SimOrg) -> None:
    whole = client.get(f"{API}/insights", headers=sim.manager.headers).json()
    timing = client.get(f"{API}/insights/timing", headers=sim.manager.headers)
    assert timing.status_code == 200, timing.text
    body = timing.json()
    assert body["section"] == "timing"
    assert body["calls"] == whole["calls"] and body["follow_up"] == whole["follow_up"]
    assert body["sentences"] == whole["sentences"].get("timing", [])
    assert client.get(f"{API}/insights/astrology", headers=sim.rep.headers).status_code == 404


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the schema, not the store
def test_the_report_schema_carries_every_field_of_a_full_report(
    engine: Engine, tmp_path: Path
) -> None:
    """A year of a larger org fills every section (CLV too): the response model must neither
    drop nor change a field, so a new insight cannot vanish from the API unnoticed."""
    params = SimulationParams(
        seed=3, teams=2, reps=6, months=12, accounts_per_rep=20, activities_per_rep_month=40
    )
    load_into_store(engine, simulate(params))
    warehouse = Warehouse(tmp_path / "full.duckdb")
    sync(engine, warehouse)
    with warehouse.connect(read_only=True) as conn:
        report = json.loads(json.dumps(report_json(build_report(conn, None))))
    assert [k for k, v in report.items() if v is None] == []
    assert InsightsReport.model_validate(report).model_dump(mode="json") == report
    for name in SECTIONS:
        section = section_of(report, name).model_dump(mode="json")
        assert {k: report[k] for k in section if k in report and k != "sentences"} == {
            k: v for k, v in section.items() if k not in ("section", "sentences")
        }


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the reader, not the store
def test_concurrent_requests_while_the_warehouse_resyncs(client: TestClient, sim: SimOrg) -> None:
    """Every request re-syncs here (max age 0) while others read: the shared reader must not
    pull its connection from under a running query (it once did, and the process crashed)."""
    paths = ["/insights/timing", "/metrics/win_rate?by=rep", "/metrics/activities?by=team"]

    def get(i: int) -> int:
        caller = (sim.admin, sim.manager, sim.rep)[i % 3]
        return client.get(f"{API}{paths[i % len(paths)]}", headers=caller.headers).status_code

    with ThreadPoolExecutor(6) as pool:
        assert set(pool.map(get, range(36))) == {200}
