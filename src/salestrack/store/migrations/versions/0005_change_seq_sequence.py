"""PostgreSQL numbers changes from a sequence, so concurrent writers no longer queue.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 18:40:00.000000

The ``change_counter`` row stays the source on SQLite (one writer at a time) and is kept in
step on PostgreSQL only at migration time: the sequence starts after the counter's value, and
a downgrade moves the counter to the sequence's value. See ``salestrack.store.change_seq``.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SEQUENCE = "change_seq_numbers"
FUNCTION = "salestrack_reserve_change_seq"
LOCK_KEY = 726_574_611  # an advisory lock key used for nothing else


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE SEQUENCE {SEQUENCE} AS bigint MINVALUE 1")
    op.execute(
        f"SELECT setval('{SEQUENCE}', greatest(value, 1), value > 0) "
        "FROM change_counter WHERE id = 1"
    )
    # The transaction id first, then the numbers: the sync waits for every transaction that
    # was running when it read the sequence, so a number must never exist before its xid.
    # A block of n numbers is one nextval and one setval; the advisory lock, held for those
    # two calls only (not to commit), keeps another writer's nextval out of the block.
    op.execute(
        f"""
        CREATE FUNCTION {FUNCTION}(n bigint) RETURNS bigint
        LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            last bigint;
        BEGIN
            PERFORM pg_current_xact_id();
            PERFORM pg_advisory_lock({LOCK_KEY});
            BEGIN
                last := setval('{SEQUENCE}', nextval('{SEQUENCE}') + n - 1);
            EXCEPTION WHEN OTHERS OR QUERY_CANCELED THEN
                PERFORM pg_advisory_unlock({LOCK_KEY});
                RAISE;
            END;
            PERFORM pg_advisory_unlock({LOCK_KEY});
            RETURN last - n + 1;
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"UPDATE change_counter SET value = (SELECT CASE WHEN is_called THEN last_value "
        f"ELSE 0 END FROM {SEQUENCE}) WHERE id = 1"
    )
    op.execute(f"DROP FUNCTION {FUNCTION}(bigint)")
    op.execute(f"DROP SEQUENCE {SEQUENCE}")
