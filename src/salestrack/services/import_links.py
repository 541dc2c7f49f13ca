"""An import's references resolved to ids, set-based per chunk, never one query per row.

A row names the records it links to by their natural key in the source (the external id of an
account, contact, deal or lead); one ``IN (...)`` query per batch of a chunk's distinct keys turns
them into ids, among the records the actor may see. A row that links a deal or a contact but no
account takes the account of that deal (else of that contact), as
:func:`salestrack.services.activities.log_activity` does for an activity logged by hand, so the
account's history shows imported activities too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from salestrack.domain.actor import Actor
from salestrack.services.import_rules import RowProblems, clean_text
from salestrack.services.import_specs import EntitySpec
from salestrack.store.models import Tracked
from salestrack.store.scope import visible
from salestrack.store.uow import UnitOfWork

IN_BATCH = 5_000  # keys per IN (...) lookup; well under SQLite's 32,766 bound parameters


def ids_by_key(
    uow: UnitOfWork, model: type[Tracked], source: str, keys: list[str], actor: Actor | None
) -> dict[str, int]:
    """``external_id -> id`` of the rows of ``source`` with these keys (visible to ``actor``)."""
    found: dict[str, int] = {}
    ext: Any = model.external_id  # type: ignore[attr-defined]
    src: Any = model.source  # type: ignore[attr-defined]
    for start in range(0, len(keys), IN_BATCH):
        stmt = select(ext, model.id).where(src == source, ext.in_(keys[start : start + IN_BATCH]))
        if actor is not None:
            stmt = stmt.where(visible(actor, model))
        found.update({str(k): int(i) for k, i in uow.session.execute(stmt)})
    return found


class Links:
    """Resolves the links of one import run's chunks: ``name -> ids`` and the implied account."""

    def __init__(self, uow: UnitOfWork, actor: Actor, spec: EntitySpec, source: str) -> None:
        self.uow, self.actor, self.spec, self.source = uow, actor, spec, source

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
        keys = refs.dropna().unique().tolist()
        ids = refs.map(ids_by_key(self.uow, model, self.source, keys, self.actor))
        label = model.__tablename__.rstrip("s")
        missing = (refs.notna() & ids.isna()).to_numpy()
        problems.add(name, missing, f"{label} {{}} not found in source {self.source}", refs)
        if name in self.spec.required_links:
            problems.add(name, refs.isna().to_numpy(), "is required")
        return ids.astype("Int64")

    def fill_account(self, clean: pd.DataFrame) -> None:
        """Give rows without an account the account of their deal, else of their contact.

        One query per linked table for the chunk's distinct ids, so a chunk of 20,000 rows costs
        a handful of round trips.
        """
        account = clean["account_id"].copy()
        for name in self.spec.account_from:
            linked = clean[f"{name}_id"]
            wanted = (account.isna() & linked.notna()).to_numpy()
            if not wanted.any():
                continue
            ids = [int(i) for i in linked[wanted].unique()]
            found = self._accounts_of(self.spec.links[name], ids)
            account[wanted] = linked[wanted].map(found).astype("Int64")
        clean["account_id"] = account

    def _accounts_of(self, model: type[Tracked], ids: list[int]) -> dict[int, int]:
        """``id -> account_id`` of these rows of ``model`` (a deal or a contact) with an account."""
        found: dict[int, int] = {}
        column: Any = model.account_id  # type: ignore[attr-defined]
        for start in range(0, len(ids), IN_BATCH):
            batch = ids[start : start + IN_BATCH]
            stmt = select(model.id, column).where(model.id.in_(batch), column.is_not(None))
            found.update({int(i): int(a) for i, a in self.uow.session.execute(stmt)})
        return found
