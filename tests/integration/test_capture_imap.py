"""E-mail capture from a real IMAP server (Dovecot over SSL on loopback), incrementally."""

from __future__ import annotations

import imaplib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from salestrack.capture.email_capture import capture_imap
from salestrack.domain.actor import SYSTEM
from salestrack.errors import ConfigurationError
from salestrack.services.capture import CaptureOptions, read_cursor
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork
from tests.factories import make_user
from tests.mail_helpers import activities, message
from tests.servers import ImapServer, start_dovecot


@pytest.fixture(scope="module")
def imap_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImapServer]:
    yield from start_dovecot(tmp_path_factory.mktemp("dovecot") / "server")


def _client(server: ImapServer) -> imaplib.IMAP4_SSL:
    client = imaplib.IMAP4_SSL("127.0.0.1", server.port, ssl_context=server.context())
    client.login(server.user, server.password)
    return client


def _append(server: ImapServer, mailbox: str, *raws: bytes) -> None:
    client = _client(server)
    try:
        client.create(mailbox)
        for raw in raws:
            status, _ = client.append(mailbox, None, None, raw.replace(b"\n", b"\r\n"))
            assert status == "OK"
    finally:
        client.logout()


def _mails(first: int, last: int) -> list[bytes]:
    return [
        message(f"imap-{n}@client", f"buyer{n}@client.example", "rep@ours.example")
        for n in range(first, last + 1)
    ]


def test_incremental_by_uid_then_a_new_uidvalidity_reads_again_and_adds_none(
    uow: UnitOfWork, imap_server: ImapServer
) -> None:
    owner = make_user(uow, email="rep@ours.example")
    options = CaptureOptions(owner_id=owner.id)
    mailbox = f"T{uuid.uuid4().hex[:8]}"
    url = imap_server.url.replace("/INBOX", f"/{mailbox}")

    def capture() -> tuple[int, int, int, list[str]]:
        report = capture_imap(
            uow, SYSTEM, url, options, password=imap_server.password,
            context=imap_server.context(),
        )  # fmt: skip
        return report.read, report.created, report.unchanged, report.notes

    _append(imap_server, mailbox, *_mails(1, 3))
    assert capture()[:3] == (3, 3, 0)
    name = f"imaps://{imap_server.user}@127.0.0.1:{imap_server.port}/{mailbox}"
    cursor = read_cursor(uow, SYSTEM, name)
    assert cursor is not None and cursor[1] == 3
    _append(imap_server, mailbox, *_mails(4, 5))
    assert capture()[:3] == (2, 2, 0)  # only the two new UIDs were fetched
    assert capture()[:3] == (0, 0, 0)
    assert set(activities(uow)) == {f"imap-{n}@client" for n in range(1, 6)}

    client = _client(imap_server)  # delete and re-create: the server gives a new UIDVALIDITY
    try:
        client.delete(mailbox)
    finally:
        client.logout()
    _append(imap_server, mailbox, *_mails(1, 5))
    read, created, unchanged, notes = capture()
    assert (read, created, unchanged) == (5, 0, 5)
    assert any("UIDVALIDITY" in note for note in notes)
    new_cursor = read_cursor(uow, SYSTEM, name)
    assert new_cursor is not None and new_cursor[0] != cursor[0]

    client = _client(imap_server)  # BODY.PEEK: capture leaves the messages unread
    try:
        client.select(mailbox, readonly=True)
        _, seen = client.search(None, "SEEN")
        assert seen == [b""]
    finally:
        client.logout()


def _storeless(tmp_path: Path) -> UnitOfWork:
    """A unit of work over an empty file: these failures happen before the store is touched."""
    return UnitOfWork(make_engine(f"sqlite:///{tmp_path / 'unused.db'}"))


def test_wrong_password_is_a_clear_error(imap_server: ImapServer, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="imaps://"):
        capture_imap(
            _storeless(tmp_path), SYSTEM, imap_server.url, CaptureOptions(owner_id=1),
            password="wrong", context=imap_server.context(),
        )  # fmt: skip


def test_certificate_is_checked(imap_server: ImapServer, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="certificate"):
        capture_imap(
            _storeless(tmp_path), SYSTEM, imap_server.url, CaptureOptions(owner_id=1),
            password=imap_server.password,
        )  # fmt: skip
