"""Capture e-mail from a path (.eml, folder, mbox, Maildir) or an IMAP URL into the store.

Reading is here, writing in :mod:`salestrack.services.capture`; the result is the same
:class:`~salestrack.capture.importer.ImportReport` every import prints.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from salestrack.capture.email_files import read_messages
from salestrack.capture.email_imap import ImapMailbox, parse_imap_url
from salestrack.capture.importer import ImportReport
from salestrack.domain.actor import Actor
from salestrack.errors import ValidationFailed
from salestrack.services.capture import (
    CaptureOptions,
    CursorMove,
    capture_activities,
    read_cursor,
)
from salestrack.store.uow import UnitOfWork


def capture_email_files(
    uow: UnitOfWork, actor: Actor, path: Path, options: CaptureOptions
) -> ImportReport:
    """Capture every message at ``path``; a truncated mbox is refused before any write."""
    report = ImportReport()
    for result in capture_activities(uow, actor, read_messages(path), options):
        report.add(result)
    return report


def capture_imap(
    uow: UnitOfWork,
    actor: Actor,
    url: str,
    options: CaptureOptions,
    *,
    password: str | None = None,
    context: ssl.SSLContext | None = None,
) -> ImportReport:
    """Capture the messages of an IMAP mailbox that arrived since the last run."""
    target = parse_imap_url(url)
    secret = password or target.password
    if not secret:
        raise ValidationFailed("password", "is required (set SALESTRACK_IMAP_PASSWORD)")
    report = ImportReport()
    with ImapMailbox(target, secret, context or ssl.create_default_context()) as box:
        stored = read_cursor(uow, actor, target.name)
        last_uid = 0
        if stored is not None and stored[0] == box.validity:
            last_uid = stored[1]
        elif stored is not None:
            report.notes.append(
                f"UIDVALIDITY of {target.name} changed ({stored[0]} -> {box.validity}): "
                "the mailbox was read again from the start"
            )
        uids = box.uids_after(last_uid)
        report.notes.append(f"{target.name}: {len(uids):,} new messages after UID {last_uid}")
        move = CursorMove(target.name, box.validity)
        for result in capture_activities(uow, actor, box.messages(uids), options, cursor=move):
            report.add(result)
    return report
