"""Migrations create exactly the tables the models declare, and revert cleanly, on both stores."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from salestrack.services.setup import init_store
from salestrack.store import migrate
from salestrack.store.engine import make_engine
from salestrack.store.models import Base


def test_upgrade_matches_models_then_downgrade_empties(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        migrate.downgrade(engine, "base")
        assert migrate.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)  # and up again, from nothing
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_init_is_idempotent(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        first = init_store(engine)
        assert any(line.startswith("migrated") for line in first)
        assert init_store(engine) == []
    finally:
        engine.dispose()


def test_sqlite_store_runs_in_wal_with_foreign_keys(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/s.db")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
