"""HubSpot e-mail and task exports (internal names and values) with the rest of an export.

The fixtures (tests/fixtures/hubspot/) are written in the layout HubSpot documents for these
objects: ``hs_timestamp``, ``hs_email_direction`` (EMAIL / INCOMING_EMAIL / FORWARDED_EMAIL),
``hs_email_status``, ``hs_task_status`` (NOT_STARTED / IN_PROGRESS / WAITING / COMPLETED /
DEFERRED), ``hs_task_type`` (TODO / CALL / EMAIL / LINKED_IN...), ``hs_task_priority``, with the
associations as "Associated Contact/Company/Deal IDs". Expected values are read off the fixture
rows by hand: the line of each row, its HubSpot fields and the rule of docs/import-presets.md.
Companies: 5001 (contact 701, deal 901) and 5002 (contact 702, deal 902).
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from salestrack.capture.importer import ImportReport
from salestrack.capture.presets import run_preset_or_mapping
from salestrack.domain.actor import SYSTEM
from salestrack.store.models import Account, Activity, ActivityType, Contact, Deal, User
from salestrack.store.uow import UnitOfWork
from tests.factories import make_rep

HUBSPOT = Path(__file__).resolve().parents[1] / "fixtures" / "hubspot"
EXPORT = sorted(HUBSPOT.glob("*.csv"))

# (line, field) -> start of the reason; deals.csv lines 4-5, emails.csv lines 8-10 (its first
# row spans lines 2-3), tasks.csv lines 8-13.
EXPECTED_REJECTS = {
    (4, "stage"): "'Stalled Forever' is not a stage",
    (5, "created_at"): "2026-02-15 08:00 UTC is after the close (2026-02-01 12:00)",
    (8, "hs_email_direction"): "'OUTGOING' is not one of EMAIL, INCOMING_EMAIL, FORWARDED_EMAIL",
    (9, "started_at"): "'2026-02-30T10:00:00Z' matches no date format",
    (10, "hubspot_owner_id"): "'64492917' is a HubSpot owner id",
    (8, "hs_task_status"): (
        "'ON_HOLD' is not one of NOT_STARTED, IN_PROGRESS, WAITING, DEFERRED, COMPLETED"
    ),
    (9, "hs_task_status"): "a COMPLETED CALL task records no call outcome",
    (10, "due_at"): "'next week' matches no date format",
    (11, "hs_task_type"): "'MEETING_PREP' is not one of TODO, TO_DO, CALL, EMAIL",
    (12, "hs_task_status"): "is empty (NOT_STARTED, IN_PROGRESS, WAITING, DEFERRED, COMPLETED)",
    (13, "due_at"): "'1770213600' matches no date format",  # seconds: HubSpot writes ms
}


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _import(uow: UnitOfWork, paths: list[Path]) -> ImportReport:
    return run_preset_or_mapping(uow, SYSTEM, "hubspot", paths)


def _stored(uow: UnitOfWork) -> dict[str, dict[str, object]]:
    """Each imported activity with its links as HubSpot record ids, by its record id."""
    with uow(SYSTEM):
        rows = uow.session.execute(
            select(Activity, ActivityType.key)
            .join(ActivityType, Activity.type_id == ActivityType.id)
            .where(Activity.source == "hubspot")
        ).all()
        accounts = dict(uow.session.execute(select(Account.id, Account.external_id)).all())
        contacts = dict(uow.session.execute(select(Contact.id, Contact.external_id)).all())
        deals = dict(uow.session.execute(select(Deal.id, Deal.external_id)).all())
        owners = dict(uow.session.execute(select(User.id, User.email)).all())
    return {
        str(a.external_id): {
            "type": kind,
            "status": a.status,
            "outcome": a.outcome,
            "direction": a.direction,
            "started": a.started_at,
            "due": a.due_at,
            "subject": a.subject,
            "notes": a.notes,
            "contact": contacts.get(a.contact_id),
            "account": accounts.get(a.account_id),
            "deal": deals.get(a.deal_id),
            "owner": owners.get(a.owner_id),
        }
        for a, kind in rows
    }


@pytest.fixture
def rep(uow: UnitOfWork) -> UnitOfWork:
    make_rep(uow, email="rep1@example.com", name="Rep One")
    return uow


def test_emails_and_tasks_become_linked_activities(rep: UnitOfWork) -> None:
    report = _import(rep, EXPORT)
    got = {(line, name): reason for line, name, reason in report.rejects}
    assert len(report.rejects) == len(got) == len(EXPECTED_REJECTS)
    assert set(got) == set(EXPECTED_REJECTS)
    for where, start in EXPECTED_REJECTS.items():
        assert got[where].startswith(start), (where, got[where])
    acts = _stored(rep)
    emails = {k: v for k, v in acts.items() if k.startswith("6")}
    tasks = {k: v for k, v in acts.items() if k.startswith("7")}
    assert sorted(emails) == ["6001", "6002", "6003", "6004", "6005"]
    assert sorted(tasks) == ["7001", "7002", "7003", "7004", "7005", "7006"]
    assert {a["owner"] for a in (*emails.values(), *tasks.values())} == {"rep1@example.com"}

    sent = emails["6001"]
    assert (sent["type"], sent["status"], sent["outcome"], sent["direction"]) == (
        "email",
        "done",
        "sent",
        "outbound",
    )
    assert (sent["started"], sent["subject"]) == (_at(2026, 2, 2, 9, 15), "Pricing")
    assert sent["notes"] == "Hi Ana,\nour price list is attached."
    assert (sent["contact"], sent["account"], sent["deal"]) == ("701", "5001", "901")
    reply = emails["6002"]  # +01:00 in the export: 16:40 UTC
    assert (reply["direction"], reply["outcome"], reply["started"]) == (
        "inbound",
        "replied",
        _at(2026, 2, 2, 16, 40),
    )
    # No company: the deal's (5001) comes before the contact's (702 is at 5002).
    assert (reply["contact"], reply["deal"], reply["account"]) == ("702", "901", "5001")
    forwarded = emails["6003"]  # hs_timestamp in Unix milliseconds
    assert (forwarded["direction"], forwarded["outcome"], forwarded["started"]) == (
        "inbound",
        "sent",
        _at(2026, 2, 4, 14),
    )
    assert (forwarded["contact"], forwarded["account"]) == ("702", "5002")  # the contact's
    bounced = emails["6004"]  # no offset: UTC; the first of "702;701" is the contact
    assert (bounced["outcome"], bounced["started"], bounced["contact"]) == (
        "bounced",
        _at(2026, 2, 4, 8),
        "702",
    )
    scheduled = emails["6005"]
    assert (scheduled["status"], scheduled["outcome"], scheduled["due"], scheduled["started"]) == (
        "planned",
        None,
        _at(2026, 3, 20, 10),
        None,
    )

    todo = tasks["7001"]
    assert (todo["type"], todo["status"], todo["due"], todo["deal"], todo["account"]) == (
        "task",
        "planned",
        _at(2026, 3, 10, 9),
        "902",
        "5002",  # the deal's
    )
    assert todo["notes"] == "Include the volume discount\n\nPriority: HIGH"
    call = tasks["7002"]  # IN_PROGRESS is still to do
    assert (call["type"], call["status"], call["outcome"], call["contact"], call["account"]) == (
        "call",
        "planned",
        None,
        "701",
        "5001",  # the contact's
    )
    assert call["notes"] == "Priority: MEDIUM"
    followed = tasks["7003"]  # done when it was completed, not on its due date
    assert (followed["type"], followed["status"], followed["outcome"]) == ("email", "done", "sent")
    assert (followed["started"], followed["due"]) == (_at(2026, 2, 19, 8, 30), _at(2026, 2, 20, 12))
    updated = tasks["7004"]  # no completion date: done on its due date; priority NONE: no note
    assert (updated["outcome"], updated["started"], updated["notes"]) == (
        "completed",
        _at(2026, 2, 25),
        None,
    )
    waiting = tasks["7005"]  # no hs_task_type: HubSpot's default, a to-do
    # The company given is kept, though the deal's account (5001) is another.
    assert (waiting["type"], waiting["status"], waiting["account"], waiting["deal"]) == (
        "task",
        "planned",
        "5002",
        "901",
    )
    deferred = tasks["7006"]
    assert (deferred["type"], deferred["status"], deferred["due"]) == (
        "social",
        "planned",
        _at(2026, 3, 15, 9),
    )


def test_second_run_adds_nothing_and_a_completed_task_updates(
    rep: UnitOfWork, tmp_path: Path
) -> None:
    first = _import(rep, EXPORT)
    again = _import(rep, EXPORT)
    assert again.created == 0 and again.updated == 0
    assert (again.unchanged, again.rejected) == (first.created, first.rejected)

    with (HUBSPOT / "tasks.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["Record ID"] == "7001":
            row.update(hs_task_status="COMPLETED", hs_task_completion_date="2026-03-01T10:00:00Z")
    changed = tmp_path / "tasks.csv"
    with changed.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    third = _import(rep, [changed])
    assert (third.created, third.updated, third.unchanged) == (0, 1, 5)
    done = _stored(rep)["7001"]
    assert (done["status"], done["outcome"], done["started"]) == (
        "done",
        "completed",
        _at(2026, 3, 1, 10),
    )
