"""The tables of DESIGN.md section 2 as SQLAlchemy 2 typed declarative models.

Every table carries ``change_seq``: a number drawn from one store-wide counter each time a row
is inserted or updated, so the analytics sync can copy "everything after N" incrementally.
Deleted rows leave a :class:`Deletion` tombstone with their own sequence number.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from salestrack.store.types import Money, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Money(), dict[str, Any]: JSON()}


class Tracked:
    """Columns every synced table has: surrogate id, timestamps and the change sequence."""

    __tablename__: Any
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)


class ChangeCounter(Base):
    """One row holding the last change sequence number handed out."""

    __tablename__ = "change_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class Deletion(Base):
    """Tombstone of a deleted row, so the incremental sync can propagate deletes."""

    __tablename__ = "deletions"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime]
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)


class Team(Tracked, Base):
    __tablename__ = "teams"
    name: Mapped[str] = mapped_column(String(120), unique=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, ondelete="SET NULL")
    )
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)


class User(Tracked, Base):
    __tablename__ = "users"
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Account(Tracked, Base):
    __tablename__ = "accounts"
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="prospect")
    tier: Mapped[str | None] = mapped_column(String(8))
    industry: Mapped[str | None] = mapped_column(String(120))
    segment: Mapped[str | None] = mapped_column(String(32))
    employees: Mapped[int | None] = mapped_column(Integer)
    region: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(2))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    opening_hours: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(255))
    __table_args__ = (UniqueConstraint("source", "external_id"),)


class Contact(Tracked, Base):
    __tablename__ = "contacts"
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(200))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(255))
    __table_args__ = (UniqueConstraint("source", "external_id"),)


class Pipeline(Tracked, Base):
    __tablename__ = "pipelines"
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Stage(Tracked, Base):
    __tablename__ = "stages"
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id"))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    probability: Mapped[Decimal] = mapped_column(Money(5, 4))
    __table_args__ = (UniqueConstraint("pipeline_id", "name"),)


class Lead(Tracked, Base):
    __tablename__ = "leads"
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(64))
    lead_source: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="new")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    qualified_at: Mapped[datetime | None]
    converted_deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", use_alter=True, ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(16), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(255))
    __table_args__ = (UniqueConstraint("source", "external_id"),)


class Deal(Tracked, Base):
    __tablename__ = "deals"
    name: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    expected_close: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    lost_reason: Mapped[str | None] = mapped_column(String(255))
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(255))
    __table_args__ = (UniqueConstraint("source", "external_id"),)


class StageChange(Tracked, Base):
    """One row per stage move: history is recorded, never reconstructed from diffs."""

    __tablename__ = "stage_changes"
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    at: Mapped[datetime]
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ActivityType(Tracked, Base):
    __tablename__ = "activity_types"
    key: Mapped[str] = mapped_column(String(32), unique=True)
    label: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(8))
    outcomes: Mapped[list[str]] = mapped_column(JSON)
    has_result: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Activity(Tracked, Base):
    __tablename__ = "activities"
    type_id: Mapped[int] = mapped_column(ForeignKey("activity_types.id"))
    purpose: Mapped[str | None] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(8), default="outbound")
    status: Mapped[str] = mapped_column(String(12), default="planned")
    subject: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    duration_s: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None]
    logged_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[str | None] = mapped_column(String(16))
    next_step: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    verified: Mapped[bool | None] = mapped_column(Boolean)
    distance_m: Mapped[float | None] = mapped_column(Float)  # check-in to account, metres
    # E-mail conversation: the Message-ID of the thread's first message (see capture/email_*).
    thread_id: Mapped[str | None] = mapped_column(String(255))
    enrollment_id: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(255))
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_activities_owner_started", "owner_id", "started_at"),
        Index("ix_activities_deal", "deal_id"),
        Index("ix_activities_account", "account_id"),
        Index("ix_activities_status_due", "status", "due_at"),
        Index("ix_activities_thread", "thread_id"),
    )


class Goal(Tracked, Base):
    __tablename__ = "goals"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    metric: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[datetime]
    target: Mapped[Decimal] = mapped_column(Money())


class Order(Tracked, Base):
    __tablename__ = "orders"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    ordered_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(255))
    __table_args__ = (UniqueConstraint("source", "external_id"),)


class SatisfactionResponse(Tracked, Base):
    __tablename__ = "satisfaction_responses"
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    kind: Mapped[str] = mapped_column(String(4))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(255))
    __table_args__ = (UniqueConstraint("source", "external_id"),)


class Cadence(Tracked, Base):
    __tablename__ = "cadences"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class CadenceStep(Tracked, Base):
    __tablename__ = "cadence_steps"
    cadence_id: Mapped[int] = mapped_column(ForeignKey("cadences.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    day_offset: Mapped[int] = mapped_column(Integer)
    type_id: Mapped[int] = mapped_column(ForeignKey("activity_types.id"))
    purpose: Mapped[str | None] = mapped_column(String(32))
    template: Mapped[str | None] = mapped_column(Text)
    at_local: Mapped[str | None] = mapped_column(String(5))
    __table_args__ = (UniqueConstraint("cadence_id", "position"),)


class Experiment(Tracked, Base):
    __tablename__ = "experiments"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    cadence_id: Mapped[int | None] = mapped_column(ForeignKey("cadences.id"))
    unit: Mapped[str] = mapped_column(String(16), default="lead")
    metric: Mapped[str] = mapped_column(String(64))
    variants: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    started_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Enrollment(Tracked, Base):
    __tablename__ = "enrollments"
    cadence_id: Mapped[int] = mapped_column(ForeignKey("cadences.id"), index=True)
    experiment_id: Mapped[int | None] = mapped_column(ForeignKey("experiments.id"))
    variant: Mapped[str | None] = mapped_column(String(32))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), default="active")
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    enrolled_at: Mapped[datetime]
    converted_at: Mapped[datetime | None]
    unit_key: Mapped[str | None] = mapped_column(String(64))
    stratum: Mapped[str | None] = mapped_column(String(64))
    paused_at: Mapped[datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(String(32))
    resumes: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_enrollments_experiment_unit", "experiment_id", "unit_key"),)


class AutomationRule(Tracked, Base):
    """A manager-editable rule: when its condition holds, plan an activity for the owner.

    ``kind`` says which condition columns apply: ``follow_up`` (an activity of ``on_type`` /
    ``on_purpose`` completed with ``on_outcome``), ``stage`` (a deal entered ``on_stage``),
    ``stalled`` (an open deal idle for ``idle_days``), ``nurture`` (a customer of tier
    ``on_tier`` untouched for ``idle_days``) and ``event`` (a customer event ``on_event``).
    """

    __tablename__ = "automation_rules"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    on_type: Mapped[str | None] = mapped_column(String(32))
    on_purpose: Mapped[str | None] = mapped_column(String(32))
    on_outcome: Mapped[str | None] = mapped_column(String(32))
    on_stage: Mapped[str | None] = mapped_column(String(120))
    on_tier: Mapped[str | None] = mapped_column(String(8))
    on_event: Mapped[str | None] = mapped_column(String(32))
    idle_days: Mapped[int | None] = mapped_column(Integer)
    plan_type: Mapped[str] = mapped_column(String(32))
    plan_purpose: Mapped[str | None] = mapped_column(String(32))
    delay_days: Mapped[int] = mapped_column(Integer, default=0)
    at_local: Mapped[str] = mapped_column(String(5), default="09:00")
    subject: Mapped[str | None] = mapped_column(String(500))


class CustomerEvent(Tracked, Base):
    """Something that happened to a customer (funding round, award, expansion)."""

    __tablename__ = "customer_events"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(String(500))
    occurred_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(255))
    __table_args__ = (UniqueConstraint("source", "external_id"),)


class CalendarFeed(Tracked, Base):
    """A private iCalendar feed of one user's planned activities; only a hash of its token."""

    __tablename__ = "calendar_feeds"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    revoked_at: Mapped[datetime | None]


class FieldRoute(Tracked, Base):
    """The latest plan of one rep's field day, beside the visits it wrote as activities.

    The visits (``route:<rep>:<date>:<account>``) carry the order and times; this row keeps
    what they cannot: the point the day starts and ends at (home or office), the working hours
    it was planned for, the driving time and the accounts that did not fit. Re-planning the
    day overwrites it, as it moves the visits.
    """

    __tablename__ = "field_routes"
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    start_latitude: Mapped[float] = mapped_column(Float)
    start_longitude: Mapped[float] = mapped_column(Float)
    end_latitude: Mapped[float] = mapped_column(Float)
    end_longitude: Mapped[float] = mapped_column(Float)
    start_time: Mapped[str] = mapped_column(String(5))  # the rep's local clock, "08:00"
    end_time: Mapped[str] = mapped_column(String(5))
    travel_s: Mapped[int] = mapped_column(Integer)
    dropped: Mapped[list[int]] = mapped_column(JSON, default=list)
    __table_args__ = (UniqueConstraint("rep_id", "day"),)


class AutomationMark(Base):
    """A note that a once-only job was done (``kind`` + ``key``), e.g. today's agenda e-mail.

    The unique key makes a second scheduler, a restart or a cron overlap a no-op.
    """

    __tablename__ = "automation_marks"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("kind", "key"),)


class CaptureCursor(Base):
    """How far an incremental capture got in one mailbox: its UIDVALIDITY and last UID seen.

    A mailbox is named by a URL without password (``imaps://rep@host:993/INBOX``). When the
    server reports another UIDVALIDITY its UIDs were renumbered, so the capture starts over
    (de-duplication by Message-ID keeps that from adding anything twice).
    """

    __tablename__ = "capture_cursors"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    mailbox: Mapped[str] = mapped_column(String(500), unique=True)
    validity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class CalendarSync(Base):
    """How far an incremental CalDAV capture got in one collection.

    ``sync_token`` is the collection's RFC 6578 sync token after the last run (None when the
    server has none: ETags are compared instead); the window is the one the recurring events
    were last expanded over. A collection is named by its URL (no password).
    """

    __tablename__ = "calendar_syncs"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    collection: Mapped[str] = mapped_column(String(500), unique=True)
    sync_token: Mapped[str | None] = mapped_column(String(1000))
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    updated_at: Mapped[datetime]


class CalendarResource(Base):
    """The copy of one calendar object resource as last captured: its ETag and its data.

    Kept so a change can be compared with what was there (occurrences that disappeared become
    cancelled, a deleted resource cancels its meetings) and so recurring events can be expanded
    over a moved capture window without fetching them again.
    """

    __tablename__ = "calendar_resources"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    sync_id: Mapped[int] = mapped_column(ForeignKey("calendar_syncs.id", ondelete="CASCADE"))
    href: Mapped[str] = mapped_column(String(1000))
    etag: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[str] = mapped_column(Text)
    # Meetings the window it was read in did not cover (a recurring series, an event outside
    # it): a moved window reads this copy again.
    outside_window: Mapped[bool] = mapped_column(Boolean)
    __table_args__ = (UniqueConstraint("sync_id", "href"),)


class AuditEvent(Base):
    """Who changed what, when, with the row before and after."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)


class ApiToken(Tracked, Base):
    __tablename__ = "api_tokens"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    scope: Mapped[str] = mapped_column(String(8))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class LoginSession(Base):
    """A signed-in browser: the cookie holds a random token, the store only its SHA-256.

    Operational state, not business data: no change sequence, never synced or audited.
    """

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class LoginFailure(Base):
    """One failed sign-in, recorded per account and per address to rate-limit guessing."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime]
    __table_args__ = (Index("ix_login_failures_subject_at", "subject", "at"),)


class IdempotencyKey(Base):
    """A write request's ``Idempotency-Key``: reserved before the write, answer stored after.

    ``status_code`` is None while the first request is still running.
    """

    __tablename__ = "idempotency_keys"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[dict[str, Any] | None]
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    __table_args__ = (UniqueConstraint("user_id", "key"),)


class WebhookSubscription(Tracked, Base):
    """An endpoint that receives signed activity and deal events.

    ``last_event_id`` is the subscription's cursor into ``audit_events`` (the outbox).
    """

    __tablename__ = "webhook_subscriptions"
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))
    events: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    disabled_at: Mapped[datetime | None]
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)


class WebhookDelivery(Base):
    """One event for one subscription, with its attempts: the delivery log."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    audit_event_id: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    __table_args__ = (
        UniqueConstraint("subscription_id", "audit_event_id"),
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    )


class ImportJob(Base):
    """One import of uploaded files (API or web page): options, status, counts and reasons.

    Operational state like the idempotency keys: no change sequence, never synced; the records
    it creates are numbered and audited as every import's are. ``status`` moves pending ->
    running -> done or failed; ``error`` says why a failed one stopped.
    """

    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default="pending")
    preset: Mapped[str | None] = mapped_column(String(64))
    mapping: Mapped[str | None] = mapped_column(String(255))
    files: Mapped[list[str]] = mapped_column(JSON, default=list)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    all_or_nothing: Mapped[bool] = mapped_column(Boolean, default=False)
    read: Mapped[int] = mapped_column(BigInteger, default=0)
    created: Mapped[int] = mapped_column(BigInteger, default=0)
    updated: Mapped[int] = mapped_column(BigInteger, default=0)
    unchanged: Mapped[int] = mapped_column(BigInteger, default=0)
    rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    reasons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    committed: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    """Last sign of life from the process holding a pending or running import: one whose
    beat is older than ``import_jobs.STALE_AFTER`` was left by a server that stopped."""


class ImportReject(Base):
    """A rejected row of an import: its line, the field, the reason and the original row."""

    __tablename__ = "import_rejects"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(BigInteger)
    field: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    row: Mapped[dict[str, Any]]


SYNCED_TABLES: tuple[type[Tracked], ...] = (
    Team,
    User,
    Account,
    Contact,
    Pipeline,
    Stage,
    Lead,
    Deal,
    StageChange,
    ActivityType,
    Activity,
    Goal,
    Order,
    SatisfactionResponse,
    Cadence,
    CadenceStep,
    Experiment,
    Enrollment,
    AutomationRule,
    CustomerEvent,
)
