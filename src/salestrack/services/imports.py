"""Import records in chunks: check a chunk column-wise, then create, update or leave each row.

The one write path of every importer (CSV/JSONL mappings, CRM presets, orders, e-mail,
calendar). Rows are keyed by ``(source, external_id)``, so importing the same file again adds
nothing and a changed row updates its record. Each chunk is one transaction: a killed import
leaves whole chunks only, and running it again completes it. New rows of tables whose insert has
no side effects go in through the bulk path (one ``executemany``/``COPY`` per chunk, audited as
one event); updates and deals go through the ORM, so each is audited and deal stages are recorded
as for a deal moved by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from salestrack.domain.actor import Actor
from salestrack.errors import PermissionDenied, ValidationFailed
from salestrack.services import deals as deal_service
from salestrack.services.import_links import Links, ids_by_key
from salestrack.services.import_rules import RowProblems, arrow_text, clean_text, duplicates
from salestrack.services.import_specs import SPECS, EntitySpec, Lookups
from salestrack.services.permissions import check_assign, check_change
from salestrack.store import bulk
from salestrack.store.models import Deal, Stage, Tracked, User
from salestrack.store.uow import UnitOfWork

PREVIEW_ROWS = 10


@dataclass(frozen=True)
class ImportOptions:
    """What is imported and how its references are read."""

    entity: str
    source: str = "import"
    link_source: str | None = None  # the source of referenced records; default: ``source``
    owner_by: str = "email"  # the owner column holds a user's e-mail or name
    automation: bool = True  # False: imported records trigger no automation (history loads)


@dataclass
class Chunk:
    """Rows read from a file: import fields plus ``external_id``, their lines, reader problems."""

    frame: pd.DataFrame
    lines: np.ndarray
    problems: RowProblems | None = None


@dataclass
class ChunkResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[tuple[int, str, str]] = field(default_factory=list)  # line, field, reason
    rejected_positions: list[int] = field(default_factory=list)
    preview: pd.DataFrame | None = None


class _Run:
    """What stays true for a whole import: vocabularies, resolved owners, keys already seen."""

    def __init__(self, uow: UnitOfWork, actor: Actor, options: ImportOptions) -> None:
        if options.entity not in SPECS:
            raise ValidationFailed("entity", f"{options.entity!r} is not one of {', '.join(SPECS)}")
        if options.owner_by not in ("email", "name"):
            raise ValidationFailed("owner_by", "must be email or name")
        self.uow, self.actor, self.options = uow, actor, options
        self.spec: EntitySpec = SPECS[options.entity]
        self.seen = np.empty(0, dtype=np.uint64)  # sorted key hashes of accepted rows
        self.seen_lines = np.empty(0, dtype=np.int64)  # their lines, aligned with ``seen``
        self.owners: dict[str, int | None] = {}
        self.allowed_owners: dict[int, str | None] = {}
        self.lookups: Lookups | None = None
        self.links = Links(uow, actor, self.spec, options.link_source or options.source)
        self.source_was_empty: bool | None = None  # the table had no row of this source

    def check(self, chunk: Chunk) -> tuple[pd.DataFrame, RowProblems, pd.DataFrame]:
        """Validate a chunk column-wise: the store-shaped frame, each row's problem, and the
        import fields as read (what an update may change, see :func:`_given`)."""
        frame, n = chunk.frame.reset_index(drop=True), len(chunk.frame)
        problems = chunk.problems if chunk.problems is not None else RowProblems(n)
        if self.lookups is None:
            self.lookups = Lookups.load(self.uow)
        now = self.uow.clock.now()
        clean = self.spec.check(frame, problems, self.lookups, now)
        keys = frame["external_id"].astype(str).str.strip()
        problems.add("key", (keys == "").to_numpy(), "the natural key is empty")
        duplicates(keys, problems, chunk.lines)
        self._across_chunks(keys, problems, chunk.lines)
        clean["external_id"] = keys
        clean["source"] = self.options.source
        if self.spec.has_owner:
            clean["owner_id"] = self._owners(frame, problems)
        for column, ids in self.links.resolve(frame, problems).items():
            clean[column] = ids
        if self.spec.account_from:
            # Not a given cell: a new record gets the implied account, an existing one keeps its
            # own (a blank cell never changes stored data, see _given).
            self.links.fill_account(clean)
        return clean, problems, frame

    def _across_chunks(self, keys: pd.Series, problems: RowProblems, lines: np.ndarray) -> None:
        """Keys seen in earlier chunks of this file are duplicates too.

        Kept as sorted 64-bit hashes with their first line: 16 bytes a row, so a file of
        millions of rows stays within bounded memory.
        """
        hashes = pd.util.hash_pandas_object(keys, index=False).to_numpy()
        where = np.searchsorted(self.seen, hashes)
        inside = where < len(self.seen)
        again = np.zeros(len(hashes), dtype=bool)
        again[inside] = self.seen[where[inside]] == hashes[inside]
        for position in np.flatnonzero(again):
            first = self.seen_lines[where[position]]
            problems.add_at(int(position), "key", f"duplicate key, first on line {first}")
        keep = ~again & problems.ok
        fresh, fresh_lines = hashes[keep], lines[keep]
        order = np.argsort(fresh, kind="stable")
        fresh, fresh_lines = fresh[order], fresh_lines[order]
        at = np.searchsorted(self.seen, fresh)
        self.seen = np.insert(self.seen, at, fresh)
        self.seen_lines = np.insert(self.seen_lines, at, fresh_lines)

    def existing(self, keys: list[str]) -> dict[str, int]:
        """``external_id -> id`` of the chunk's rows already stored (updated, not created).

        There are none when the table held no row of this source as the run began: the rows
        the run wrote since carry keys of earlier chunks, and a key seen in an earlier chunk is
        refused as a duplicate before it gets here. A fresh load so skips a lookup per key.
        """
        model, source = self.spec.model, self.options.source
        if self.source_was_empty is None:
            src: Any = model.source  # type: ignore[attr-defined]
            first = self.uow.session.scalar(select(model.id).where(src == source).limit(1))
            self.source_was_empty = first is None
        if self.source_was_empty:
            return {}
        return ids_by_key(self.uow, model, source, keys, None)

    def _owners(self, frame: pd.DataFrame, problems: RowProblems) -> pd.Series:
        names = frame["owner"] if "owner" in frame else pd.Series([None] * len(frame))
        names = clean_text(names)
        folded = names.str.casefold()
        missing = [v for v in folded.dropna().unique() if v not in self.owners]
        if missing:
            self._resolve_owners(missing)
        ids = folded.map(self.owners)
        unknown = names.notna() & ids.isna()
        how = self.options.owner_by
        problems.add("owner", unknown.to_numpy(), f"{{}} is not the {how} of a user", names)
        ids = ids.where(names.notna(), self.actor.id)
        if self.spec.owner_required:
            problems.add("owner", ids.isna().to_numpy(), "is required")
        for owner_id in ids.dropna().unique():
            reason = self._may_assign(int(owner_id))
            if reason:
                problems.add("owner", (ids == owner_id).to_numpy(), reason)
        return ids.astype("Int64")

    def _resolve_owners(self, values: list[str]) -> None:
        column = User.email if self.options.owner_by == "email" else User.name
        wanted = {v.casefold() for v in values}
        rows = self.uow.session.execute(
            select(User.id, func.lower(column)).where(func.lower(column).in_(wanted))
        ).all()
        found: dict[str, list[int]] = {}
        for user_id, value in rows:
            found.setdefault(str(value).casefold(), []).append(int(user_id))
        for value in wanted:
            ids = found.get(value, [])
            self.owners[value] = ids[0] if len(ids) == 1 else None

    def _may_assign(self, owner_id: int) -> str | None:
        if owner_id not in self.allowed_owners:
            try:
                check_assign(self.uow, self.actor, owner_id, f"import {self.options.entity}")
                self.allowed_owners[owner_id] = None
            except PermissionDenied as exc:
                self.allowed_owners[owner_id] = exc.reason
        return self.allowed_owners[owner_id]


# Import fields whose store column has another name, and columns derived from a field.
_STORED_AS = {"owner": ("owner_id",), "type": ("type_id",), "stage": ("stage", "entered_at")}
_STORED_AS |= {"started_at": ("started_at", "completed_at")}
_STORED_AS |= {n: (f"{n}_id",) for n in ("account", "contact", "deal", "lead")}


def _given(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per store column, the rows whose import cell was filled in.

    An update sets only those: a blank cell, or a field the mapping does not read, leaves the
    stored value alone (as CRM imports do), so importing a narrower file never wipes data.
    """
    given: dict[str, np.ndarray] = {}
    for name in frame.columns:
        values = frame[name]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            filled = arrow_text(values).is_valid().to_numpy(zero_copy_only=False)
        else:
            filled = values.notna().to_numpy()
        for column in _STORED_AS.get(str(name), (str(name),)):
            given[column] = filled
    return given


def _python(value: Any) -> Any:
    """A pandas/numpy cell as the Python value the ORM stores (NaN/NaT -> None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _records(frame: pd.DataFrame, spec: EntitySpec) -> list[dict[str, Any]]:
    rows = []
    for record in frame.to_dict("records"):
        row = {str(k): _python(v) for k, v in record.items()}
        for name in spec.money:
            if row.get(name) is not None:
                row[name] = Decimal(str(row[name])).quantize(Decimal("0.01"))
        rows.append(row)
    return rows


def _write(
    run: _Run,
    clean: pd.DataFrame,
    fields: pd.DataFrame,
    result: ChunkResult,
    lines: np.ndarray,
    *,
    dry_run: bool,
) -> None:
    """Create the new rows and update the existing ones of the checked, valid rows."""
    uow, spec, actor = run.uow, run.spec, run.actor
    if clean.empty:
        return
    existing = run.existing(clean["external_id"].tolist())
    is_new = ~clean["external_id"].isin(list(existing))
    fresh, old = clean[is_new], clean[~is_new]
    if len(fresh):
        if spec.bulk and not dry_run:
            columns = fresh.drop(columns=list(spec.derived), errors="ignore")
            # Columns empty in every row stay out of the INSERT: the store fills NULL faster.
            columns = columns.loc[:, columns.notna().any().to_numpy()]
            bulk.insert_frame(
                uow.session.connection(),
                spec.model.__tablename__,
                columns,
                actor=actor,
                now=uow.clock.now(),
                action=f"import.{run.options.entity}",
            )
        elif not spec.bulk:
            for row in _records(fresh, spec):
                _add_deal(run, row)
        result.created += len(fresh)
    given = _given(fields) if len(old) else {}  # a fresh load has nothing to update
    for position, row in zip(old.index, _records(old, spec), strict=True):
        row = {k: v for k, v in row.items() if k in given and given[k][position]}
        record = uow.session.get(spec.model, existing[row["external_id"]])
        assert record is not None
        try:
            check_change(uow, actor, getattr(record, "owner_id", None), "update this record")
        except PermissionDenied as exc:
            result.rejects.append((int(lines[position]), "key", exc.reason))
            result.rejected_positions.append(int(position))
            continue
        if _update(run, record, row):
            result.updated += 1
        else:
            result.unchanged += 1
    uow.flush()


def _add_deal(run: _Run, row: dict[str, Any]) -> None:
    stage: Stage = row.pop("stage")
    at = row.pop("entered_at") or run.uow.clock.now()
    pipeline = run.uow.pipelines.get_visible(stage.pipeline_id)
    deal_service.add_deal(run.uow, run.actor, row, pipeline, stage, at)


def _update(run: _Run, record: Tracked, row: dict[str, Any]) -> bool:
    """Apply changed values; a deal's new stage is a recorded move. True when anything changed."""
    stage: Stage | None = row.pop("stage", None)
    entered = row.pop("entered_at", None)
    changed = False
    for name, value in row.items():
        if name in run.spec.keep_on_update:
            continue
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    if isinstance(record, Deal) and stage is not None and stage.id != record.stage_id:
        deal_service.change_stage(run.uow, run.actor, record, stage, entered or run.uow.clock.now())
        changed = True
    return changed


def import_records(
    uow: UnitOfWork,
    actor: Actor,
    options: ImportOptions,
    chunks: Iterable[Chunk],
    *,
    atomic: bool = False,
    dry_run: bool = False,
) -> Iterator[ChunkResult]:
    """Import chunks of rows; yields one result per chunk, as it is done.

    ``atomic=False``: each chunk is its own transaction and invalid rows are rejected (listed in
    the result) while the valid ones are written. ``atomic=True``: one transaction for the whole
    input, committed only when no row was rejected. ``dry_run``: check and count, write nothing.
    """
    run = _Run(uow, actor, options)
    action = f"import.{options.entity}"
    if atomic:
        with uow(actor, action):
            clean_run = True
            for chunk in chunks:
                result = _one_chunk(run, chunk, dry_run=dry_run)
                clean_run = clean_run and not result.rejects
                uow.session.expunge_all()
                yield result
            if clean_run and not dry_run:
                uow.commit()
        return
    for chunk in chunks:
        with uow(actor, action):
            result = _one_chunk(run, chunk, dry_run=dry_run)
            if not dry_run:
                uow.commit()
        yield result


def _one_chunk(run: _Run, chunk: Chunk, *, dry_run: bool) -> ChunkResult:
    result = ChunkResult(read=len(chunk.frame))
    clean, problems, fields = run.check(chunk)
    ok = problems.ok
    for position, name, reason in problems.items():
        result.rejects.append((int(chunk.lines[position]), name, reason))
        result.rejected_positions.append(position)
    valid = clean[ok]
    if dry_run:
        result.preview = valid.head(PREVIEW_ROWS)
    _write(run, valid, fields, result, chunk.lines, dry_run=dry_run)
    return result
