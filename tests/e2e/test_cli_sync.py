"""``salestrack sync``: the warehouse lands beside the store and Parquet is partitioned."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from salestrack.cli.app import build_app
from salestrack.config import Settings, warehouse_path_for
from salestrack.domain.clock import FixedClock
from salestrack.services import activities
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork
from tests.factories import make_rep
from tests.warehouse_holder import held_by_another_process

runner = CliRunner()


def test_warehouse_path_defaults_beside_a_sqlite_store(tmp_path: Path) -> None:
    assert warehouse_path_for(f"sqlite:///{tmp_path / 'crm.db'}") == tmp_path / "crm.duckdb"
    assert warehouse_path_for("postgresql+psycopg://h/db") == Path("salestrack.duckdb")
    assert Settings(analytics_path="/x/w.duckdb").warehouse_path() == Path("/x/w.duckdb")


def test_imports_sync_a_configured_warehouse_only(tmp_path: Path) -> None:
    """Beside a SQLite file, or where SALESTRACK_ANALYTICS_PATH says; a server store alone
    names no place, and ./salestrack.duckdb of any directory would be a stray copy."""
    plain, configured = Settings(analytics_path=None), Settings(analytics_path="/x/w.duckdb")
    server = "postgresql+psycopg://h/db"
    assert plain.configured_warehouse(f"sqlite:///{tmp_path / 'crm.db'}") == tmp_path / "crm.duckdb"
    assert plain.configured_warehouse(server) is None
    assert plain.configured_warehouse("sqlite://") is None
    assert configured.configured_warehouse(server) == Path("/x/w.duckdb")


def test_sync_then_parquet_export(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crm.db'}"
    assert runner.invoke(build_app(), ["init", "--db", db]).exit_code == 0
    engine = make_engine(db)
    uow = UnitOfWork(engine, FixedClock(datetime(2026, 1, 31, 23, 0, tzinfo=UTC)))
    _, rep = make_rep(uow)
    for day in (datetime(2026, 1, 31, 23, 0, tzinfo=UTC), datetime(2026, 2, 1, 0, 0, tzinfo=UTC)):
        activities.log_activity(uow, rep, type="call", outcome="connected", started_at=day)
    engine.dispose()

    result = runner.invoke(build_app(), ["sync", "--db", db, "--parquet", str(tmp_path / "pq")])
    assert result.exit_code == 0, result.output
    assert "activities" in result.output
    assert "data as of" in result.output
    assert (tmp_path / "crm.duckdb").exists()
    partitions = sorted(p.name for p in (tmp_path / "pq" / "activities").glob("*/*"))
    assert partitions == ["month=1", "month=2"]
    rows = duckdb.sql(
        f"select count(*) from read_parquet('{tmp_path}/pq/activities/*/*/*.parquet')"
    ).fetchone()
    assert rows == (2,)
    assert (tmp_path / "pq" / "_sync_state").is_dir()


def test_metrics_command_lists_computes_and_scopes(tmp_path: Path) -> None:
    from tests import golden_org

    org = golden_org.build(tmp_path)
    org.engine.dispose()
    common = ["--db", f"sqlite:///{tmp_path / 'golden.db'}", "--warehouse", str(org.warehouse.path)]
    listed = runner.invoke(build_app(), ["metrics", "--list"])
    assert listed.exit_code == 0 and "win_rate" in listed.output

    window = ["--from", "2026-03-01", "--to", "2026-04-01", "--tz", golden_org.NY]
    args = ["metrics", "calls_made", "connect_rate", "--by", "rep", *window, *common]
    table = runner.invoke(build_app(), args)
    assert table.exit_code == 0, table.output
    assert "Ann" in table.output and "33.3 %" in table.output  # a1 of a1, a2, a5 connected
    assert "data as of" in table.output

    mine = runner.invoke(build_app(), [*args, "--json", "--as", "cat@example.com"])
    assert mine.exit_code == 0, mine.output
    answer = json.loads(mine.output)
    assert answer["as_of"] is not None
    assert answer["rows"] == [{"rep": org.ids["cat"], "calls_made": 2, "connect_rate": 1.0}]

    bad = runner.invoke(build_app(), ["metrics", "calls_made", "--period", "year", *common])
    assert bad.exit_code == 2
    assert "period" in bad.output


def test_sync_of_a_warehouse_a_server_holds_says_so(tmp_path: Path) -> None:
    """No traceback: one line naming the file and why, and the conflict exit code."""
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert runner.invoke(build_app(), ["init", "--db", db]).exit_code == 0
    with held_by_another_process(tmp_path / "s.duckdb"):
        result = runner.invoke(build_app(), ["sync", "--db", db])
    assert result.exit_code == 5, result.output
    said = " ".join(result.output.split())
    assert "s.duckdb is held by another process" in said and "Traceback" not in said
    assert runner.invoke(build_app(), ["sync", "--db", db]).exit_code == 0
