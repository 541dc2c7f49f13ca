"""What each importable entity accepts: its fields, their column-wise checks and its links.

One spec per table, declared once and used by :mod:`salestrack.services.imports` for every
importer. The checks mirror the services' scalar field rules (same vocabularies and limits).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import select

from salestrack.domain.vocab import (
    DEFAULT_PIPELINE,
    PURPOSES,
    RESULTS,
    AccountStatus,
    ActivityStatus,
    Direction,
    LeadStatus,
    StageKind,
)
from salestrack.services import import_rules as col
from salestrack.services.import_rules import RowProblems
from salestrack.store.models import (
    Account,
    Activity,
    ActivityType,
    Contact,
    Deal,
    Lead,
    Order,
    Pipeline,
    Stage,
    Tracked,
)
from salestrack.store.uow import UnitOfWork


@dataclass(frozen=True)
class Lookups:
    """Reference data a check needs: activity types by key, stages of the default pipeline."""

    types: Mapping[str, ActivityType]
    stages: Mapping[str, Stage]  # by case-folded name

    @classmethod
    def load(cls, uow: UnitOfWork) -> Lookups:
        types = {t.key: t for t in uow.activity_types.list(limit=10_000, is_active=True)}
        pipeline = uow.session.scalars(
            select(Pipeline).where(Pipeline.name == DEFAULT_PIPELINE)
        ).first()
        stages: dict[str, Stage] = {}
        if pipeline is not None:
            rows = uow.session.scalars(select(Stage).where(Stage.pipeline_id == pipeline.id))
            stages = {s.name.casefold(): s for s in rows}
        return cls(types=types, stages=stages)


Check = Callable[[pd.DataFrame, RowProblems, Lookups, datetime], pd.DataFrame]


@dataclass(frozen=True)
class EntitySpec:
    """An importable table: its check, owner and links, and how new rows are written."""

    model: type[Tracked]
    check: Check
    fields: tuple[str, ...]
    links: Mapping[str, type[Tracked]] = field(default_factory=dict)
    required_links: frozenset[str] = frozenset()
    # Links whose record's account fills an empty account, first found wins (log_activity's order).
    account_from: tuple[str, ...] = ()
    has_owner: bool = True
    owner_required: bool = False
    bulk: bool = True  # new rows have no side effects, so they may skip the ORM
    money: tuple[str, ...] = ()
    derived: tuple[str, ...] = ()  # helper columns the bulk insert must not see
    keep_on_update: frozenset[str] = frozenset({"logged_at"})


def _activities(f: pd.DataFrame, p: RowProblems, look: Lookups, now: datetime) -> pd.DataFrame:
    kind = col.choice(f, p, "type", look.types, required=True)
    status = col.choice(f, p, "status", [s.value for s in ActivityStatus], default="done")
    outcome = col.text(f, p, "outcome", max_len=32)
    result = col.choice(f, p, "result", RESULTS)
    done = (status == ActivityStatus.DONE).to_numpy()
    p.add("outcome", done & outcome.isna().to_numpy(), "is required for a done activity")
    pairs = {f"{k}/{o}" for k, t in look.types.items() for o in t.outcomes}
    pair_ok = (kind.fillna("") + "/" + outcome.fillna("")).isin(pairs)
    vocab = {k: ", ".join(t.outcomes) for k, t in look.types.items()}
    p.add_each(
        "outcome",
        (outcome.notna() & ~pair_ok).to_numpy(),
        lambda i: f"{outcome[i]!r} is not an outcome of a {kind[i]} ({vocab.get(kind[i])})",
    )
    with_result = kind.map({k: t.has_result for k, t in look.types.items()}).fillna(False)
    p.add(
        "result", (result.notna() & ~with_result.astype(bool)).to_numpy(), "this type has no result"
    )
    started = col.timestamp(f, p, "started_at", now)
    due = col.timestamp(f, p, "due_at", now)
    p.add("started_at", done & started.isna().to_numpy(), "is required for a done activity")
    planned = (status == ActivityStatus.PLANNED).to_numpy()
    p.add("due_at", planned & due.isna().to_numpy(), "is required for a planned activity")
    lat, lon = col.coordinates(f, p)
    return pd.DataFrame(
        {
            "type_id": kind.map({k: t.id for k, t in look.types.items()}).astype("Int64"),
            "status": status,
            "outcome": outcome,
            "result": result,
            "purpose": col.choice(f, p, "purpose", PURPOSES),
            "direction": col.choice(
                f, p, "direction", [d.value for d in Direction], default="outbound"
            ),
            "subject": col.text(f, p, "subject", max_len=500),
            "notes": col.text(f, p, "notes", max_len=100_000),
            "next_step": col.text(f, p, "next_step", max_len=500),
            "due_at": due,
            "started_at": started,
            "duration_s": col.number(
                f, p, "duration_s", low=0, high=col.MAX_DURATION, whole=True
            ).astype("Int64"),
            "completed_at": started.where(done),
            "logged_at": pd.Series(pd.Timestamp(now), index=f.index),
            "latitude": lat,
            "longitude": lon,
        }
    )


def _created(f: pd.DataFrame, p: RowProblems, now: datetime) -> pd.Series:
    """When the source created each record; empty means the time of the import.

    Imported history keeps its dates: leads created per month (prospecting), a deal's cycle
    length and velocity measure the CRM's past, not the day of the import.
    """
    created = col.timestamp(f, p, "created_at", now)
    p.add("created_at", (created > pd.Timestamp(now)).to_numpy(), "is in the future")
    return created


def _accounts(f: pd.DataFrame, p: RowProblems, look: Lookups, now: datetime) -> pd.DataFrame:
    country = col.text(f, p, "country", max_len=2).str.upper()
    zone = col.text(f, p, "time_zone", max_len=64).fillna("UTC")
    known = set(_zones())
    p.add(
        "time_zone",
        (~zone.isin(known)).to_numpy(),
        "{} is not an IANA time zone",
        zone,
    )
    lat, lon = col.coordinates(f, p)
    return pd.DataFrame(
        {
            "name": col.text(f, p, "name", max_len=255, required=True),
            "status": col.choice(
                f, p, "status", [s.value for s in AccountStatus], default="prospect"
            ),
            "industry": col.text(f, p, "industry", max_len=120),
            "segment": col.text(f, p, "segment", max_len=32),
            "employees": col.number(f, p, "employees", low=0, whole=True).astype("Int64"),
            "region": col.text(f, p, "region", max_len=120),
            "address": col.text(f, p, "address", max_len=500),
            "country": country,
            "latitude": lat,
            "longitude": lon,
            "time_zone": zone,
            "created_at": _created(f, p, now),
        }
    )


def _zones() -> set[str]:
    import zoneinfo

    return set(zoneinfo.available_timezones())


def _contacts(f: pd.DataFrame, p: RowProblems, look: Lookups, now: datetime) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": col.text(f, p, "name", max_len=200, required=True),
            "email": col.email(f, p, "email"),
            "phone": col.text(f, p, "phone", max_len=64),
            "title": col.text(f, p, "title", max_len=200),
            "created_at": _created(f, p, now),
        }
    )


def _leads(f: pd.DataFrame, p: RowProblems, look: Lookups, now: datetime) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": col.text(f, p, "name", max_len=200, required=True),
            "company": col.text(f, p, "company", max_len=255),
            "email": col.email(f, p, "email"),
            "phone": col.text(f, p, "phone", max_len=64),
            "lead_source": col.text(f, p, "lead_source", max_len=64),
            "status": col.choice(f, p, "status", [s.value for s in LeadStatus], default="new"),
            "created_at": _created(f, p, now),
        }
    )


def _currency(f: pd.DataFrame, p: RowProblems) -> pd.Series:
    code = col.text(f, p, "currency", max_len=16).str.upper().fillna("USD")
    bad = ~code.str.fullmatch(r"[A-Z]{3}").astype(bool)
    p.add("currency", bad.to_numpy(), "{} is not a three-letter ISO 4217 code", code)
    return code


def _orders(f: pd.DataFrame, p: RowProblems, look: Lookups, now: datetime) -> pd.DataFrame:
    amount = col.money(f, p, "amount", negative=True)
    p.add("amount", amount.isna().to_numpy(), "is required")
    return pd.DataFrame(
        {
            "amount": amount,
            "currency": _currency(f, p),
            "ordered_at": col.timestamp(f, p, "ordered_at", now, required=True),
        }
    )


def _deals(f: pd.DataFrame, p: RowProblems, look: Lookups, now: datetime) -> pd.DataFrame:
    names = ", ".join(s.name for s in sorted(look.stages.values(), key=lambda s: s.position))
    raw = col.text(f, p, "stage", max_len=120)
    first_open = min(
        (s for s in look.stages.values() if s.kind == StageKind.OPEN), key=lambda s: s.position
    )
    stage = raw.map(lambda v: first_open if v is None else look.stages.get(v.casefold()))
    p.add("stage", stage.isna().to_numpy(), f"{{}} is not a stage ({names})", raw)
    amount = col.money(f, p, "amount", negative=False)
    p.add("amount", amount.isna().to_numpy(), "is required")
    closed = col.timestamp(f, p, "closed_at", now)
    is_closed = stage.map(lambda s: s is not None and s.kind != StageKind.OPEN).astype(bool)
    # A deal created after it closed would make its cycle length and velocity negative.
    created = _created(f, p, now)
    after_close = is_closed.to_numpy() & (created > closed).to_numpy()
    p.add_each(
        "created_at",
        after_close,
        lambda i: (
            f"{created[i]:%Y-%m-%d %H:%M} UTC is after the close ({closed[i]:%Y-%m-%d %H:%M})"
        ),
    )
    return pd.DataFrame(
        {
            "name": col.text(f, p, "name", max_len=255, required=True),
            "created_at": created,
            "amount": amount,
            "currency": _currency(f, p),
            "expected_close": col.timestamp(f, p, "expected_close", now),
            "lost_reason": col.text(f, p, "lost_reason", max_len=255),
            "stage": stage,
            "entered_at": closed.where(is_closed.to_numpy(), pd.NaT),
        }
    )


SPECS: dict[str, EntitySpec] = {
    "activities": EntitySpec(
        Activity,
        _activities,
        fields=(
            "type",
            "status",
            "outcome",
            "result",
            "purpose",
            "direction",
            "subject",
            "notes",
            "next_step",
            "due_at",
            "started_at",
            "duration_s",
            "latitude",
            "longitude",
            "owner",
            "account",
            "contact",
            "deal",
            "lead",
        ),
        links={"account": Account, "contact": Contact, "deal": Deal, "lead": Lead},
        account_from=("deal", "contact"),
        owner_required=True,
    ),
    "accounts": EntitySpec(
        Account,
        _accounts,
        fields=(
            "name",
            "status",
            "industry",
            "segment",
            "employees",
            "region",
            "address",
            "country",
            "latitude",
            "longitude",
            "time_zone",
            "created_at",
            "owner",
        ),
    ),
    "contacts": EntitySpec(
        Contact,
        _contacts,
        fields=("name", "email", "phone", "title", "created_at", "owner", "account"),
        links={"account": Account},
    ),
    "leads": EntitySpec(
        Lead,
        _leads,
        fields=(
            "name",
            "company",
            "email",
            "phone",
            "lead_source",
            "status",
            "created_at",
            "owner",
        ),
    ),
    "deals": EntitySpec(
        Deal,
        _deals,
        fields=(
            "name",
            "amount",
            "currency",
            "stage",
            "created_at",
            "closed_at",
            "expected_close",
            "lost_reason",
            "owner",
            "account",
            "contact",
        ),
        links={"account": Account, "contact": Contact},
        bulk=False,
        money=("amount",),
        derived=("stage", "entered_at"),
    ),
    "orders": EntitySpec(
        Order,
        _orders,
        fields=("account", "amount", "currency", "ordered_at"),
        links={"account": Account},
        required_links=frozenset({"account"}),
        has_owner=False,
        money=("amount",),
    ),
}


def accepted_fields(entity: str) -> tuple[str, ...]:
    """The import field names an entity accepts (mappings are checked against these)."""
    return SPECS[entity].fields


__all__ = ["SPECS", "EntitySpec", "Lookups", "accepted_fields"]
