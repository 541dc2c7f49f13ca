"""Change numbers: consecutive blocks, writers that do not queue, and a sync that skips none."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from salestrack.analytics.sync import SyncReport, sync
from salestrack.analytics.warehouse import Warehouse
from salestrack.domain.actor import SYSTEM
from salestrack.errors import Conflict
from salestrack.store import change_seq
from salestrack.store.models import Account
from salestrack.store.uow import UnitOfWork
from tests.factories import make_account


def test_blocks_are_consecutive_and_never_overlap(engine: Engine) -> None:
    with engine.begin() as conn:
        first = change_seq.reserve(conn, 5)
        second = change_seq.reserve(conn, 1)
        assert change_seq.current(conn) == second[-1]
    assert len(first) == 5
    assert list(first) == list(range(first[0], first[0] + 5))
    assert second[0] == first[-1] + 1
    with engine.connect() as conn:
        assert change_seq.committed_bound(conn) == second[-1]


ON_POSTGRES = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@ON_POSTGRES
def test_postgres_writers_hold_numbers_side_by_side(engine: Engine) -> None:
    """A writer holding numbers until commit does not make the next writer wait."""
    with engine.connect() as slow, engine.connect() as fast, engine.connect() as probe:
        slow.begin()
        held = change_seq.reserve(slow, 3)
        fast.begin()
        fast.execute(text("SET LOCAL lock_timeout = '2s'"))  # a queued writer would fail here
        later = change_seq.reserve(fast, 1)
        fast.commit()
        assert later[0] > held[-1]

        with pytest.raises(Conflict, match="held change numbers"):
            change_seq.committed_bound(probe, wait_seconds=0.3)
        probe.rollback()
        slow.commit()
        assert change_seq.committed_bound(probe, wait_seconds=5) >= later[0]


@ON_POSTGRES
def test_postgres_sync_waits_for_a_number_that_commits_late(engine: Engine, tmp_path: Path) -> None:
    """The late commit holds the smaller number; a sync that ran past it would lose the row."""
    warehouse = Warehouse(tmp_path / "w.duckdb")
    late, early = UnitOfWork(engine), UnitOfWork(engine)
    with late(SYSTEM):
        late.accounts.add(Account(name="Committed last"))  # flushes: takes its number now
        make_account(early, name="Committed first")  # a larger number, committed at once
        reports: list[SyncReport] = []
        syncing = threading.Thread(target=lambda: reports.append(sync(engine, warehouse)))
        syncing.start()
        syncing.join(timeout=0.5)
        assert syncing.is_alive(), "the sync must wait for the transaction holding a number"
        late.commit()
    syncing.join(timeout=30)
    assert reports[0].copied["accounts"] == 2
    with warehouse.connect(read_only=True) as duck:
        names = duck.execute("select name from accounts order by change_seq").fetchall()
    assert names == [("Committed last",), ("Committed first",)]
