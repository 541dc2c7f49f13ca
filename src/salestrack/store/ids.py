"""Ids for a bulk of new rows, taken from the table's sequence in one round trip (PostgreSQL).

A flush of many new rows of one table would otherwise be one multi-row ``INSERT ... RETURNING
id``: a statement of thousands of parameters that psycopg re-parses on every call (it caches
only short statements), which cost a third of a bulk's time. With the ids known beforehand the
ORM sends a plain ``executemany`` instead, a short statement that psycopg parses once and
pipelines. Small flushes keep ``RETURNING``: one round trip either way.

SQLite has no sequences and no such cost; it keeps the database's own numbering.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from salestrack.store.models import Tracked

MIN_ROWS = 10
"""Fewer new rows of a table than this keep ``INSERT ... RETURNING``."""
_NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")


def assign(session: Session, new: Iterable[Tracked]) -> None:
    """Give new rows without an id one from their table's sequence, when there are many."""
    if session.get_bind().dialect.name != "postgresql":
        return
    by_table: dict[str, list[Tracked]] = defaultdict(list)
    for obj in new:
        if obj.id is None:
            by_table[obj.__tablename__].append(obj)
    for table, rows in by_table.items():
        if len(rows) < MIN_ROWS:
            continue
        ids = session.execute(_NEXT_IDS, {"table": table, "n": len(rows)}).scalars()
        for obj, row_id in zip(rows, ids, strict=True):
            obj.id = row_id
