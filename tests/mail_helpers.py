"""Helpers for the e-mail capture tests: small messages written the way mail programs do."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import select

from salestrack.domain.actor import SYSTEM
from salestrack.store.models import Activity
from salestrack.store.uow import UnitOfWork


def message(
    msg_id: str,
    sender: str,
    to: str,
    subject: str = "Pricing",
    date: str = "Mon, 02 Mar 2026 09:00:00 +0100",
    *,
    in_reply_to: str | None = None,
    references: str | None = None,
    body: str = "Hello",
) -> bytes:
    mail = EmailMessage()
    mail["Message-ID"] = f"<{msg_id}>"
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = date
    if in_reply_to:
        mail["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        mail["References"] = references
    mail.set_content(body)
    return bytes(mail)


def activities(uow: UnitOfWork, source: str = "email") -> dict[str, Activity]:
    """Stored activities of a source by external id."""
    with uow(SYSTEM):
        rows = uow.session.scalars(select(Activity).where(Activity.source == source)).all()
        return {str(a.external_id): a for a in rows}
