"""Field routes: the latest plan of each rep's field day (start and end point, hours, dropped).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 10:00:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import salestrack.store.types


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "field_routes",
        sa.Column("rep_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_latitude", sa.Float(), nullable=False),
        sa.Column("start_longitude", sa.Float(), nullable=False),
        sa.Column("end_latitude", sa.Float(), nullable=False),
        sa.Column("end_longitude", sa.Float(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("end_time", sa.String(length=5), nullable=False),
        sa.Column("travel_s", sa.Integer(), nullable=False),
        sa.Column("dropped", sa.JSON(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", salestrack.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salestrack.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["users.id"],
            name=op.f("fk_field_routes_rep_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_routes")),
        sa.UniqueConstraint("rep_id", "day", name=op.f("uq_field_routes_rep_id_day")),
    )
    with op.batch_alter_table("field_routes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_field_routes_change_seq"), ["change_seq"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("field_routes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_routes_change_seq"))
    op.drop_table("field_routes")
