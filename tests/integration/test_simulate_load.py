"""A simulated org loads into a real store (SQLite file and PostgreSQL) through the bulk path:
row counts match the frames, values round-trip exactly, change numbers are set and unique."""

from __future__ import annotations

import json
from datetime import UTC
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, text

from salestrack.errors import Conflict
from salestrack.simulate import SimulatedOrg, SimulationParams, simulate, write_csv
from salestrack.simulate.load import load_into_store
from salestrack.simulate.summary import store_summary
from salestrack.store.models import Activity, ActivityType, Base, Deal, Lead, Stage, Team


@pytest.fixture(scope="module")
def org() -> SimulatedOrg:
    return simulate(SimulationParams(seed=4, reps=6, months=3, activities_per_rep_month=150))


def test_load_round_trips(engine: Engine, org: SimulatedOrg) -> None:
    seen: list[int] = []
    counts = load_into_store(engine, org, progress=seen.append)
    assert counts == org.counts()
    assert sum(seen) == sum(counts.values())
    with engine.connect() as conn:
        for name, frame in org.tables.items():
            table = Base.metadata.tables[name]
            stored = conn.execute(select(func.count()).select_from(table)).scalar_one()
            assert stored == len(frame), name
            seqs = conn.execute(select(table.c.change_seq)).scalars().all()
            assert None not in seqs and len(set(seqs)) == len(seqs), name

        deal = org.tables["deals"].iloc[7]
        amount, stage, created = conn.execute(
            select(Deal.amount, Stage.name, Deal.created_at)
            .join(Stage, Deal.stage_id == Stage.id)
            .where(Deal.id == int(deal["id"]))
        ).one()
        assert isinstance(amount, Decimal)
        assert amount == Decimal(f"{deal['amount']:.2f}")
        assert stage == deal["stage_name"]
        assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0
        assert created == deal["created_at"].to_pydatetime().astimezone(UTC)

        act = org.tables["activities"].iloc[3]
        key, started, outcome = conn.execute(
            select(ActivityType.key, Activity.started_at, Activity.outcome)
            .join(ActivityType, Activity.type_id == ActivityType.id)
            .where(Activity.id == int(act["id"]))
        ).one()
        assert (key, outcome) == (act["type_key"], act["outcome"])
        assert started == act["started_at"].to_pydatetime()

        managers = dict(conn.execute(select(Team.id, Team.manager_id)).tuples().all())
        assert managers == dict(
            zip(org.tables["teams"]["id"], org.tables["teams"]["manager_id"], strict=True)
        )
        converted = conn.execute(
            select(func.count()).where(Lead.converted_deal_id.is_not(None))
        ).scalar_one()
        assert converted == org.tables["leads"]["converted_deal_id"].notna().sum()

    summary = store_summary(engine)
    totals = dict(summary["totals"])
    assert totals["activities"] == len(org.tables["activities"])
    assert sum(n for _, n in summary["deals_by_stage"]) == len(org.tables["deals"])


def test_second_load_is_refused_before_writing(engine: Engine, org: SimulatedOrg) -> None:
    load_into_store(engine, org)
    with engine.connect() as conn:
        before = conn.execute(text("select count(*) from activities")).scalar_one()
    with pytest.raises(Conflict):
        load_into_store(engine, org)
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from activities")).scalar_one() == before


def test_loads_next_to_existing_rows(engine: Engine, org: SimulatedOrg) -> None:
    from salestrack.store.bulk import bulk_insert

    admin = pd.DataFrame(
        {"email": ["admin@example.com"], "name": ["Admin"], "role": ["admin"],
         "time_zone": ["UTC"], "locale": ["en"], "is_active": [True]}
    )  # fmt: skip
    bulk_insert(engine, "users", admin.assign(id=[1]))
    load_into_store(engine, org)
    with engine.connect() as conn:
        users = conn.execute(
            select(func.count()).select_from(Base.metadata.tables["users"])
        ).scalar_one()
        assert users == len(org.tables["users"]) + 1
        sql = (
            "select count(*) from accounts a join users u on u.id = a.owner_id where u.role = 'rep'"
        )
        owners = conn.execute(text(sql)).scalar_one()
        assert owners == len(org.tables["accounts"])


def test_write_csv_writes_every_table_and_the_truth(tmp_path: Path, org: SimulatedOrg) -> None:
    paths = write_csv(org, tmp_path / "out")
    assert {p.name for p in paths} == {f"{t}.csv" for t in org.tables} | {"ground_truth.json"}
    acts = pd.read_csv(tmp_path / "out" / "activities.csv")
    assert len(acts) == len(org.tables["activities"])
    assert list(acts.columns) == list(org.tables["activities"].columns)
    truth = json.loads((tmp_path / "out" / "ground_truth.json").read_text())
    assert truth["demo_effect"]["odds_ratio"] == 2.5
    assert truth["null_control"]["odds_ratio"] == 1.0
