"""Load a simulated org into an initialised store through the bulk load path.

Symbolic columns become ids of the seeded reference data (activity types, the default pipeline's
stages). Simulated ids are shifted past the ids already in the store, so the org can be loaded
next to existing rows (e.g. an admin user). The two reference cycles of the schema
(teams.manager_id -> users, leads.converted_deal_id -> deals) are closed after both sides are in,
with one numbered and audited UPDATE batch each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, func, select, update

from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import Clock, SystemClock
from salestrack.domain.vocab import DEFAULT_PIPELINE
from salestrack.errors import ConfigurationError, Conflict
from salestrack.simulate.generator import TABLE_ORDER, SimulatedOrg
from salestrack.simulate.people import SOURCE
from salestrack.store import change_seq
from salestrack.store.bulk import bulk_insert, record_bulk_event
from salestrack.store.models import (
    ActivityType,
    Base,
    Cadence,
    Experiment,
    Pipeline,
    Stage,
    Team,
    User,
)

Progress = Callable[[int], None]
# Columns whose rows reference a row loaded later; loaded empty, then set by _set_links.
DEFERRED: dict[str, str] = {"teams": "manager_id", "leads": "converted_deal_id"}


def load_into_store(
    engine: Engine,
    org: SimulatedOrg,
    progress: Progress | None = None,
    *,
    clock: Clock | None = None,
) -> dict[str, int]:
    """Insert every simulated table; returns the number of rows loaded per table.

    ``progress(rows)`` is called as chunks land (rows just written; they add up to the
    total of ``org.counts()``). The store
    must be initialised (``init_store``). Raises Conflict, before writing anything, when the
    store already holds simulated data or one of its unique names.
    """
    clock = clock or SystemClock()
    with engine.connect() as conn:
        type_ids, stage_ids, pipeline_id = _reference_ids(conn)
        _check_free(conn, org)
        offsets = {name: _max_id(conn, name) for name in org.tables}
    frames = {name: _shift_ids(name, frame, offsets) for name, frame in org.tables.items()}
    _map_symbols(frames, type_ids, stage_ids, pipeline_id)
    counts: dict[str, int] = {}
    for name in TABLE_ORDER:
        frame = frames.get(name)
        if frame is None:
            continue
        deferred = DEFERRED.get(name)
        rows = frame.drop(columns=[deferred]) if deferred else frame
        rows = rows.drop(columns=[c for c in rows.columns if rows[c].isna().all()])
        counts[name] = bulk_insert(engine, name, rows, clock=clock, progress=progress)
        if name == "users":
            _set_links(engine, "teams", "manager_id", frames["teams"], clock)
        if name == "deals":
            _set_links(engine, "leads", "converted_deal_id", frames["leads"], clock)
    return counts


def _reference_ids(conn: Connection) -> tuple[dict[str, int], dict[str, int], int]:
    types = dict(conn.execute(select(ActivityType.key, ActivityType.id)).tuples().all())
    pipeline = conn.execute(
        select(Pipeline.id).where(Pipeline.name == DEFAULT_PIPELINE)
    ).scalar_one_or_none()
    if pipeline is None or not types:
        raise ConfigurationError("the store is not initialised; run `salestrack init` first")
    stages = dict(
        conn.execute(select(Stage.name, Stage.id).where(Stage.pipeline_id == pipeline))
        .tuples()
        .all()
    )
    return (
        {str(k): int(v) for k, v in types.items()},
        {str(k): int(v) for k, v in stages.items()},
        int(pipeline),
    )


def _check_free(conn: Connection, org: SimulatedOrg) -> None:
    """Refuse, before any write, a load that would collide with rows already stored."""
    from salestrack.store.models import Account

    if conn.execute(select(Account.id).where(Account.source == SOURCE).limit(1)).first():
        raise Conflict("the store already holds a simulated org; use a fresh store")
    checks: list[tuple[Any, str, str]] = [
        (Team.name, "teams", "name"),
        (User.email, "users", "email"),
        (Cadence.name, "cadences", "name"),
        (Experiment.name, "experiments", "name"),
    ]
    for column, table, field in checks:
        wanted = [str(v) for v in org.tables[table][field]]
        taken = conn.execute(select(column).where(column.in_(wanted)).limit(1)).scalar()
        if taken is not None:
            raise Conflict(f"{table}.{field} {taken!r} already exists in the store")


def _max_id(conn: Connection, table_name: str) -> int:
    table = Base.metadata.tables[table_name]
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())


def _shift_ids(name: str, frame: pd.DataFrame, offsets: dict[str, int]) -> pd.DataFrame:
    """Add each table's id offset to its ids and to every foreign key pointing at it."""
    table = Base.metadata.tables[name]
    shifts = {"id": offsets[name]}
    for fk in table.foreign_keys:
        target = fk.column.table.name
        if target in offsets and fk.parent.name in frame.columns:
            shifts[fk.parent.name] = offsets[target]
    active = {col: off for col, off in shifts.items() if off}
    if not active:
        return frame
    return frame.assign(**{col: frame[col] + off for col, off in active.items()})


def _codes_to_ids(values: pd.Series, ids: dict[str, int], what: str) -> np.ndarray[Any, Any]:
    """Ids for a symbolic column (categorical or text); missing stays missing (0 -> NA)."""
    cat = values.astype("category")
    unknown = set(cat.cat.categories) - set(ids)
    if unknown:
        raise ConfigurationError(f"the store has no {what} {sorted(unknown)[0]!r}")
    lookup = np.array([ids[str(c)] for c in cat.cat.categories] + [0], dtype=np.int64)
    return lookup[cat.cat.codes.to_numpy()]  # code -1 (missing) picks the trailing 0


def _map_symbols(
    frames: dict[str, pd.DataFrame],
    type_ids: dict[str, int],
    stage_ids: dict[str, int],
    pipeline_id: int,
) -> None:
    """Replace symbolic columns by ids (new frames; the org's own frames stay untouched)."""
    for name in ("activities", "cadence_steps"):
        if name in frames:
            frame = frames[name]
            ids = _codes_to_ids(frame["type_key"], type_ids, "activity type")
            frames[name] = frame.assign(type_id=ids).drop(columns=["type_key"])
    if "deals" in frames:
        deals = frames["deals"]
        stage = _codes_to_ids(deals["stage_name"], stage_ids, "stage")
        deals = deals.assign(stage_id=stage, pipeline_id=pipeline_id)
        frames["deals"] = deals.drop(columns=["stage_name"])
    if "stage_changes" in frames:
        changes = frames["stage_changes"]
        mapped = {}
        for side in ("from", "to"):
            ids = _codes_to_ids(changes[f"{side}_stage_name"], stage_ids, "stage")
            mapped[f"{side}_stage_id"] = pd.arrays.IntegerArray(ids, ids == 0)
        changes = changes.assign(**mapped)
        frames["stage_changes"] = changes.drop(columns=["from_stage_name", "to_stage_name"])


def _set_links(
    engine: Engine, table_name: str, column: str, frame: pd.DataFrame, clock: Clock
) -> None:
    """Set ``column`` of already loaded rows in one transaction, with fresh change numbers."""
    present = frame[column].notna().to_numpy()
    ids = frame["id"].to_numpy()[present].astype(np.int64)
    values = frame[column].to_numpy()[present].astype(np.int64)
    if len(ids) == 0:
        return
    table = Base.metadata.tables[table_name]
    now = clock.now()
    with engine.begin() as conn:
        numbers = change_seq.reserve(conn, len(ids))
        stmt = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({column: bindparam("link"), "change_seq": bindparam("seq"), "updated_at": now})
        )
        params = [
            {"row_id": int(i), "link": int(v), "seq": seq}
            for i, v, seq in zip(ids, values, numbers, strict=True)
        ]
        conn.execute(stmt, params)
        record_bulk_event(
            conn,
            SYSTEM,
            "bulk.link",
            table_name,
            now,
            {"column": column, "rows": len(ids), "first_change_seq": numbers[0]},
        )
