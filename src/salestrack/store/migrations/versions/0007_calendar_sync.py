"""Incremental CalDAV capture: per-collection sync token and copies of the resources.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import salestrack.store.types


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_syncs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("collection", sa.String(length=500), nullable=False),
        sa.Column("sync_token", sa.String(length=1000), nullable=True),
        sa.Column(
            "window_start", salestrack.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("window_end", salestrack.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salestrack.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_syncs")),
        sa.UniqueConstraint("collection", name=op.f("uq_calendar_syncs_collection")),
    )
    op.create_table(
        "calendar_resources",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("sync_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("href", sa.String(length=1000), nullable=False),
        sa.Column("etag", sa.String(length=255), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("outside_window", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sync_id"],
            ["calendar_syncs.id"],
            name=op.f("fk_calendar_resources_sync_id_calendar_syncs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_resources")),
        sa.UniqueConstraint("sync_id", "href", name=op.f("uq_calendar_resources_sync_id_href")),
    )


def downgrade() -> None:
    op.drop_table("calendar_resources")
    op.drop_table("calendar_syncs")
