"""Change sequence numbers: every flushed change gets one, and the sync follows them.

The sync copies rows whose number is above the last one it copied, so it must never pass a
number whose transaction may still commit. The two stores get that guarantee differently:

- **SQLite** has one writer at a time. The number comes from the ``change_counter`` row, updated
  inside the writer's transaction, so numbers commit in order and the counter's value is safe.
- **PostgreSQL** runs writers side by side. A counter row would be locked from a writer's first
  flush to its commit and line every writer up behind it (about 120 writes per second), so the
  numbers come from a sequence instead (``salestrack_reserve_change_seq``, migration 0005: a
  block of n consecutive numbers under an advisory lock held for microseconds, not to commit).
  A later number can then commit before an earlier one, so :func:`committed_bound` reads the
  sequence and waits for the transactions that were running at that moment. Each writer takes
  its transaction id *before* its numbers, so any transaction holding a number at or below
  the value read is among them.
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, text, update
from sqlalchemy.orm import Session

from salestrack.errors import Conflict
from salestrack.store.models import ChangeCounter

SEQUENCE = "change_seq_numbers"
RESERVE_FUNCTION = "salestrack_reserve_change_seq"
WAIT_SECONDS = 60.0
_POLL_SECONDS = 0.01


def reserve(session: Session | Connection, count: int) -> range:
    """``count`` consecutive fresh change numbers, inside the caller's transaction."""
    if count <= 0:
        return range(0)
    if _dialect(session) == "postgresql":
        first = session.execute(
            text(f"SELECT {RESERVE_FUNCTION}(:count)"), {"count": count}
        ).scalar_one()
        return range(int(first), int(first) + count)
    last = session.execute(
        update(ChangeCounter)
        .where(ChangeCounter.id == 1)
        .values(value=ChangeCounter.value + count)
        .returning(ChangeCounter.value)
    ).scalar_one()
    return range(int(last) - count + 1, int(last) + 1)


def current(conn: Connection) -> int:
    """The last change number handed out (its transaction may still be running)."""
    if conn.dialect.name == "postgresql":
        row = conn.execute(text(f"SELECT last_value, is_called FROM {SEQUENCE}")).one()
        return int(row[0]) if row[1] else 0
    return int(conn.execute(text("SELECT value FROM change_counter WHERE id = 1")).scalar_one())


def committed_bound(conn: Connection, wait_seconds: float = WAIT_SECONDS) -> int:
    """A change number N such that every change numbered N or less has committed or vanished.

    On PostgreSQL this waits until the transactions running when the sequence was read have
    ended; one that outlives ``wait_seconds`` (a session left open in a transaction) is an error
    rather than a silent gap in the warehouse.
    """
    bound = current(conn)
    if conn.dialect.name != "postgresql":
        return bound
    running = [
        row[0]
        for row in conn.execute(text("SELECT pg_snapshot_xip(pg_current_snapshot())::text")).all()
    ]
    deadline = time.monotonic() + wait_seconds
    while running:
        running = [
            xid
            for xid, status in conn.execute(
                text("SELECT x, pg_xact_status(x::xid8) FROM unnest(CAST(:xids AS text[])) AS x"),
                {"xids": running},
            ).all()
            if status == "in progress"
        ]
        if running and time.monotonic() > deadline:
            raise Conflict(
                f"transactions {', '.join(running)} have held change numbers for over "
                f"{wait_seconds:.0f} s; the sync stops short of them, run it again later"
            )
        if running:
            time.sleep(_POLL_SECONDS)
    return bound


def _dialect(session: Session | Connection) -> str:
    bind = session.get_bind() if isinstance(session, Session) else session
    return bind.dialect.name
