"""E-mail capture from files: the Enron mbox once and only once, UTC times, truncated mboxes,
direction, contacts, leads and threads."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from salestrack.capture.email_capture import capture_email_files
from salestrack.domain.actor import SYSTEM
from salestrack.errors import ImportRowError
from salestrack.services.capture import CaptureOptions
from salestrack.store.models import Activity, Lead
from salestrack.store.uow import UnitOfWork
from tests.conftest import SHARED_DATA
from tests.factories import make_account, make_user
from tests.mail_helpers import activities, message

ENRON = SHARED_DATA / "email" / "enron_slice.mbox"


def _enron() -> list[mailbox.mboxMessage]:
    """The Enron messages as the standard library reads them (an independent reader)."""
    box = mailbox.mbox(ENRON, create=False)
    try:
        return list(box)
    finally:
        box.close()


def _options(uow: UnitOfWork, **kw: object) -> CaptureOptions:
    owner = make_user(uow, email="rep@ours.example")
    return CaptureOptions(owner_id=owner.id, **kw)  # type: ignore[arg-type]


def test_enron_mbox_every_message_once_in_utc_and_a_second_run_adds_none(
    uow: UnitOfWork,
) -> None:
    # Counted independently: the standard library's mbox reader and the Message-ID header.
    enron = _enron()
    expected = {str(m["Message-ID"]).strip().strip("<>") for m in enron}
    assert len(expected) == 1_009
    expected_out = sum(
        1 for m in enron if str(m["From"]).strip().rstrip(">").lower().endswith("enron.com")
    )
    options = _options(uow, team_domains=("enron.com",))
    first = capture_email_files(uow, SYSTEM, ENRON, options)
    assert (first.read, first.created, first.rejected) == (1_009, len(expected), 0)
    stored = activities(uow)
    assert set(stored) == expected
    assert sum(a.direction == "outbound" for a in stored.values()) == expected_out
    # Date: Thu, 7 Feb 2002 00:04:32 -0800 (PST)  -> 08:04:32 UTC
    pst = stored["15342281.1075840953165.JavaMail.evans@thyme"]
    assert pst.started_at == datetime(2002, 2, 7, 8, 4, 32, tzinfo=UTC)
    # Date: Thu, 25 Oct 2001 12:01:51 -0700 (PDT)  -> 19:01:51 UTC
    pdt = stored["29052582.1075854896753.JavaMail.evans@thyme"]
    assert pdt.started_at == datetime(2001, 10, 25, 19, 1, 51, tzinfo=UTC)
    again = capture_email_files(uow, SYSTEM, ENRON, options)
    assert (again.read, again.created, again.updated, again.unchanged) == (1_009, 0, 0, 1_009)
    with uow(SYSTEM):
        assert uow.session.scalar(select(func.count()).select_from(Activity)) == len(expected)


@pytest.mark.parametrize("cut", ["mid_line", "mid_headers"])
def test_truncated_mbox_is_refused_with_its_position_and_nothing_written(
    uow: UnitOfWork, tmp_path: Path, cut: str
) -> None:
    data = ENRON.read_bytes()
    last_from = data.rfind(b"\nFrom ") + 1
    last_line = data[:last_from].count(b"\n") + 1
    end = last_from + 200 if cut == "mid_headers" else len(data) - 7
    assert data[end - 1 : end] != b"\n"
    broken = tmp_path / "cut.mbox"
    broken.write_bytes(data[:end])
    options = _options(uow)
    with pytest.raises(ImportRowError) as err:
        capture_email_files(uow, SYSTEM, broken, options)
    assert err.value.line == last_line
    assert "truncated" in err.value.reason and "message 1,009" in err.value.reason
    assert activities(uow) == {}


def test_truncated_multipart_without_closing_boundary(uow: UnitOfWork, tmp_path: Path) -> None:
    box = tmp_path / "m.mbox"
    whole = (
        b"From a@b Mon Mar  2 09:00:00 2026\n"
        + message("one@x", "a@x.example", "b@y.example")
        + b"\nFrom a@b Mon Mar  2 09:00:00 2026\n"
        b"Message-ID: <two@x>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="XX"\n\n--XX\nContent-Type: text/plain\n\nhi\n'
    )
    box.write_bytes(whole)
    with pytest.raises(ImportRowError, match="closing boundary"):
        capture_email_files(uow, SYSTEM, box, _options(uow))
    assert activities(uow) == {}


def test_direction_contacts_leads_and_threads(uow: UnitOfWork, tmp_path: Path) -> None:
    options = _options(uow, create_leads=True)
    account = make_account(uow)
    from salestrack.services.accounts import create_contact

    buyer = create_contact(
        uow, SYSTEM, name="Ann Buyer", email="Ann.Buyer@Client.example", account_id=account.id
    )
    mails = tmp_path / "mails"
    mails.mkdir()
    sent = message("m1@ours", "Rep <REP@ours.example>", "ANN.BUYER@client.example")
    reply = message(
        "m2@client",
        "ann.buyer@client.example",
        "rep@ours.example",
        "Re: Pricing",
        "Mon, 02 Mar 2026 10:30:00 +0100",
        in_reply_to="m1@ours",
        references="<m1@ours>",
    )
    cold = message("m3@else", "Bob New <bob@prospect.example>", "rep@ours.example", "Hi")
    for name, raw in (("1.eml", sent), ("2.eml", reply), ("3.eml", cold)):
        (mails / name).write_bytes(raw)
    report = capture_email_files(uow, SYSTEM, mails, options)
    assert (report.read, report.created) == (3, 3)
    got = activities(uow)
    out, back, stranger = got["m1@ours"], got["m2@client"], got["m3@else"]
    assert (out.direction, out.outcome) == ("outbound", "replied")  # answered by m2
    assert (back.direction, back.outcome) == ("inbound", "replied")
    assert (stranger.direction, stranger.outcome) == ("inbound", "sent")
    assert out.contact_id == back.contact_id == buyer.id
    assert out.account_id == account.id
    assert out.thread_id == back.thread_id == "m1@ours" != stranger.thread_id
    assert back.started_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    with uow(SYSTEM):
        lead = uow.session.scalars(select(Lead)).one()
    assert (lead.email, lead.name, stranger.lead_id) == ("bob@prospect.example", "Bob New", lead.id)


def test_reply_read_before_the_message_it_answers_still_counts(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    options = _options(uow)
    reply = message(
        "r@client",
        "x@client.example",
        "rep@ours.example",
        in_reply_to="s@ours",
        date="Tue, 03 Mar 2026 09:00:00 +0000",
    )
    (tmp_path / "reply.eml").write_bytes(reply)
    capture_email_files(uow, SYSTEM, tmp_path / "reply.eml", options)
    (tmp_path / "sent.eml").write_bytes(message("s@ours", "rep@ours.example", "x@client.example"))
    capture_email_files(uow, SYSTEM, tmp_path / "sent.eml", options)
    assert activities(uow)["s@ours"].outcome == "replied"


def test_maildir_without_leads_option_links_nothing(uow: UnitOfWork, tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(message("a@m", "someone@client.example", "rep@ours.example"))
    box.add(message("b@m", "rep@ours.example", "someone@client.example"))
    report = capture_email_files(uow, SYSTEM, tmp_path / "Maildir", _options(uow))
    assert (report.read, report.created) == (2, 2)
    got = activities(uow)
    assert got["a@m"].lead_id is None and got["b@m"].direction == "outbound"
    with uow(SYSTEM):
        assert uow.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_message_without_a_date_is_rejected_with_its_position(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    raw = message("nodate@x", "a@client.example", "rep@ours.example").replace(
        b"Date: Mon, 02 Mar 2026 09:00:00 +0100\n", b""
    )
    (tmp_path / "a.eml").write_bytes(raw)
    report = capture_email_files(uow, SYSTEM, tmp_path / "a.eml", _options(uow))
    assert (report.read, report.created, report.rejected) == (1, 0, 1)
    assert report.rejects == [(1, "started_at", "is missing or unreadable")]
