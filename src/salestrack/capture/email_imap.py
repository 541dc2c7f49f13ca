"""Messages from an IMAP mailbox over SSL, incrementally by UIDVALIDITY and UID.

The store keeps, per mailbox, the UIDVALIDITY and the last UID captured (``capture_cursors``);
the next run asks the server only for larger UIDs. When UIDVALIDITY differs the server has
renumbered the mailbox, so the whole mailbox is read again and de-duplication by Message-ID
keeps that from adding anything twice. The cursor moves in the same transaction as the
messages it covers, so a run killed midway resumes where it was, losing and repeating nothing.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from urllib.parse import unquote, urlsplit

from salestrack.capture.email_message import to_activity
from salestrack.errors import ConfigurationError, ValidationFailed
from salestrack.services.capture import CapturedActivity

FETCH_BATCH = 100  # messages per FETCH: bounded memory, few round trips
_UID = re.compile(rb"\bUID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


@dataclass(frozen=True)
class ImapTarget:
    """Where to read: ``imaps://user@host:port/MAILBOX`` (port 993 and INBOX by default)."""

    host: str
    port: int
    user: str
    mailbox: str
    password: str | None = None  # only when written in the URL; prefer the environment

    @property
    def name(self) -> str:
        """The mailbox's name in the store (no password)."""
        return f"imaps://{self.user}@{self.host}:{self.port}/{self.mailbox}"


def is_imap_url(value: str) -> bool:
    return value.lower().startswith(("imaps://", "imap://"))


def parse_imap_url(url: str) -> ImapTarget:
    parts = urlsplit(url)
    if parts.scheme.lower() != "imaps":
        raise ValidationFailed("url", "only imaps:// (IMAP over SSL) is supported")
    if not parts.hostname or not parts.username:
        raise ValidationFailed("url", "must name a user and a host: imaps://user@host/MAILBOX")
    mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
    password = unquote(parts.password) if parts.password else None
    return ImapTarget(parts.hostname, parts.port or 993, unquote(parts.username), mailbox, password)


class ImapMailbox:
    """A logged-in, read-only selected mailbox; use as a context manager."""

    def __init__(self, target: ImapTarget, password: str, context: ssl.SSLContext) -> None:
        self.target = target
        try:
            self._imap = imaplib.IMAP4_SSL(target.host, target.port, ssl_context=context)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ConfigurationError(f"cannot reach {target.name}: {exc}") from exc
        try:
            self._imap.login(target.user, password)
            status, _ = self._imap.select(_quoted(target.mailbox), readonly=True)
        except imaplib.IMAP4.error as exc:
            self.close()
            raise ConfigurationError(f"{target.name}: {exc}") from exc
        if status != "OK":
            self.close()
            raise ConfigurationError(f"{target.name}: the mailbox cannot be selected")
        _, values = self._imap.response("UIDVALIDITY")
        if not values or values[0] is None:
            self.close()
            raise ConfigurationError(f"{target.name}: the server sent no UIDVALIDITY")
        self.validity = int(values[0])

    def __enter__(self) -> ImapMailbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self._imap.logout()

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above ``last_uid``, ascending (``n:*`` also returns the top UID; dropped)."""
        status, data = self._imap.uid("SEARCH", f"UID {last_uid + 1}:*")
        if status != "OK":
            raise ConfigurationError(f"{self.target.name}: UID SEARCH failed")
        found = [int(v) for v in (data[0] or b"").split()]
        return sorted(uid for uid in found if uid > last_uid)

    def messages(self, uids: list[int]) -> Iterator[CapturedActivity]:
        """Fetch in batches without setting \\Seen (BODY.PEEK) and read each message."""
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            wanted = ",".join(str(u) for u in batch)
            status, data = self._imap.uid("FETCH", wanted, "(UID INTERNALDATE BODY.PEEK[])")
            if status != "OK":
                raise ConfigurationError(f"{self.target.name}: UID FETCH failed")
            fetched: dict[int, CapturedActivity] = {}
            for item in data:
                if not isinstance(item, tuple):
                    continue
                meta, raw = item
                uid = _UID.search(meta)
                if uid is None:
                    continue
                fetched[int(uid.group(1))] = to_activity(
                    message_from_bytes(raw), int(uid.group(1)), received_at=_internal_date(meta)
                )
            yield from (fetched[uid] for uid in batch if uid in fetched)


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _internal_date(meta: bytes) -> datetime | None:
    found = _INTERNALDATE.search(meta)
    if found is None:
        return None
    try:
        return datetime.strptime(found.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None
