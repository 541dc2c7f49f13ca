"""Automation: follow-up rules, customer events, calendar feeds, once-only marks,
enrolment pause/experiment columns and experiment parameters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 15:44:18.306927
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import salestrack.store.types


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing enrolments and experiments get neutral values for the new NOT NULL columns.
    op.create_table(
        "automation_marks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("at", salestrack.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_marks")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_automation_marks_kind_key")),
    )
    op.create_table(
        "automation_rules",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("on_type", sa.String(length=32), nullable=True),
        sa.Column("on_purpose", sa.String(length=32), nullable=True),
        sa.Column("on_outcome", sa.String(length=32), nullable=True),
        sa.Column("on_stage", sa.String(length=120), nullable=True),
        sa.Column("on_tier", sa.String(length=8), nullable=True),
        sa.Column("on_event", sa.String(length=32), nullable=True),
        sa.Column("idle_days", sa.Integer(), nullable=True),
        sa.Column("plan_type", sa.String(length=32), nullable=False),
        sa.Column("plan_purpose", sa.String(length=32), nullable=True),
        sa.Column("delay_days", sa.Integer(), nullable=False),
        sa.Column("at_local", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=True),
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
            ["team_id"], ["teams.id"], name=op.f("fk_automation_rules_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_rules")),
        sa.UniqueConstraint("name", name=op.f("uq_automation_rules_name")),
    )
    with op.batch_alter_table("automation_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_automation_rules_change_seq"), ["change_seq"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_automation_rules_kind"), ["kind"], unique=False)

    op.create_table(
        "calendar_feeds",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("revoked_at", salestrack.store.types.UTCDateTime(timezone=True), nullable=True),
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
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_feeds_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_feeds_change_seq"), ["change_seq"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_calendar_feeds_user_id"), ["user_id"], unique=False)

    op.create_table(
        "customer_events",
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("occurred_at", salestrack.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
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
            ["account_id"], ["accounts.id"], name=op.f("fk_customer_events_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_events")),
        sa.UniqueConstraint(
            "source", "external_id", name=op.f("uq_customer_events_source_external_id")
        ),
    )
    with op.batch_alter_table("customer_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_events_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_events_change_seq"), ["change_seq"], unique=False
        )

    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("stratum", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("paused_at", salestrack.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("pause_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("resumes", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column(
                "finished_at", salestrack.store.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.create_index(
            "ix_enrollments_experiment_unit", ["experiment_id", "unit_key"], unique=False
        )

    with op.batch_alter_table("cadence_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("at_local", sa.String(length=5), nullable=True))

    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("cadence_steps", schema=None) as batch_op:
        batch_op.drop_column("at_local")

    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_column("params")

    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollments_experiment_unit")
        batch_op.drop_column("finished_at")
        batch_op.drop_column("resumes")
        batch_op.drop_column("pause_reason")
        batch_op.drop_column("paused_at")
        batch_op.drop_column("stratum")
        batch_op.drop_column("unit_key")

    with op.batch_alter_table("customer_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_events_change_seq"))
        batch_op.drop_index(batch_op.f("ix_customer_events_account_id"))

    op.drop_table("customer_events")
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_feeds_user_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_feeds_change_seq"))

    op.drop_table("calendar_feeds")
    with op.batch_alter_table("automation_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_automation_rules_kind"))
        batch_op.drop_index(batch_op.f("ix_automation_rules_change_seq"))

    op.drop_table("automation_rules")
    op.drop_table("automation_marks")
