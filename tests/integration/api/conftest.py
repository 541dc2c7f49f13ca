"""An API over a fresh store (SQLite and PostgreSQL) and a small org of two teams.

North and South each have a manager and two reps; there is one admin. Everyone holds a write
token; ``read_only`` is a read-scoped token of the North rep.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from salestrack.api.app import create_app
from salestrack.config import Settings
from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import FixedClock
from salestrack.services import tokens, users
from salestrack.store.models import User
from salestrack.store.uow import UnitOfWork
from salestrack.web.app import WebSettings


@dataclass(frozen=True)
class Member:
    user: User
    token: str

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class Org:
    admin: Member
    north_manager: Member
    north_rep: Member
    north_rep2: Member
    south_manager: Member
    south_rep: Member
    read_only: Member

    def members(self) -> dict[str, Member]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _member(
    uow: UnitOfWork, email: str, role: str, team: str | None, scope: str = "write"
) -> Member:
    # No passwords: Argon2 is slow on purpose, and these members sign in with tokens.
    if team is None:
        user = users.create_user(uow, SYSTEM, email=email, name=email, role=role)
    else:
        user = users.add_user_to_team(uow, SYSTEM, email=email, name=email, role=role, team=team)
    issued = tokens.create_token(uow, SYSTEM, name="test", scope=scope, user_id=user.id)
    return Member(user, issued.plaintext)


@pytest.fixture
def org(uow: UnitOfWork) -> Org:
    north_rep = _member(uow, "nora@north.example", "rep", "North")
    read = tokens.create_token(uow, SYSTEM, name="ro", scope="read", user_id=north_rep.id)
    return Org(
        admin=_member(uow, "ada@example.com", "admin", None),
        north_manager=_member(uow, "nick@north.example", "manager", "North"),
        north_rep=north_rep,
        north_rep2=_member(uow, "ned@north.example", "rep", "North"),
        south_manager=_member(uow, "sam@south.example", "manager", "South"),
        south_rep=_member(uow, "sue@south.example", "rep", "South"),
        read_only=Member(north_rep.user, read.plaintext),
    )


def api_settings(**overrides: object) -> Settings:
    return Settings(**{"webhooks_enabled": False, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def app(engine: Engine, clock: FixedClock, tmp_path: Path) -> FastAPI:
    """The app with a warehouse of its own (a PostgreSQL store's default is the working
    directory's), re-synced before every metric or insight so each test sees its writes."""
    settings = api_settings(analytics_path=str(tmp_path / "warehouse.duckdb"))
    return create_app(settings, engine, clock=clock, web=WebSettings(warehouse_max_age_s=0))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
