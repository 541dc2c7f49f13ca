"""Scope: a rep's or a manager's metrics never include rows they may not see.

The expected rows are selected in plain pandas from the raw warehouse tables with the rule of
DESIGN.md section 2 written out again (rep: own rows and rows on own accounts; manager: rows
of team members and on their accounts), independently of the Ibis scope under test.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pandas as pd
import pytest

from salestrack.analytics.metrics import compute
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import open_warehouse
from salestrack.domain.actor import Actor
from tests import golden_org
from tests.golden_org import GoldenOrg

# metric (counted over all time) -> (table, owner column or None, account column)
COUNTED = {
    "activities": ("activities", "owner_id", "account_id"),
    "deals_created": ("deals", "owner_id", "account_id"),
    "orders": ("orders", None, "account_id"),
    "leads_created": ("leads", "owner_id", None),
    "nps_responses": ("satisfaction_responses", "rep_id", "account_id"),
}


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GoldenOrg]:
    built = golden_org.build(tmp_path_factory.mktemp("scope"))
    yield built
    built.engine.dispose()


def _raw(org: GoldenOrg, table: str) -> pd.DataFrame:
    with duckdb.connect(str(org.warehouse.path), read_only=True) as conn:
        return conn.execute(f"select * from {table}").df()


def _expected(org: GoldenOrg, actor: Actor, metric: str) -> int:
    table, owner, account = COUNTED[metric]
    rows = _raw(org, table)
    if metric == "nps_responses":
        rows = rows[rows.kind == "nps"]
    users = _raw(org, "users")
    members = set(users.id[users.team_id == actor.team_id]) if actor.is_manager else {actor.id}
    accounts = _raw(org, "accounts")
    own_accounts = set(accounts.id[accounts.owner_id.isin(members)])
    visible = pd.Series(False, index=rows.index)
    if owner:
        visible |= rows[owner].isin(members)
    if account:
        visible |= rows[account].isin(own_accounts)
    return int(visible.sum())


@pytest.mark.parametrize("who", ["ann", "bob", "cat", "dan", "mia"])
def test_totals_count_only_visible_rows(org: GoldenOrg, who: str) -> None:
    actor = org.actors[who]
    with open_warehouse(org.warehouse) as source:
        frame = compute(list(COUNTED), Scope(actor, source)).frame
    got = {name: int(frame[name].iloc[0]) for name in COUNTED}
    assert got == {name: _expected(org, actor, name) for name in COUNTED}


def test_by_rep_shows_only_the_reps_the_actor_oversees(org: GoldenOrg) -> None:
    ids = org.ids
    expectations = {
        "ann": {ids["ann"]},
        "cat": {ids["cat"]},
        "mia": {ids["mia"], ids["ann"], ids["bob"], ids["dan"]},  # not Cat, of South
    }
    with open_warehouse(org.warehouse) as source:
        for who, reps in expectations.items():
            scope = Scope(org.actors[who], source)
            frame = compute(["activities", "won_amount", "stage_entries"], scope, by=["rep"]).frame
            assert set(frame.rep) == reps, who
            teams = compute("activities", scope, by=["team"]).frame
            assert set(teams.team) == {org.actors[who].team_id}, who


def test_a_manager_sees_no_stage_moves_of_another_teams_deals(org: GoldenOrg) -> None:
    with open_warehouse(org.warehouse) as source:
        north = compute("stage_entries", Scope(org.actors["mia"], source)).frame
        south = compute("stage_entries", Scope(org.actors["cat"], source)).frame
    assert int(north.stage_entries.iloc[0]) == 7  # d1 (3), d2, d4, d5 (2); not Cat's d3
    assert int(south.stage_entries.iloc[0]) == 1  # d3 only
