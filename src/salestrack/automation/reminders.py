"""The daily agenda e-mail: each rep's planned work for their day, sent once per local day.

Reps start their day from their inbox; a short list of today's and overdue planned activities,
in their own time zone, keeps planned follow-ups from being forgotten. A mark
``("agenda", "<user>:<local date>")`` is stored in the same transaction as the decision to send,
so a second scheduler, a restart or a cron overlap never sends the same agenda twice.
"""

from __future__ import annotations

import html
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage

from sqlalchemy import exists, select

from salestrack.automation import business_time as bt
from salestrack.config import Settings
from salestrack.domain.actor import SYSTEM
from salestrack.domain.vocab import ActivityStatus
from salestrack.errors import Conflict
from salestrack.store.models import Account, Activity, ActivityType, AutomationMark, User
from salestrack.store.uow import UnitOfWork

Send = Callable[[EmailMessage], None]


@dataclass(frozen=True)
class AgendaItem:
    due_local: datetime
    kind: str
    subject: str
    account: str | None
    overdue: bool


@dataclass(frozen=True)
class Agenda:
    user_id: int
    email: str
    name: str
    day: date
    items: list[AgendaItem]


def agenda_for(uow: UnitOfWork, user: User, now: datetime) -> Agenda:
    """Inside an open unit of work: the user's planned activities due by the end of their day."""
    tz = bt.zone(user.time_zone)
    today = now.astimezone(tz).date()
    day_end = bt.local_moment(today + timedelta(days=1), time(0), tz)
    day_start = bt.local_moment(today, time(0), tz)
    rows = uow.session.execute(
        select(Activity.due_at, ActivityType.label, Activity.subject, Account.name)
        .join(ActivityType, Activity.type_id == ActivityType.id)
        .outerjoin(Account, Activity.account_id == Account.id)
        .where(
            Activity.owner_id == user.id,
            Activity.status == ActivityStatus.PLANNED.value,
            Activity.due_at < day_end,
        )
        .order_by(Activity.due_at, Activity.id)
    ).all()
    items = [
        AgendaItem(
            due_local=due.astimezone(tz),
            kind=label,
            subject=subject or label,
            account=account,
            overdue=due < day_start,
        )
        for due, label, subject, account in rows
    ]
    return Agenda(user.id, user.email, user.name, today, items)


def render(agenda: Agenda, sender: str) -> EmailMessage:
    """A plain-text and HTML e-mail of one agenda."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = agenda.email
    message["Subject"] = f"Your agenda for {agenda.day:%A %d %B}: {len(agenda.items)} planned"
    lines, cells = [], []
    for item in agenda.items:
        when = "overdue" if item.overdue else item.due_local.strftime("%H:%M")
        where = f" - {item.account}" if item.account else ""
        lines.append(f"{when:>8}  {item.kind}: {item.subject}{where}")
        cells.append(
            f"<tr><td>{html.escape(when)}</td><td>{html.escape(item.kind)}</td>"
            f"<td>{html.escape(item.subject)}</td><td>{html.escape(item.account or '')}</td></tr>"
        )
    message.set_content(f"Good morning {agenda.name},\n\n" + "\n".join(lines) + "\n")
    message.add_alternative(
        f"<p>Good morning {html.escape(agenda.name)},</p><table>{''.join(cells)}</table>",
        subtype="html",
    )
    return message


def smtp_sender(settings: Settings) -> Send:
    """Send through the configured SMTP server (STARTTLS and login when configured)."""

    def send(message: EmailMessage) -> None:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(message)

    return send


def _due_users(uow: UnitOfWork, now: datetime, hour: int) -> Sequence[User]:
    """Active users whose local time has passed the agenda hour on a working day."""
    users = uow.session.scalars(select(User).where(User.is_active).order_by(User.id)).all()
    due = []
    for user in users:
        local = now.astimezone(bt.zone(user.time_zone))
        if local.hour >= hour and bt.is_business_day(local.date()):
            due.append(user)
    return due


def send_agendas(uow: UnitOfWork, settings: Settings, send: Send | None = None) -> int:
    """Send today's agenda to every rep who is due one and has planned work; returns the count.

    Safe to call every few minutes: one transaction per user stores the mark and only commits
    after the server accepted the message (a failure leaves no mark, so the next call retries).
    """
    deliver = send or smtp_sender(settings)
    with uow(SYSTEM, "agenda.check"):
        now = uow.clock.now()
        candidates = [u.id for u in _due_users(uow, now, settings.agenda_hour)]
    sent = 0
    for user_id in candidates:
        try:
            sent += _send_one(uow, user_id, now, settings.smtp_from, deliver)
        except Conflict:
            continue  # another sender took this agenda a moment ago
    return sent


def _send_one(uow: UnitOfWork, user_id: int, now: datetime, sender: str, deliver: Send) -> int:
    with uow(SYSTEM, "agenda.sent"):
        user = uow.session.get(User, user_id)
        assert user is not None
        agenda = agenda_for(uow, user, now)
        key = f"{user.id}:{agenda.day.isoformat()}"
        done = uow.session.scalar(
            select(exists().where(AutomationMark.kind == "agenda", AutomationMark.key == key))
        )
        if done or not agenda.items:
            return 0
        uow.session.add(AutomationMark(kind="agenda", key=key, at=now))
        uow.flush()  # the unique key stops a concurrent sender before the e-mail goes out
        deliver(render(agenda, sender))
        uow.commit()
    return 1
