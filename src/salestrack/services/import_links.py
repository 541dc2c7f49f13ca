"""An import's references resolved to ids, set-based per chunk, never one query per row.

A row names the records it links to by their natural key in the source (the external id of an
account, contact, deal or lead); one ``IN (...)`` query per batch of distinct keys turns them into
ids, among the records the actor may see. What a run has found is kept for its later chunks
(a file of a million activities names the same few thousand accounts in every chunk), so each key
is looked up once per run. A row that links a deal or a contact but no account takes the account
of that deal (else of that contact), as :func:`salestrack.services.activities.log_activity` does
for an activity logged by hand, so the account's history shows imported activities too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Row, bindparam, select

from salestrack.domain.actor import Actor
from salestrack.services.import_rules import RowProblems, clean_text
from salestrack.services.import_specs import EntitySpec
from salestrack.store.models import Tracked
from salestrack.store.scope import visible
from salestrack.store.uow import UnitOfWork

IN_BATCH = 5_000  # keys per IN (...) lookup; well under SQLite's 32,766 bound parameters
# Keys a run keeps per link (about 100 bytes each). A run naming more starts that link's cache
# over, so memory stays bounded whatever the size of the referenced tables.
LINK_CACHE = 200_000


def _batches(
    uow: UnitOfWork, columns: Sequence[Any], where: Any, key: Any, keys: list[Any]
) -> Iterator[Row[Any]]:
    """Rows of ``select(columns).where(where, key IN keys)``, one statement per batch.

    The keys travel as one expanding parameter: the statement compiles once and is reused,
    instead of coercing thousands of literals for every batch.
    """
    stmt = select(*columns).where(where, key.in_(bindparam("keys", expanding=True)))
    for start in range(0, len(keys), IN_BATCH):
        yield from uow.session.execute(stmt, {"keys": keys[start : start + IN_BATCH]})


def ids_by_key(
    uow: UnitOfWork, model: type[Tracked], source: str, keys: list[str], actor: Actor | None
) -> dict[str, int]:
    """``external_id -> id`` of the rows of ``source`` with these keys (visible to ``actor``)."""
    ext: Any = model.external_id  # type: ignore[attr-defined]
    src: Any = model.source  # type: ignore[attr-defined]
    where = src == source if actor is None else (src == source) & visible(actor, model)
    return {str(k): int(i) for k, i in _batches(uow, (ext, model.id), where, ext, keys)}


class Links:
    """Resolves the links of one import run's chunks: ``name -> ids`` and the implied account.

    ``known[name]`` maps the keys found so far to ids and ``account_of[name]`` those ids to their
    account (deals and contacts). Only found keys are kept: a key that named nothing is asked
    again when a later chunk names it, in case the record has appeared since. The run's own
    rows never land in these maps: an import links to other tables than the one it writes.
    """

    def __init__(self, uow: UnitOfWork, actor: Actor, spec: EntitySpec, source: str) -> None:
        self.uow, self.actor, self.spec, self.source = uow, actor, spec, source
        self.known: dict[str, dict[str, int]] = {name: {} for name in spec.links}
        self.account_of: dict[str, dict[int, int | None]] = {n: {} for n in spec.account_from}

    def resolve(self, frame: pd.DataFrame, problems: RowProblems) -> dict[str, pd.Series]:
        """Each link's ids (``Int64``); a key that names no visible record is the row's problem."""
        return {
            f"{name}_id": self._one(frame, problems, name, model)
            for name, model in self.spec.links.items()
        }

    def _one(
        self, frame: pd.DataFrame, problems: RowProblems, name: str, model: type[Tracked]
    ) -> pd.Series:
        if name not in frame:
            if name in self.spec.required_links:
                problems.add(name, np.ones(len(frame), dtype=bool), "is required")
            return pd.Series(pd.NA, index=frame.index, dtype="Int64")
        refs = clean_text(frame[name])
        codes, keys = pd.factorize(refs)  # each distinct key once; a missing cell is -1
        known = self.known[name]
        unknown = [key for key in keys if key not in known]
        if len(known) + len(unknown) > LINK_CACHE:
            known.clear()  # start over with this chunk's keys only
            self.account_of.get(name, {}).clear()
            unknown = list(keys)
        if unknown:
            self._look_up(name, model, unknown)
        found = pd.array([known.get(key) for key in keys], dtype="Int64")
        ids = pd.Series(found.take(codes, allow_fill=True), index=frame.index)
        label = model.__tablename__.rstrip("s")
        missing = (refs.notna() & ids.isna()).to_numpy()
        problems.add(name, missing, f"{label} {{}} not found in source {self.source}", refs)
        if name in self.spec.required_links:
            problems.add(name, refs.isna().to_numpy(), "is required")
        return ids

    def _look_up(self, name: str, model: type[Tracked], keys: list[str]) -> None:
        """Add the visible records with these keys to the run's maps (their account too)."""
        known = self.known[name]
        accounts = self.account_of.get(name)
        ext: Any = model.external_id  # type: ignore[attr-defined]
        src: Any = model.source  # type: ignore[attr-defined]
        columns = [ext, model.id]
        if accounts is not None:
            columns.append(model.account_id)  # type: ignore[attr-defined]
        where = (src == self.source) & visible(self.actor, model)
        for row in _batches(self.uow, columns, where, ext, keys):
            known[str(row[0])] = record_id = int(row[1])
            if accounts is not None:
                accounts[record_id] = None if row[2] is None else int(row[2])

    def fill_account(self, clean: pd.DataFrame) -> None:
        """Give rows without an account the account of their deal, else of their contact.

        The accounts came with the ids :meth:`resolve` looked up, so this costs no query.
        """
        account = clean["account_id"].copy()
        for name in self.spec.account_from:
            linked = clean[f"{name}_id"]
            wanted = (account.isna() & linked.notna()).to_numpy()
            if wanted.any():
                found = linked[wanted].map(self.account_of[name])
                account[wanted] = found.astype("Int64")
        clean["account_id"] = account
