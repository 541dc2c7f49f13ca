"""The simulated frames are well-formed store data: columns of the tables, valid foreign keys,
outcomes from each type's vocabulary, consistent deal and stage history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salestrack.domain.vocab import DEFAULT_ACTIVITY_TYPES, DEFAULT_STAGES, PURPOSES
from salestrack.simulate import SimulatedOrg, SimulationParams, simulate
from salestrack.store.models import Base

SYMBOLS = {
    "type_key": "type_id",
    "stage_name": "stage_id",
    "from_stage_name": "from_stage_id",
    "to_stage_name": "to_stage_id",
}
FILLED_BY_LOADER = {"created_at", "updated_at", "change_seq", "pipeline_id"}


@pytest.fixture(scope="module")
def org() -> SimulatedOrg:
    return simulate(SimulationParams(seed=3, reps=9, months=6, activities_per_rep_month=200))


def test_frames_use_store_columns(org: SimulatedOrg) -> None:
    for name, frame in org.tables.items():
        table = Base.metadata.tables[name]
        columns = {SYMBOLS.get(c, c) for c in frame.columns}
        assert columns <= set(table.columns.keys()), (name, columns - set(table.columns.keys()))
        required = {
            c.name
            for c in table.columns
            if not c.nullable and c.server_default is None and c.name not in FILLED_BY_LOADER
        }
        assert required <= columns, (name, required - columns)
        ids = frame["id"].to_numpy()
        assert (ids == np.arange(1, len(frame) + 1)).all(), name
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                assert str(frame[column].dtype) == "datetime64[us, UTC]", (name, column)


def test_foreign_keys_point_at_existing_rows(org: SimulatedOrg) -> None:
    checked = 0
    for name, frame in org.tables.items():
        for fk in Base.metadata.tables[name].foreign_keys:
            target, column = fk.column.table.name, fk.parent.name
            if column not in frame.columns or target not in org.tables:
                continue
            values = frame[column].dropna().astype("int64")
            assert values.isin(org.tables[target]["id"]).all(), (name, column, target)
            checked += 1
    assert checked >= 30


def test_activity_vocabulary(org: SimulatedOrg) -> None:
    acts = org.tables["activities"]
    vocab = {t.key: set(t.outcomes) for t in DEFAULT_ACTIVITY_TYPES}
    assert set(acts["type_key"].unique()) <= set(vocab)
    assert set(acts["purpose"].dropna().unique()) <= set(PURPOSES)
    done = acts["status"] == "done"
    assert acts.loc[done, "outcome"].notna().all()
    assert acts.loc[~done, "outcome"].isna().all()
    assert acts.loc[~done, "started_at"].isna().all() and acts.loc[done, "started_at"].notna().all()
    for key, outcomes in vocab.items():
        seen = set(acts.loc[done & (acts["type_key"] == key), "outcome"].unique())
        assert seen <= outcomes, key
    with_result = acts["result"].notna()
    assert (acts.loc[with_result, "outcome"] == "held").all()
    assert acts.loc[with_result, "type_key"].isin(["meeting", "visit", "demo"]).all()
    assert acts["external_id"].is_unique
    assert (acts["source"] == "simulation").all()
    assert {"planned", "done", "cancelled"} == set(acts["status"].unique())
    now = pd.Timestamp(org.ground_truth["as_of"])
    assert (acts.loc[acts["due_at"] >= now, "status"] == "planned").all()
    late = (acts["logged_at"] - acts["completed_at"]).dt.total_seconds() > 86_400
    assert 0.03 < late[done].mean() < 0.15


def test_activities_happen_on_local_workdays(org: SimulatedOrg) -> None:
    acts = org.tables["activities"]
    zones = org.tables["accounts"].set_index("id")["time_zone"]
    sample = acts[acts["started_at"].notna()].sample(5_000, random_state=1)
    weekend = [
        (rows["started_at"].dt.tz_convert(str(zone)).dt.day_of_week >= 5).sum()
        for zone, rows in sample.groupby(sample["account_id"].map(zones))
    ]
    assert sum(weekend) / len(sample) < 0.1


def test_deals_and_stage_history(org: SimulatedOrg) -> None:
    deals = org.tables["deals"].set_index("id")
    names = {s.name for s in DEFAULT_STAGES}
    assert set(deals["stage_name"].unique()) <= names
    closed = deals["stage_name"].isin(["Won", "Lost"])
    assert (deals["closed_at"].notna() == closed).all()
    assert (deals.loc[closed, "closed_at"] >= deals.loc[closed, "created_at"]).all()
    assert deals.loc[deals["stage_name"] == "Lost", "lost_reason"].notna().all()
    cents = deals["amount"].to_numpy() * 100
    assert np.allclose(cents, np.round(cents)) and (deals["amount"] > 0).all()
    changes = org.tables["stage_changes"]
    per_deal = changes.groupby("deal_id")
    assert per_deal["at"].apply(lambda s: s.is_monotonic_increasing).all()
    last = per_deal["to_stage_name"].last().astype(str)
    assert (last == deals.loc[last.index, "stage_name"].astype(str)).all()
    assert set(last.index) == set(deals.index)
    first = per_deal.head(1)
    assert (
        first["from_stage_name"].isna().all() and (first["to_stage_name"] == "Qualification").all()
    )


def test_is_repeat_means_an_earlier_won_deal(org: SimulatedOrg) -> None:
    deals = org.tables["deals"]
    won = deals[deals["stage_name"] == "Won"].groupby("account_id")["closed_at"].min()
    first_won = deals["account_id"].map(won)
    expected = first_won.notna() & (deals["created_at"] > first_won)
    assert (deals["is_repeat"] == expected).all()
    assert deals["is_repeat"].any()


def test_leads_link_to_their_deals(org: SimulatedOrg) -> None:
    leads = org.tables["leads"].set_index("id")
    deals = org.tables["deals"]
    from_leads = deals[deals["lead_id"].notna()]
    linked = leads.loc[from_leads["lead_id"].astype(int), "converted_deal_id"]
    assert (linked.to_numpy() == from_leads["id"].to_numpy()).all()
    assert (leads.loc[leads["converted_deal_id"].notna(), "status"] == "qualified").all()
    enrollments = org.tables["enrollments"]
    converted = enrollments["converted_at"].notna()
    assert (enrollments.loc[converted, "status"] == "converted").all()
    assert enrollments.loc[converted, "deal_id"].notna().all()


def test_orders_and_surveys(org: SimulatedOrg) -> None:
    orders = org.tables["orders"]
    accounts = org.tables["accounts"].set_index("id")
    assert (accounts.loc[orders["account_id"].unique(), "status"] == "customer").all()
    surveys = org.tables["satisfaction_responses"]
    csat = surveys[surveys["kind"] == "csat"]["score"]
    nps = surveys[surveys["kind"] == "nps"]["score"]
    assert csat.between(1, 5).all() and nps.between(0, 10).all() and len(nps) > 0
    assert org.ground_truth["csat_touch_slope"]["clipped_share"] == 0.0
