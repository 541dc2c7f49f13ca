"""The insights see only what the actor may see: a rep their own deals and their accounts',
a manager their team's, an admin everything (the rules of store/scope.py, in one function)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from salestrack.analytics.insights.frames import deal_frame, order_frame, scoped_source
from salestrack.analytics.warehouse import Warehouse
from salestrack.domain.actor import SYSTEM, Actor
from salestrack.domain.vocab import Role

T = datetime(2025, 3, 1, 10, 0)


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    """Team 1: manager 1, reps 2 and 3; team 2: rep 4. Each rep owns one account with one won
    deal and one order; rep 3 also has a deal on rep 2's account."""
    wh = Warehouse(tmp_path / "w.duckdb")
    with wh.connect() as conn:
        wh.ensure_schema(conn)
        conn.execute("INSERT INTO stages BY NAME SELECT 5 AS id, 'Won' AS name, 'won' AS kind")
        for uid, team in ((1, 1), (2, 1), (3, 1), (4, 2)):
            conn.execute(
                "INSERT INTO users BY NAME SELECT ? AS id, ? AS team_id, ? AS name",
                [uid, team, f"u{uid}"],
            )
        for rep in (2, 3, 4):
            conn.execute(
                "INSERT INTO accounts BY NAME SELECT ? AS id, ? AS owner_id, 'smb' AS segment",
                [rep * 10, rep],
            )
            conn.execute(
                "INSERT INTO deals BY NAME SELECT ? AS id, ? AS account_id, ? AS owner_id,"
                " 5 AS stage_id, 1000 AS amount, ? AS created_at, ? AS closed_at",
                [rep, rep * 10, rep, T, T],
            )
            conn.execute(
                "INSERT INTO orders BY NAME SELECT ? AS id, ? AS account_id, 1000 AS amount,"
                " ? AS ordered_at",
                [rep, rep * 10, T],
            )
        conn.execute(
            "INSERT INTO deals BY NAME SELECT 99 AS id, 20 AS account_id, 3 AS owner_id,"
            " 5 AS stage_id, 1 AS amount, ? AS created_at, ? AS closed_at",
            [T, T],
        )
    return wh


@pytest.mark.parametrize(
    ("actor", "deals", "orders"),
    [
        (SYSTEM, {2, 3, 4, 99}, {20, 30, 40}),
        (Actor(2, Role.REP, 1, "rep 2"), {2, 99}, {20}),  # 99 sits on rep 2's account
        (Actor(3, Role.REP, 1, "rep 3"), {3, 99}, {30}),
        (Actor(1, Role.MANAGER, 1, "manager 1"), {2, 3, 99}, {20, 30}),
        (Actor(4, Role.REP, 2, "rep 4"), {4}, {40}),
    ],
)
def test_frames_follow_the_actor_scope(
    warehouse: Warehouse, actor: Actor, deals: set[int], orders: set[int]
) -> None:
    with warehouse.connect(read_only=True) as conn:
        src = scoped_source(conn, actor)
        assert set(deal_frame(src)["deal_id"]) == deals
        assert set(order_frame(src)["account_id"]) == orders
