"""``salestrack backup`` and ``restore``: a round trip gives back every row, on both stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from salestrack.cli.app import build_app
from salestrack.services import accounts, activities
from salestrack.store.models import Base
from salestrack.store.uow import UnitOfWork
from tests.factories import make_account, make_deal, make_rep

runner = CliRunner()


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order."""
    with engine.connect() as conn:
        return {
            name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))]
            for name, table in sorted(Base.metadata.tables.items())
        }


def test_backup_then_restore_round_trip(
    engine: Engine, uow: UnitOfWork, db_url: str, tmp_path: Path
) -> None:
    _, rep = make_rep(uow)
    account = make_account(uow, rep, name="O'Hara & Söhne <b>")
    make_deal(uow, rep, account_id=account.id)
    activities.log_activity(uow, rep, type="call", outcome="connected", account_id=account.id)
    before = _snapshot(engine)
    assert sum(len(rows) for rows in before.values()) > 20
    file = tmp_path / "store.backup"
    result = runner.invoke(build_app(), ["backup", str(file), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert file.stat().st_size > 0

    accounts.update_account(uow, rep, account.id, name="Changed after the backup")
    make_account(uow, rep)
    assert _snapshot(engine) != before

    engine.dispose()
    result = runner.invoke(build_app(), ["restore", str(file), "--db", db_url, "--yes"])
    assert result.exit_code == 0, result.output
    assert _snapshot(engine) == before


def test_restore_refuses_a_missing_file(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    result = runner.invoke(build_app(), ["restore", str(tmp_path / "nope"), "--db", db, "--yes"])
    assert result.exit_code == 6 and "not a backup file" in " ".join(result.output.split())
