"""Salesforce Data Loader Task and Event exports, linked to the real sample org imported first.

The fixtures (tests/fixtures/salesforce/) are written in the Data Loader layout; their WhoId,
WhatId and AccountId name records of /work/shared/data/salesforce-sample (whose records carry
reference ids, ``ContactRef2``, instead of Salesforce ids). Expected values are read off the
fixture rows by hand: the line of each row, its Salesforce fields and the rule that applies.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from salestrack.capture.importer import ImportReport
from salestrack.capture.presets import run_preset_or_mapping
from salestrack.capture.salesforce import NO_USER_EXPORT, NOT_LINKED
from salestrack.domain.actor import SYSTEM, Actor
from salestrack.store.models import Account, Activity, ActivityType, Contact, Deal, Lead, User
from salestrack.store.uow import UnitOfWork
from tests.conftest import SHARED_DATA
from tests.factories import make_rep

SAMPLE = sorted((SHARED_DATA / "salesforce-sample").glob("*.csv"))
LOADER = Path(__file__).resolve().parents[1] / "fixtures" / "salesforce"
EXPORT = [LOADER / n for n in ("User.csv", "Lead.csv", "Task.csv", "Event.csv")]

# (line, field) -> start of the reason, read off Event.csv (lines 4, 5) and Task.csv (9-13;
# its first row spans lines 2-3, a quoted newline).
EXPECTED_REJECTS = {
    (4, "started_at"): "'2021-13-05T09:00:00.000Z' matches no date format",
    (5, "WhoId"): "'0015g00000AcA01AAF' is not the id of a contact or a lead",
    (9, "contact"): "contact 'ContactRef999' not found in source salesforce",
    (10, "type"): "'Fax' is not one of call, email",
    (11, "due_at"): "'2021-02-30' matches no date format",
    (12, "outcome"): "'Interested' is not an outcome of a call",
    (13, "OwnerId"): "'0055g00000ZzZ99AAR' is not in the User export",
}


def _import(uow: UnitOfWork, paths: list[Path], actor: Actor = SYSTEM) -> ImportReport:
    return run_preset_or_mapping(uow, actor, "salesforce", paths)


def _stored(uow: UnitOfWork) -> dict[str, dict[str, object]]:
    """Each imported activity with its links as Salesforce keys, by its Salesforce Id."""
    with uow(SYSTEM):
        rows = uow.session.execute(
            select(Activity, ActivityType.key, Contact.external_id, Lead.external_id)
            .join(ActivityType, Activity.type_id == ActivityType.id)
            .outerjoin(Contact, Activity.contact_id == Contact.id)
            .outerjoin(Lead, Activity.lead_id == Lead.id)
            .where(Activity.source == "salesforce")
        ).all()
        accounts = dict(uow.session.execute(select(Account.id, Account.external_id)).all())
        deals = dict(uow.session.execute(select(Deal.id, Deal.external_id)).all())
        owners = dict(uow.session.execute(select(User.id, User.email)).all())
    out: dict[str, dict[str, object]] = {}
    for activity, kind, contact, lead in rows:
        out[str(activity.external_id)] = {
            "type": kind,
            "status": activity.status,
            "outcome": activity.outcome,
            "started": activity.started_at,
            "due": activity.due_at,
            "duration": activity.duration_s,
            "direction": activity.direction,
            "notes": activity.notes,
            "contact": contact,
            "lead": lead,
            "account": accounts.get(activity.account_id),
            "deal": deals.get(activity.deal_id),
            "owner": owners.get(activity.owner_id),
        }
    return out


def _at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def org(uow: UnitOfWork) -> UnitOfWork:
    """The store after the sample org's CSV export (accounts, contacts, opportunities)."""
    make_rep(uow, email="rep1@example.com", name="Rep One")
    make_rep(uow, email="rep2@example.com", name="Rep Two")
    _import(uow, SAMPLE)
    return uow


def test_tasks_and_events_become_linked_activities(org: UnitOfWork) -> None:
    report = _import(org, EXPORT)
    # 2 leads, 12 tasks, 5 events read; 5 tasks and 2 events refused, each with its reason.
    assert (report.read, report.created, report.rejected) == (19, 12, 7)
    got = {(line, name): reason for line, name, reason in report.rejects}
    assert set(got) == set(EXPECTED_REJECTS)
    for where, start in EXPECTED_REJECTS.items():
        assert got[where].startswith(start), (where, got[where])
    with org(SYSTEM):
        leads = dict(org.session.execute(select(Lead.external_id, Lead.status)).all())
    assert leads == {"00Q5g00000LdA01EAF": "working", "00Q5g00000LdA02EAF": "new"}

    acts = _stored(org)
    assert len(acts) == 10
    call = acts["00T5g00000TkA01EAF"]
    assert (call["type"], call["status"], call["outcome"], call["direction"]) == (
        "call",
        "done",
        "connected",
        "outbound",
    )
    # Logged the day it is dated: the time it was logged (CreatedDate, UTC).
    assert call["started"] == _at(2021, 1, 12, 15, 32, 10) and call["duration"] == 312
    assert (call["contact"], call["deal"], call["account"], call["owner"]) == (
        "ContactRef2",
        "OpportunityRef17",
        "AccountRef1",
        "rep1@example.com",
    )
    assert call["notes"] == "Walked through the renewal quote.\nAsked for a second demo."
    voicemail = acts["00T5g00000TkA02EAF"]
    # Logged three days later than it is dated: the day it is dated, midnight UTC.
    assert (voicemail["outcome"], voicemail["started"]) == ("voicemail", _at(2021, 1, 15))
    assert (voicemail["account"], voicemail["deal"], voicemail["owner"]) == (
        "AccountRef5",
        None,
        "rep2@example.com",
    )
    email = acts["00T5g00000TkA03EAF"]
    assert (email["type"], email["outcome"], email["lead"], email["contact"]) == (
        "email",
        "sent",
        "00Q5g00000LdA01EAF",
        None,
    )
    planned = acts["00T5g00000TkA04EAF"]
    assert (planned["type"], planned["status"], planned["outcome"]) == ("task", "planned", None)
    assert (planned["due"], planned["started"], planned["deal"]) == (
        _at(2026, 3, 20),
        None,
        "OpportunityRef43",
    )
    completed = acts["00T5g00000TkA05EAF"]
    assert (completed["outcome"], completed["started"]) == ("completed", _at(2021, 2, 3, 16, 45))
    list_email = acts["00T5g00000TkA06EAF"]  # WhatId is a campaign: not linked, noted
    assert (list_email["type"], list_email["deal"], list_email["account"]) == (
        "email",
        None,
        "AccountRef5",
    )
    assert f"1 {NOT_LINKED}" in report.notes
    inbound = acts["00T5g00000TkA12EAF"]
    assert (inbound["direction"], inbound["lead"]) == ("inbound", "00Q5g00000LdA02EAF")

    held = acts["00U5g00000EvA01EAF"]  # ended before the clock's now (2026-03-02 09:00 UTC)
    assert (held["type"], held["status"], held["outcome"]) == ("meeting", "done", "held")
    assert (held["started"], held["duration"]) == (_at(2021, 1, 19, 14), 3600)
    assert (held["contact"], held["account"]) == ("ContactRef1", "AccountRef10")
    assert str(held["notes"]).endswith("\n\nLocation: Blogtags HQ, room 4")
    ahead = acts["00U5g00000EvA02EAF"]
    assert (ahead["status"], ahead["due"], ahead["started"]) == (
        "planned",
        _at(2026, 3, 10, 16),
        None,
    )
    review = acts["00U5g00000EvA05EAF"]  # no AccountId: the account is the WhatId
    assert (review["account"], review["duration"]) == ("AccountRef35", 5400)


def test_second_run_adds_nothing_and_a_changed_row_updates(org: UnitOfWork, tmp_path: Path) -> None:
    _import(org, EXPORT)
    again = _import(org, EXPORT)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 12, 7)

    with (LOADER / "Task.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["ID"] == "00T5g00000TkA04EAF":  # the planned task, now done
            row.update(STATUS="Completed", ISCLOSED="true")
            row["COMPLETEDDATETIME"] = "2026-03-01T10:00:00.000Z"
    changed = tmp_path / "Task.csv"
    with changed.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    third = _import(org, [LOADER / "User.csv", changed])
    assert (third.created, third.updated, third.unchanged) == (0, 1, 6)
    done = _stored(org)["00T5g00000TkA04EAF"]
    assert (done["status"], done["outcome"], done["started"]) == (
        "done",
        "completed",
        _at(2026, 3, 1, 10),
    )
    with org(SYSTEM):
        total = org.session.scalar(select(func.count()).select_from(Activity))
    assert total == 10


def test_without_the_user_export_the_importer_owns_them(org: UnitOfWork) -> None:
    with org(SYSTEM):
        rep = org.session.scalars(select(User).filter_by(email="rep1@example.com")).one()
    actor = Actor(rep.id, SYSTEM.role, None, rep.email)  # an admin-like importer with an id
    report = _import(org, [LOADER / "Event.csv"], actor)
    assert report.created == 3
    # Counted per row read up to its owner (the row refused for its WhoId stopped earlier).
    assert f"4 {NO_USER_EXPORT}" in report.notes
    assert {a["owner"] for a in _stored(org).values()} == {"rep1@example.com"}


def test_a_data_loader_org_links_by_salesforce_ids(uow: UnitOfWork, tmp_path: Path) -> None:
    """A whole org from Data Loader: records keyed by Id, references by Id and its key prefix."""
    make_rep(uow, email="rep1@example.com", name="Rep One")
    files = {
        "User.csv": '"ID","USERNAME","EMAIL"\n"0055g00000A1b2CAAR","r1@acme","rep1@example.com"\n',
        "Account.csv": '"ID","NAME","BILLINGCITY","OWNERID"\n'
        '"0015g00000AcA01AAF","Acme GmbH","Berlin","0055g00000A1b2CAAR"\n',
        "Contact.csv": '"ID","FIRSTNAME","LASTNAME","ACCOUNTID","EMAIL"\n'
        '"0035g00000CoA01AAF","Ina","Berg","0015g00000AcA01AAF","ina@acme.example"\n',
        "Opportunity.csv": '"ID","NAME","STAGENAME","AMOUNT","CLOSEDATE","ACCOUNTID"\n'
        '"0065g00000OpA01AAF","Acme rollout","Prospecting","12000","2026-06-30",'
        '"0015g00000AcA01AAF"\n',
        "Task.csv": '"ID","WHOID","WHATID","OWNERID","SUBJECT","ACTIVITYDATE","ISCLOSED",'
        '"TASKSUBTYPE","CALLDISPOSITION","CREATEDDATE"\n'
        '"00T5g00000TkB01EAF","0035g00000CoA01AAF","0065g00000OpA01AAF","0055g00000A1b2CAAR",'
        '"Call","2026-02-10","true","Call","Left message","2026-02-10T08:15:00.000Z"\n',
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    report = _import(uow, sorted(tmp_path.glob("*.csv")))
    assert (report.created, report.rejected) == (4, 0), report.rejects
    call = _stored(uow)["00T5g00000TkB01EAF"]
    assert (call["contact"], call["deal"], call["account"], call["owner"]) == (
        "0035g00000CoA01AAF",
        "0065g00000OpA01AAF",
        "0015g00000AcA01AAF",  # no AccountId in this export: the opportunity's account
        "rep1@example.com",
    )
    assert (call["outcome"], call["started"]) == ("voicemail", _at(2026, 2, 10, 8, 15))
    with uow(SYSTEM):
        owner = uow.session.scalars(select(User.email).join(Account, Account.owner_id == User.id))
        assert owner.one() == "rep1@example.com"
