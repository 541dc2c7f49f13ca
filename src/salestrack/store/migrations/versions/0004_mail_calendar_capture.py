"""E-mail and calendar capture: activity threads, check-in distance, mailbox cursors.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import salestrack.store.types


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "capture_cursors",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("mailbox", sa.String(length=500), nullable=False),
        sa.Column("validity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", salestrack.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capture_cursors")),
        sa.UniqueConstraint("mailbox", name=op.f("uq_capture_cursors_mailbox")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("distance_m", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("thread_id", sa.String(length=255), nullable=True))
        batch_op.create_index("ix_activities_thread", ["thread_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_thread")
        batch_op.drop_column("thread_id")
        batch_op.drop_column("distance_m")
    op.drop_table("capture_cursors")
