"""One RFC 822 message -> a captured e-mail activity: key, thread, time, people, text.

- **Key**: the Message-ID without its angle brackets; a message without one gets
  ``sha256:<digest>`` of its Date, From, To, Subject and body, so the same message is still
  recognised on the next run.
- **Thread**: the first id of References (the thread's root), else In-Reply-To, else the
  message's own key. It needs no other message, so a thread comes out the same whatever order
  mailboxes are read in.
- **Time**: the Date header converted to UTC (Enron's ``-0800 (PST)`` included); without a
  readable Date, the time the mailbox received it (mbox ``From`` line, IMAP INTERNALDATE).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from salestrack.domain import capture as rule
from salestrack.domain.rules import EMAIL_PATTERN
from salestrack.services.capture import CapturedActivity, Person

MAX_KEY = 255
MAX_SUBJECT = 500
MAX_NOTES = 20_000  # the start of the text is what a rep reads in the timeline
_ID = re.compile(r"<([^<>\s]+)>")
_EMAIL = re.compile(EMAIL_PATTERN)
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon")


def header_text(message: Message, name: str) -> str | None:
    """A header decoded from RFC 2047 words (``=?utf-8?q?...?=``); None when absent or blank."""
    raw = message.get(name)
    if raw is None:
        return None
    try:
        text = str(make_header(decode_header(str(raw))))
    except (UnicodeError, LookupError, ValueError):
        text = str(raw)
    text = " ".join(text.split())
    return text or None


def people(message: Message, *names: str) -> tuple[Person, ...]:
    """The addresses of these headers, lower-cased; malformed ones are left out."""
    values = [str(v) for name in names for v in message.get_all(name, [])]
    found: list[Person] = []
    for display, address in getaddresses(values):
        email = address.strip().strip("'\"").lower()
        if _EMAIL.match(email) and len(email) <= 254:
            name = _decoded(display)
            found.append(Person(email, name or None))
    return tuple(found)


def _decoded(value: str) -> str:
    try:
        return " ".join(str(make_header(decode_header(value))).split())
    except (UnicodeError, LookupError, ValueError):
        return value.strip()


def message_ids(value: str | None) -> list[str]:
    """The ``<id>`` tokens of Message-ID, In-Reply-To or References, without brackets."""
    if not value:
        return []
    found = _ID.findall(value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip().strip("<>")]  # a bare id written without brackets
    return found


def short_key(value: str) -> str:
    """Keys longer than the column are replaced by their digest (stable across runs)."""
    if len(value) <= MAX_KEY:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def sent_at(message: Message, received_at: datetime | None) -> datetime | None:
    """The Date header in UTC; a date without an offset (``-0000``) is read as UTC."""
    raw = message.get("Date")
    if raw:
        try:
            parsed = parsedate_to_datetime(str(raw))
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
    return received_at.astimezone(UTC) if received_at is not None else None


def body_text(message: Message) -> str | None:
    """The first text/plain part that is not an attachment, decoded; None without one."""
    for part in message.walk():
        if part.get_content_type() != "text/plain" or part.get_filename():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset() or "latin-1"
        try:
            text = payload.decode(charset, errors="replace")
        except LookupError:
            text = payload.decode("latin-1")
        text = text.replace("\r\n", "\n").strip()
        return text[:MAX_NOTES] or None
    return None


def _fallback_key(message: Message) -> str:
    digest = hashlib.sha256()
    for name in ("Date", "From", "To", "Subject"):
        digest.update(str(message.get(name, "")).encode("utf-8", "replace") + b"\0")
    if message.is_multipart():
        body = str(message.get_payload()).encode("utf-8", "replace")
    else:
        payload = message.get_payload(decode=True)
        body = payload if isinstance(payload, bytes) else b""
    digest.update(body)
    return "sha256:" + digest.hexdigest()


def is_bounce(message: Message, sender: Person | None) -> bool:
    """A delivery status report (RFC 3464), or a message from a mailer daemon."""
    report = message.get_content_type() == "multipart/report"
    if report and message.get_param("report-type") == "delivery-status":
        return True
    return sender is not None and sender.email.split("@")[0] in _DAEMONS


def to_activity(
    message: Message, position: int, *, received_at: datetime | None = None
) -> CapturedActivity:
    """Read one message; ``position`` says where it was (message number or IMAP UID)."""
    own = message_ids(header_text(message, "Message-ID"))
    key = short_key(own[0]) if own else _fallback_key(message)
    references = message_ids(header_text(message, "References"))
    in_reply_to = message_ids(header_text(message, "In-Reply-To"))
    root = references[0] if references else in_reply_to[0] if in_reply_to else key
    subject = header_text(message, "Subject")
    senders = people(message, "From") or people(message, "Sender")
    sender = senders[0] if senders else None
    return CapturedActivity(
        source="email",
        key=key,
        type="email",
        position=position,
        started_at=sent_at(message, received_at),
        sender=sender,
        others=people(message, "To", "Cc"),
        subject=subject[:MAX_SUBJECT] if subject else None,
        notes=body_text(message),
        thread_id=short_key(root),
        is_reply=bool(references or in_reply_to) or rule.is_reply_subject(subject),
        is_bounce=is_bounce(message, sender),
    )
