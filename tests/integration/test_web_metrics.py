"""The team overview's win rate, average won amount and cycle length come from the metrics
registry and agree with the leaderboard's own counts, for the whole org and for a subset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from salestrack.analytics.warehouse import Warehouse
from salestrack.domain.actor import SYSTEM
from salestrack.store.engine import make_engine
from salestrack.web.data import (
    WarehouseReader,
    Window,
    data_end,
    leaderboard,
    scope_ids,
    velocity_metrics,
)
from tests.web_seed import seed_web_store


def test_velocity_parts_match_the_leaderboard(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    seed_web_store(engine)
    reader = WarehouseReader(engine, Warehouse(tmp_path / "s.duckdb"), max_age_s=0)
    try:
        every = scope_ids(reader, SYSTEM)
        end = data_end(reader, datetime.now(UTC))
        window = Window(end - timedelta(days=90), end)
        for ids in (every, every[: max(1, len(every) // 2)]):
            board = leaderboard(reader, ids, window)
            won, closed = board["won"].sum(), board["closed"].sum()
            got = velocity_metrics(reader, ids, window)
            assert got["win_rate"] == (pytest.approx(won / closed) if closed else None)
            if won:
                assert got["avg_won"] == pytest.approx(board["won_amount"].sum() / won)
                weighted = (board["cycle_days"] * board["won"]).sum()
                assert got["cycle_days"] == pytest.approx(weighted / won)
    finally:
        reader.close()
