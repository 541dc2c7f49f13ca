"""The agenda e-mail through a real SMTP server on loopback, and the private calendar feed."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from salestrack.automation.calendar_feed import create_feed, render_feed
from salestrack.automation.reminders import send_agendas
from salestrack.config import Settings
from salestrack.domain.clock import FixedClock
from salestrack.errors import NotFound
from salestrack.services import activities as act
from salestrack.store.uow import UnitOfWork
from tests.factories import make_account, make_rep


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, Settings]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, Settings(smtp_host="127.0.0.1", smtp_port=port, agenda_hour=7)
    finally:
        controller.stop()


def _text(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_each_rep_gets_one_agenda_per_local_morning(
    uow: UnitOfWork, clock: FixedClock, smtp: tuple[Inbox, Settings]
) -> None:
    inbox, settings = smtp
    berlin_user, berlin = make_rep(uow, time_zone="Europe/Berlin")
    _, la = make_rep(uow, time_zone="America/Los_Angeles")
    account = make_account(uow, berlin, name="Brauhaus")
    act.plan_activity(
        uow,
        berlin,
        type="call",
        due_at=clock.now() + timedelta(hours=2),
        subject="Call about renewal",
        account_id=account.id,
    )
    act.plan_activity(uow, berlin, type="email", due_at=clock.now() - timedelta(days=2))
    act.plan_activity(uow, berlin, type="visit", due_at=clock.now() + timedelta(days=2))
    act.plan_activity(uow, la, type="call", due_at=clock.now() + timedelta(hours=8))
    # 09:00 UTC: 10:00 in Berlin (past 7), 01:00 in Los Angeles (not yet).
    assert send_agendas(uow, settings) == 1
    assert send_agendas(uow, settings) == 0  # never twice the same day
    [message] = inbox.messages
    assert message["To"] == berlin_user.email
    body = _text(message)
    assert "12:00  Call: Call about renewal - Brauhaus" in body  # 11:00 UTC in Berlin
    assert "overdue  E-mail" in body
    assert "Visit" not in body  # later this week
    clock.advance(timedelta(hours=6))  # 07:00 in Los Angeles
    assert send_agendas(uow, settings) == 1
    assert len(inbox.messages) == 2


def test_calendar_feed_lists_planned_work_and_only_with_a_live_token(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    _, rep = make_rep(uow)
    _, other = make_rep(uow)
    account = make_account(uow, rep, name="Kiosk", address="Marienplatz 1, Munich")
    due = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    mine = act.plan_activity(
        uow, rep, type="visit", due_at=due, account_id=account.id, duration_s=3600
    )
    act.plan_activity(uow, other, type="call", due_at=due)
    done = act.plan_activity(uow, rep, type="call", due_at=due)
    act.complete_activity(uow, rep, done.id, outcome="connected")
    path = create_feed(uow, rep)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    calendar = Calendar.from_ical(render_feed(uow, token))
    [event] = list(calendar.walk("VEVENT"))
    assert str(event["uid"]) == f"activity-{mine.id}@salestrack"
    assert event.decoded("dtstart") == due
    assert event.decoded("dtend") == due + timedelta(hours=1)
    assert str(event["location"]) == "Marienplatz 1, Munich"
    create_feed(uow, rep)  # a new feed revokes the old URL
    with pytest.raises(NotFound):
        render_feed(uow, token)
    with pytest.raises(NotFound):
        render_feed(uow, "guessed")
