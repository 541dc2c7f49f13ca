"""Shared fixtures: a fresh store on SQLite and on PostgreSQL for every store/service test.

PostgreSQL comes from ``SALESTRACK_TEST_PG_URL`` (default: local server, database
``salestrack_test``). Each test gets its own schema, so tests stay isolated. When the server is
unreachable the PostgreSQL half is skipped locally, but fails when ``CI`` is set: CI must
prove both stores work, never pass by skipping one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from salestrack.domain.clock import FixedClock
from salestrack.services.setup import init_store
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork

PG_URL = os.environ.get(
    "SALESTRACK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/salestrack_test"
)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning


def _shared_data() -> Path:
    """``../shared/data`` next to the project; from a worktree (/work/wt/x) it is further up."""
    root = Path(__file__).resolve().parents[1]
    for parent in root.parents:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared" / "data"
    return root.parent / "shared" / "data"


SHARED_DATA = _shared_data()


def _pg_reachable() -> str | None:
    probe = create_engine(PG_URL)
    try:
        with probe.connect() as conn:
            conn.execute(text("select 1"))
    except OperationalError as exc:
        return str(exc).splitlines()[0]
    finally:
        probe.dispose()
    return None


@pytest.fixture(scope="session")
def pg_available() -> None:
    problem = _pg_reachable()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL unreachable in CI ({PG_URL}): {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")


@contextmanager
def private_pg_schema() -> Iterator[str]:
    """A URL whose connections live in a fresh, private schema; dropped afterwards.

    For fixtures of any scope; check ``pg_available`` first.
    """
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_schema_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL whose connections live in a fresh, private schema; dropped afterwards."""
    request.getfixturevalue("pg_available")
    with private_pg_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("pg_schema_url")
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated and seeded store."""
    eng = make_engine(db_url)
    init_store(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def uow(engine: Engine, clock: FixedClock) -> UnitOfWork:
    return UnitOfWork(engine, clock)
