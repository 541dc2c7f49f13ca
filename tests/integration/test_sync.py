"""The warehouse follows the store incrementally: inserts, updates and deletes, on both stores."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

from salestrack.analytics.sync import sync
from salestrack.analytics.warehouse import Warehouse
from salestrack.domain.actor import SYSTEM
from salestrack.services import accounts
from salestrack.services.deals import move_deal_stage
from salestrack.store.uow import UnitOfWork
from tests.factories import make_account, make_deal, make_rep


def _rows(warehouse: Warehouse, sql: str) -> list[tuple[object, ...]]:
    with warehouse.connect(read_only=True) as duck:
        return duck.execute(sql).fetchall()


def test_sync_copies_changes_only_once(engine: Engine, uow: UnitOfWork, tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb")
    _, rep = make_rep(uow)
    account = make_account(uow, rep, name="Old name")
    deal = make_deal(uow, rep, account_id=account.id, amount="99.95")
    first = sync(engine, warehouse)
    assert first.copied["accounts"] == 1
    assert first.copied["deals"] == 1
    assert first.as_of is not None
    assert sync(engine, warehouse).total == 0

    accounts.update_account(uow, rep, account.id, name="New name")
    move_deal_stage(uow, rep, deal.id, "Won")
    again = sync(engine, warehouse)
    assert again.copied["accounts"] == 1
    assert again.copied["stage_changes"] == 1
    assert _rows(warehouse, "select id, name from accounts") == [(account.id, "New name")]
    assert _rows(warehouse, "select amount, closed_at is not null from deals") == [
        (Decimal("99.95"), True)
    ]
    assert _rows(warehouse, "select count(*) from orders") == [(1,)]

    move_deal_stage(uow, rep, deal.id, "Proposal")  # reopening deletes the win's order
    assert sync(engine, warehouse).deleted == 1
    assert _rows(warehouse, "select count(*) from orders") == [(0,)]


def test_sync_resumes_from_its_high_water_mark(
    engine: Engine, uow: UnitOfWork, tmp_path: Path
) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb")
    _, rep = make_rep(uow)
    for _ in range(5):
        make_account(uow, rep)
    report = sync(engine, warehouse, chunk_rows=2)  # three chunks, each its own commit
    assert report.copied["accounts"] == 5
    with uow(SYSTEM):
        newest = max(a.change_seq for a in uow.accounts.list())
    assert _rows(warehouse, "select last_seq from _sync_state where table_name = 'accounts'") == [
        (newest,)
    ]


def test_a_table_whose_columns_changed_is_copied_again_whole(
    engine: Engine, uow: UnitOfWork, tmp_path: Path
) -> None:
    """A warehouse made before a migration added a column (0004 added two to activities)."""
    warehouse = Warehouse(tmp_path / "w.duckdb")
    _, rep = make_rep(uow)
    make_account(uow, rep, name="Kept")
    sync(engine, warehouse)
    with warehouse.connect() as duck:
        duck.execute('ALTER TABLE accounts DROP COLUMN "time_zone"')
    make_account(uow, rep, name="New")
    report = sync(engine, warehouse)
    assert report.copied["accounts"] == 2  # both rows again, not only the new one
    assert _rows(warehouse, "select name, time_zone is null from accounts order by id") == [
        ("Kept", False),
        ("New", False),
    ]
    assert sync(engine, warehouse).total == 0
