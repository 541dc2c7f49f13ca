"""A private iCalendar feed of a rep's planned activities, for any calendar app to subscribe.

Calendar apps cannot send an API token, so the secret is in the URL: ``create_feed`` returns
``/calendar/<token>.ics`` once and stores only a SHA-256 of the token (a leaked database does
not leak feeds). For the web/API edge: serve ``GET /calendar/{token}.ics`` as
``render_feed(uow, token)`` with ``Content-Type: text/calendar; charset=utf-8``, and map
:class:`~salestrack.errors.NotFound` to 404. No other authentication applies to that route.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import ColumnElement, select

from salestrack.domain.actor import SYSTEM, Actor
from salestrack.domain.vocab import ActivityStatus
from salestrack.errors import NotFound, PermissionDenied
from salestrack.store.models import Account, Activity, ActivityType, CalendarFeed, User
from salestrack.store.repository import Repository
from salestrack.store.uow import UnitOfWork

FEED_PATH = "/calendar/{token}.ics"
PAST = timedelta(days=14)
AHEAD = timedelta(days=90)
DEFAULT_LENGTH = timedelta(minutes=30)


def feed_url(base_url: str, path: str) -> str:
    """The URL to subscribe to: the server's address as the request reached it, plus the path."""
    return base_url.rstrip("/") + path


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(uow: UnitOfWork, actor: Actor) -> str:
    """A new feed URL path for the acting user; earlier feeds of theirs are revoked."""
    if actor.id is None:
        raise PermissionDenied("create a calendar feed", "only a signed-in user has a calendar")
    token = secrets.token_urlsafe(32)
    with uow(actor, "calendar_feed.created"):
        feeds = Repository(uow.session, CalendarFeed, actor)
        now = uow.clock.now()
        for old in feeds.list(*_live_of(actor.id), limit=1000):
            old.revoked_at = now
        feeds.add(CalendarFeed(user_id=actor.id, token_hash=_hash(token)))
        uow.commit()
    return FEED_PATH.format(token=token)


def _live_of(user_id: int) -> tuple[ColumnElement[bool], ...]:
    """The user's own live feeds: named explicitly, since an admin's scope sees everyone's."""
    return CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None)


def active_feed(uow: UnitOfWork, actor: Actor) -> CalendarFeed | None:
    """The acting user's live feed, if any (its URL cannot be shown again: only a hash is kept)."""
    if actor.id is None:
        return None
    with uow(actor):
        return Repository(uow.session, CalendarFeed, actor).find_one(*_live_of(actor.id))


def render_feed(uow: UnitOfWork, token: str) -> bytes:
    """The ``.ics`` body for a feed token; NotFound for an unknown or revoked token."""
    with uow(SYSTEM, "calendar_feed.read"):
        feed = uow.session.scalar(
            select(CalendarFeed).where(
                CalendarFeed.token_hash == _hash(token), CalendarFeed.revoked_at.is_(None)
            )
        )
        if feed is None:
            raise NotFound("calendar feed", "****")
        user = uow.session.get(User, feed.user_id)
        if user is None or not user.is_active:
            raise NotFound("calendar feed", "****")
        now = uow.clock.now()
        rows = uow.session.execute(
            select(Activity, ActivityType.label, Account.name, Account.address)
            .join(ActivityType, Activity.type_id == ActivityType.id)
            .outerjoin(Account, Activity.account_id == Account.id)
            .where(
                Activity.owner_id == user.id,
                Activity.status == ActivityStatus.PLANNED.value,
                Activity.due_at >= now - PAST,
                Activity.due_at <= now + AHEAD,
            )
            .order_by(Activity.due_at, Activity.id)
        ).all()
    calendar = Calendar()
    calendar.add("prodid", "-//salestrack//planned activities//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"salestrack: {user.name}")
    for activity, label, account, address in rows:
        event = Event()
        event.add("uid", f"activity-{activity.id}@salestrack")
        event.add("dtstamp", activity.updated_at)
        event.add("dtstart", activity.due_at)
        length = timedelta(seconds=activity.duration_s) if activity.duration_s else DEFAULT_LENGTH
        event.add("dtend", activity.due_at + length)
        event.add("summary", activity.subject or f"{label}{f': {account}' if account else ''}")
        if activity.notes:
            event.add("description", activity.notes)
        if address or account:
            event.add("location", address or account)
        if activity.latitude is not None and activity.longitude is not None:
            event.add("geo", (activity.latitude, activity.longitude))
        event.add("sequence", activity.change_seq)
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body
