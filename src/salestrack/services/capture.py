"""Store activities captured from mailboxes and calendars: match people, de-duplicate, report.

The write path of e-mail and calendar capture. Readers (``capture/email_*``,
``capture/calendar_*``) turn messages and events into :class:`CapturedActivity` values; this
module decides direction, status and outcome (:mod:`salestrack.domain.capture`), matches the
participants to contacts and leads by e-mail (case-insensitively), and creates, updates or
leaves each activity keyed by ``(source, external_id)``. Rows go through the ORM, so every
created or changed activity is numbered and audited like one logged by hand. Each chunk is one
transaction; an IMAP cursor moves in the same transaction as the messages it covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import func, select

from salestrack.domain import capture as rule
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import ActivityStatus, Direction
from salestrack.errors import ValidationFailed
from salestrack.services.activities import ACTIVITY_FIELDS, activity_type
from salestrack.services.fields import validate
from salestrack.services.import_links import IN_BATCH
from salestrack.services.import_rules import FUTURE_YEARS
from salestrack.services.imports import ChunkResult
from salestrack.services.permissions import check_assign
from salestrack.store.models import Activity, CaptureCursor, Contact, Lead, User
from salestrack.store.scope import visible
from salestrack.store.uow import UnitOfWork

EARLIEST = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


@dataclass(frozen=True)
class Person:
    """A participant: lower-cased address and the display name, when the source gave one."""

    email: str
    name: str | None = None


@dataclass(frozen=True)
class CapturedActivity:
    """A message or a meeting as read from its source, before matching and storing."""

    source: str  # "email" or "calendar"
    key: str  # external_id: the Message-ID, or UID + RECURRENCE-ID
    type: str  # activity type key: "email" or "meeting"
    position: int  # where it was read (message number, IMAP UID, event number): for rejects
    started_at: datetime | None
    sender: Person | None = None  # From / ORGANIZER
    others: tuple[Person, ...] = ()  # To + Cc / ATTENDEEs
    subject: str | None = None
    notes: str | None = None
    ended_at: datetime | None = None  # meetings
    cancelled: bool = False  # meetings: STATUS:CANCELLED, or an EXDATE'd occurrence
    thread_id: str | None = None  # e-mail
    is_reply: bool = False
    is_bounce: bool = False
    problem: tuple[str, str] | None = None  # (field, reason) found by the reader: a reject


@dataclass(frozen=True)
class CaptureOptions:
    """Who owns the captured activities, who "we" are, and whether strangers become leads."""

    owner_id: int
    team_domains: tuple[str, ...] = ()
    create_leads: bool = False  # unknown external senders of inbound e-mail become leads
    chunk_size: int = 500


@dataclass(frozen=True)
class CursorMove:
    """Move the IMAP cursor of ``mailbox`` with the chunk (positions are the messages' UIDs)."""

    mailbox: str
    validity: int


@dataclass
class _Run:
    uow: UnitOfWork
    actor: Actor
    options: CaptureOptions
    team: rule.TeamAddresses
    type_ids: dict[str, int] = field(default_factory=dict)
    leads: dict[str, int | None] = field(default_factory=dict)
    threads: set[str] = field(default_factory=set)


def capture_owner(uow: UnitOfWork, actor: Actor, email: str) -> User:
    """The user whose mailbox or calendar is captured, by e-mail (case-insensitive)."""
    with uow(actor):
        user = uow.users.find_one(func.lower(User.email) == email.strip().lower())
    if user is None:
        raise ValidationFailed("owner", f"{email!r} is not the e-mail of a user")
    return user


def read_cursor(uow: UnitOfWork, actor: Actor, mailbox: str) -> tuple[int, int] | None:
    """``(UIDVALIDITY, last UID)`` captured from ``mailbox``, or None before the first run."""
    with uow(actor):
        row = uow.session.scalars(select(CaptureCursor).filter_by(mailbox=mailbox)).first()
        return (row.validity, row.last_uid) if row is not None else None


def capture_activities(
    uow: UnitOfWork,
    actor: Actor,
    items: Iterable[CapturedActivity],
    options: CaptureOptions,
    *,
    cursor: CursorMove | None = None,
) -> Iterator[ChunkResult]:
    """Store captured activities chunk by chunk; yields one result per committed chunk."""
    with uow(actor):
        check_assign(uow, actor, options.owner_id, "capture activities for this owner")
        owner = uow.users.get_any(options.owner_id)
        if owner is None:
            raise ValidationFailed("owner", f"user {options.owner_id} does not exist")
        emails = uow.session.scalars(select(User.email)).all()
    run = _Run(uow, actor, options, rule.TeamAddresses.of(emails, options.team_domains))
    iterator = iter(items)
    while chunk := list(islice(iterator, options.chunk_size)):
        with uow(actor, f"capture.{chunk[0].source}"):
            if not run.type_ids:
                run.type_ids = {k: activity_type(uow, k).id for k in ("email", "meeting")}
            result = _chunk(run, chunk)
            if cursor is not None:
                _move_cursor(uow, cursor, max(item.position for item in chunk))
            uow.commit()
        yield result


def _chunk(run: _Run, chunk: list[CapturedActivity]) -> ChunkResult:
    uow, result = run.uow, ChunkResult(read=len(chunk))
    keys = {(item.source, item.key) for item in chunk}
    existing = _existing(uow, keys)
    contacts = _contacts(run, {p.email for item in chunk for p in _external(run, item)})
    touched: set[str] = set()
    for index, item in enumerate(chunk):
        try:
            values = _values(run, item, contacts)
        except ValidationFailed as exc:
            result.rejects.append((item.position, exc.field, exc.reason))
            result.rejected_positions.append(index)
            continue
        if values.get("thread_id"):
            touched.add(values["thread_id"])
        record = existing.get((item.source, item.key))
        if record is None:
            existing[(item.source, item.key)] = uow.activities.add(Activity(**values))
            result.created += 1
        elif _merge(record, values):
            result.updated += 1
        else:
            result.unchanged += 1
    uow.flush()
    _answer_threads(uow, touched)
    return result


def _existing(uow: UnitOfWork, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Activity]:
    found: dict[tuple[str, str], Activity] = {}
    for source in {s for s, _ in keys}:
        wanted = [k for s, k in keys if s == source]
        for start in range(0, len(wanted), IN_BATCH):
            batch = wanted[start : start + IN_BATCH]
            stmt = select(Activity).where(
                Activity.source == source, Activity.external_id.in_(batch)
            )
            found.update({(source, str(a.external_id)): a for a in uow.session.scalars(stmt)})
    return found


def _external(run: _Run, item: CapturedActivity) -> list[Person]:
    """The other side's participants, the most telling first (an inbound sender, then others)."""
    people = [item.sender, *item.others] if item.sender else list(item.others)
    seen: set[str] = set()
    out = []
    for person in people:
        if person is not None and person.email not in run.team and person.email not in seen:
            seen.add(person.email)
            out.append(person)
    return out


def _contacts(run: _Run, emails: set[str]) -> dict[str, Contact]:
    """Visible contacts by lower-cased e-mail; with several, the oldest (lowest id) wins."""
    found: dict[str, Contact] = {}
    wanted = sorted(emails)
    for start in range(0, len(wanted), IN_BATCH):
        lower = func.lower(Contact.email)
        stmt = (
            select(Contact)
            .where(lower.in_(wanted[start : start + IN_BATCH]), visible(run.actor, Contact))
            .order_by(Contact.id.desc())
        )
        found.update({str(c.email).lower(): c for c in run.uow.session.scalars(stmt)})
    return found


def _values(run: _Run, item: CapturedActivity, contacts: dict[str, Contact]) -> dict[str, Any]:
    """The stored fields of one captured activity, checked by the activity field rules."""
    if item.problem is not None:
        raise ValidationFailed(*item.problem)
    now = run.uow.clock.now()
    start = _plausible("started_at", item.started_at, now)
    way = rule.direction(item.sender.email if item.sender else None, run.team)
    fields: dict[str, Any] = {
        "direction": way.value,
        "subject": item.subject,
        "notes": item.notes,
        "started_at": start,
        "owner_id": run.options.owner_id,
        "source": item.source,
        "external_id": item.key,
    }
    if item.type == "meeting":
        end = item.ended_at or start
        rule_status, outcome = rule.meeting_status(cancelled=item.cancelled, end=end, now=now)
        fields["duration_s"] = int((end - start).total_seconds()) if item.ended_at else None
        status = rule_status.value
    else:
        status = ActivityStatus.DONE.value
        outcome = rule.email_outcome(way, is_reply=item.is_reply, is_bounce=item.is_bounce)
    values = validate(ACTIVITY_FIELDS, fields)
    values.update(type_id=run.type_ids[item.type], status=status, outcome=outcome)
    values["thread_id"] = item.thread_id
    values["due_at"] = start if status == ActivityStatus.PLANNED else None
    values["completed_at"] = start if status == ActivityStatus.DONE else None
    values["logged_at"] = now
    people = _external(run, item)
    contact = next((contacts[p.email] for p in people if p.email in contacts), None)
    if contact is not None:
        values.update(contact_id=contact.id, account_id=contact.account_id)
    elif item.type == "email" and way is Direction.INBOUND and people and not item.is_bounce:
        values["lead_id"] = _lead(run, people[0])
    return values


def _plausible(name: str, value: datetime | None, now: datetime) -> datetime:
    if value is None:
        raise ValidationFailed(name, "is missing or unreadable")
    if value < EARLIEST or value > now + timedelta(days=365 * FUTURE_YEARS):
        raise ValidationFailed(name, f"{value.isoformat()} is not a plausible date")
    return value


def _lead(run: _Run, person: Person) -> int | None:
    """The lead with this address (visible to the actor), made when the options ask for it."""
    if person.email in run.leads:
        return run.leads[person.email]
    session = run.uow.session
    stmt = (
        select(Lead.id)
        .where(func.lower(Lead.email) == person.email, visible(run.actor, Lead))
        .order_by(Lead.id)
    )
    lead_id = session.scalars(stmt.limit(1)).first()
    if lead_id is None and run.options.create_leads:
        lead = run.uow.leads.find_any(source="email", external_id=person.email)
        if lead is None:
            lead = run.uow.leads.add(
                Lead(
                    name=(person.name or person.email)[:200],
                    email=person.email,
                    lead_source="email",
                    status="new",
                    owner_id=run.options.owner_id,
                    source="email",
                    external_id=person.email,
                )
            )
        lead_id = lead.id
    run.leads[person.email] = lead_id
    return lead_id


# Fields a re-capture leaves alone once set: reps edit them (an outcome they corrected, the
# notes they added, the contact they linked by hand) and the source knows no better.
_KEEP_ONCE_SET = frozenset({"outcome", "notes", "contact_id", "account_id", "lead_id"})


def _merge(record: Activity, values: dict[str, Any]) -> bool:
    """Apply what the source says now; True when anything changed.

    The outcome is only filled in, or moved on by the status (a meeting that ended, one that
    was cancelled): an ``e-mail sent`` upgraded to ``replied`` by a later reply is kept.
    """
    changed = False
    status_moved = values["status"] != record.status
    for name, value in values.items():
        if name == "logged_at":
            continue
        current = getattr(record, name)
        moved_on = status_moved and name == "outcome"
        if name in _KEEP_ONCE_SET and current is not None and not moved_on:
            continue
        if current != value:
            setattr(record, name, value)
            changed = True
    if changed:
        record.logged_at = values["logged_at"]
    return changed


def _answer_threads(uow: UnitOfWork, threads: set[str]) -> None:
    """An outbound ``sent`` followed by an inbound message of its thread was answered."""
    wanted = sorted(threads)
    for start in range(0, len(wanted), IN_BATCH):
        batch = wanted[start : start + IN_BATCH]
        stmt = (
            select(Activity)
            .where(Activity.source == "email", Activity.thread_id.in_(batch))
            .order_by(Activity.thread_id, Activity.started_at, Activity.id)
        )
        by_thread: dict[str, list[Activity]] = {}
        for activity in uow.session.scalars(stmt):
            by_thread.setdefault(str(activity.thread_id), []).append(activity)
        for messages in by_thread.values():
            _answer(messages)
    uow.flush()


def _answer(messages: list[Activity]) -> None:
    for position, sent in enumerate(messages):
        if sent.direction != Direction.OUTBOUND or sent.outcome != "sent":
            continue
        later = next((m for m in messages[position + 1 :] if m.direction == "inbound"), None)
        if later is not None:
            sent.outcome = rule.answered_outcome(later.outcome == "bounced")


def _move_cursor(uow: UnitOfWork, move: CursorMove, last_uid: int) -> None:
    row = uow.session.scalars(select(CaptureCursor).filter_by(mailbox=move.mailbox)).first()
    now = uow.clock.now()
    if row is None:
        uow.session.add(
            CaptureCursor(
                mailbox=move.mailbox, validity=move.validity, last_uid=last_uid, updated_at=now
            )
        )
    else:
        row.validity, row.last_uid, row.updated_at = move.validity, last_uid, now
    uow.flush()
