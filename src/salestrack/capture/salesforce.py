"""The Salesforce preset: ``sf data export tree`` JSON, its CSV twin, and Data Loader CSV.

Objects: Account, Contact, Lead, Opportunity, Task and Event (activities), plus the User export,
which is not imported but read to match each record's ``OwnerId`` to a user by e-mail. A record
is keyed by its Salesforce ``Id`` (Data Loader), else by its tree ``referenceId``
(``AccountRef1``; the CSV twin of a tree export has neither, so its Nth row is
``<Object>RefN``, the numbering of the JSON). References (``AccountId``, ``WhoId``, ``WhatId``)
resolve against records imported earlier from the same org by that key; which object an id
points at is read from its key prefix (``003`` contact, ``00Q`` lead, ...) or reference name.
Columns read and the rules for activities: docs/import-presets.md. Reading the export's files
(and the entry point of the preset) is in :mod:`salestrack.capture.salesforce_files`.

Stated rules for odd values (the Salesforce sample has them on purpose): text fields are kept
verbatim (``-1E02`` stays text, a lone ``"`` is a one-character text); number fields accept only
ASCII digits, so superscripts (``⁰⁴⁵``) or full-width digits (``１２３``) are refused with the field
named, never read as 45 or 123.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from salestrack.capture.crm import (
    DONE_OUTCOMES,
    ExportContext,
    ObjectSpec,
    Preset,
    Record,
    with_note,
)
from salestrack.errors import ValidationFailed

# Key prefixes of the objects an activity may point at (the first three characters of an Id).
ID_PREFIXES = {"001": "account", "003": "contact", "00Q": "lead", "006": "opportunity"}
_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_REFERENCE = re.compile(r"(account|contact|lead|opportunity)ref\d+", re.IGNORECASE)

SALESFORCE_STAGES = {
    "Prospecting": "Qualification",
    "Qualification": "Qualification",
    "Needs Analysis": "Discovery",
    "Value Proposition": "Discovery",
    "Id. Decision Makers": "Discovery",
    "Perception Analysis": "Discovery",
    "Proposal/Price Quote": "Proposal",
    "Negotiation/Review": "Negotiation",
    "Closed Won": "Won",
    "Closed/Won": "Won",
    "Closed Lost": "Lost",
    "Closed/Lost": "Lost",
}
SALESFORCE_LEAD_STATUSES = {
    "Open - Not Contacted": "new",
    "Working - Contacted": "working",
    "Closed - Converted": "qualified",
    "Closed - Not Converted": "disqualified",
}
# TaskSubtype (or, in exports from before it existed, the Type picklist) -> activity type.
TASK_TYPES = {
    "call": "call",
    "email": "email",
    "listemail": "email",
    "task": "task",
    "cadence": "task",
    "linkedin": "social",
    "meeting": "meeting",
    "other": "task",
}
EVENT_TYPES = {"event": "meeting"}
# CallDisposition is free text; these are the usual wordings. Others are refused with the
# reason (a done call needs an outcome), never guessed.
CALL_RESULTS = {
    "connected": "connected",
    "reached": "connected",
    "left voicemail": "voicemail",
    "left message": "voicemail",
    "voicemail": "voicemail",
    "no answer": "no_answer",
    "busy": "no_answer",
    "wrong number": "wrong_number",
}
CALL_DIRECTIONS = {"inbound": "inbound", "outbound": "outbound"}  # "Internal": our default
NO_USER_EXPORT = "records with an OwnerId but no User export among the files: owned by the importer"
NOT_LINKED = "WhatIds of objects salestrack does not keep (campaigns, cases, ...): not linked"


def _joined(record: Record, *names: str, sep: str = ", ") -> str:
    return sep.join(v.strip() for n in names if (v := record.get(n)) and v.strip())


def _strip_ref(value: str | None) -> str | None:
    """Salesforce tree exports point at parents as ``@AccountRef1``; the key is ``AccountRef1``."""
    value = value.strip() if value else None
    return value[1:] if value and value.startswith("@") else value or None


def _owner(r: Record, context: ExportContext) -> str | None:
    """The e-mail of the record's owner, through the User export (``Id`` -> ``Email``)."""
    owner_id = (r.get("ownerid") or "").strip()
    if not owner_id:
        return None
    if context.users is None:
        context.notes[NO_USER_EXPORT] += 1
        return None
    email = context.users.get(owner_id)
    if email is None:
        raise ValidationFailed("OwnerId", f"{owner_id!r} is not in the User export")
    return email


def _object_of(column: str, ref: str) -> str:
    """Which object an id points at: its reference name, or its key prefix."""
    named = _REFERENCE.fullmatch(ref)
    if named:
        return named.group(1).casefold()
    if not _ID.fullmatch(ref):
        raise ValidationFailed(column, f"{ref!r} is not a Salesforce id")
    return ID_PREFIXES.get(ref[:3], "other")


def _links(r: Record, context: ExportContext) -> Record:
    """An activity's links: WhoId (contact or lead), WhatId (opportunity or account), AccountId."""
    who, what = _strip_ref(r.get("whoid")), _strip_ref(r.get("whatid"))
    links: Record = {"contact_ref": None, "lead_ref": None, "deal_ref": None}
    links["account_ref"] = _strip_ref(r.get("accountid"))
    if who:
        kind = _object_of("WhoId", who)
        if kind not in ("contact", "lead"):
            raise ValidationFailed("WhoId", f"{who!r} is not the id of a contact or a lead")
        links[f"{kind}_ref"] = who
    if what:
        kind = _object_of("WhatId", what)
        if kind == "opportunity":
            links["deal_ref"] = what
        elif kind == "account":
            links["account_ref"] = links["account_ref"] or what
        else:
            context.notes[NOT_LINKED] += 1
    return links


def _when(value: str | None) -> datetime | None:
    """A Data Loader date-time (UTC) or date (midnight UTC, as Salesforce stores it); None when
    unreadable, and the import check then names the value and why."""
    try:
        parsed = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _sf_account(r: Record, context: ExportContext) -> Record:
    street = ("billingstreet", "billingcity", "billingstate", "billingpostalcode", "billingcountry")
    return {
        **r,
        "address": _joined(r, *street),
        # Only "Customer" says something about our status; other types (Partner, Press, ...)
        # leave it to the default on create and to won deals afterwards.
        "status": "customer" if (r.get("type") or "").casefold() == "customer" else None,
        "industry": None if (r.get("industry") or "").casefold() == "n/a" else r.get("industry"),
        "owner_email": _owner(r, context),
    }


def _sf_person(r: Record, context: ExportContext) -> Record:
    return {
        **r,
        "fullname": _joined(r, "firstname", "lastname", sep=" "),
        "accountid": _strip_ref(r.get("accountid")),
        "owner_email": _owner(r, context),
    }


def _sf_opportunity(r: Record, context: ExportContext) -> Record:
    """CloseDate is a day (midnight UTC); a deal created that same day closed no earlier than
    it was created, so it closes at CreatedDate's time rather than before it existed."""
    created, close = r.get("createddate"), (r.get("closedate") or "").strip()
    same_day = created is not None and len(close) == 10 and created.startswith(close)
    return {
        **r,
        "closedate": created if same_day else r.get("closedate"),
        "accountid": _strip_ref(r.get("accountid")),
        "owner_email": _owner(r, context),
    }


def _task(r: Record, context: ExportContext) -> Record:
    """A task: closed ones happened (IsClosed, or Status Completed when IsClosed is absent)."""
    raw_kind = (r.get("tasksubtype") or r.get("type") or "Task").strip()
    kind = TASK_TYPES.get(raw_kind.casefold(), raw_kind)
    closed = r.get("isclosed")
    if closed is not None and closed.strip():
        done = closed.strip().casefold() in ("true", "1")
    else:
        done = (r.get("status") or "").strip().casefold() == "completed"
    created, day = r.get("createddate"), (r.get("activitydate") or "").strip() or None
    started = outcome = None
    if done:
        # When it happened: completed at, else the day it is dated (the time it was logged,
        # when it was logged that day), else when it was logged.
        logged_that_day = created is not None and day is not None and created.startswith(day)
        started = r.get("completeddatetime") or (created if logged_that_day else day) or created
        disposition = (r.get("calldisposition") or "").strip()
        if kind == "call":
            outcome = CALL_RESULTS.get(disposition.casefold(), disposition) or None
        else:
            outcome = DONE_OUTCOMES.get(kind)
    call_type = (r.get("calltype") or "").strip().casefold()
    return {
        **r,
        **_links(r, context),
        "activity_type": kind,
        "activity_status": "done" if done else "planned",
        "activity_outcome": outcome,
        "started": started,
        "due": None if done else day or created,
        "duration": r.get("calldurationinseconds"),
        "direction": CALL_DIRECTIONS.get(call_type),
        "activity_notes": r.get("description"),
        "owner_email": _owner(r, context),
    }


def _event(r: Record, context: ExportContext) -> Record:
    """An event: done (held) once it has ended by now, else planned."""
    raw_kind = (r.get("eventsubtype") or "Event").strip()
    start = r.get("startdatetime") or r.get("activitydatetime") or r.get("activitydate")
    end = _when(r.get("enddatetime")) or _when(start)
    done = end is None or end <= context.now  # unreadable: the import check names the date
    minutes = (r.get("durationinminutes") or "").strip()
    notes = with_note(r.get("description"), "Location", r.get("location"))
    return {
        **r,
        **_links(r, context),
        "activity_type": EVENT_TYPES.get(raw_kind.casefold(), raw_kind),
        "activity_status": "done" if done else "planned",
        "activity_outcome": DONE_OUTCOMES["meeting"] if done else None,
        "started": start if done else None,
        "due": None if done else start,
        "duration": str(int(minutes) * 60) if minutes.isascii() and minutes.isdigit() else minutes,
        "activity_notes": notes,
        "owner_email": _owner(r, context),
    }


_ACTIVITY = {
    "entity": "activities",
    "key": ["referenceid"],
    "owner_by": "email",
    "columns": {
        "type": "activity_type",
        "status": "activity_status",
        "outcome": "activity_outcome",
        "subject": "subject",
        "notes": "activity_notes",
        "started_at": "started",
        "due_at": "due",
        "duration_s": "duration",
        "direction": "direction",
        "owner": "owner_email",
        "account": "account_ref",
        "contact": "contact_ref",
        "lead": "lead_ref",
        "deal": "deal_ref",
    },
}

SALESFORCE = Preset(
    name="salesforce",
    source="salesforce",
    objects=(
        ObjectSpec(
            "Account",
            ("accounts", "account"),
            "billingcity",
            {
                "entity": "accounts",
                "key": ["referenceid"],
                "owner_by": "email",
                "columns": {
                    "name": "name",
                    "industry": "industry",
                    "employees": "numberofemployees",
                    "region": "billingstate",
                    "address": "address",
                    "status": "status",
                    "created_at": "createddate",
                    "owner": "owner_email",
                },
            },
            _sf_account,
        ),
        # Before Contact: a lead export has LastName too; Company is a lead's own column.
        ObjectSpec(
            "Lead",
            ("leads", "lead"),
            "company",
            {
                "entity": "leads",
                "key": ["referenceid"],
                "owner_by": "email",
                "columns": {
                    "name": "fullname",
                    "company": "company",
                    "email": "email",
                    "phone": "phone",
                    "lead_source": "leadsource",
                    "status": "status",
                    "created_at": "createddate",
                    "owner": "owner_email",
                },
                "values": {"status": SALESFORCE_LEAD_STATUSES},
            },
            _sf_person,
        ),
        ObjectSpec(
            "Contact",
            ("contacts", "contact"),
            "lastname",
            {
                "entity": "contacts",
                "key": ["referenceid"],
                "owner_by": "email",
                "columns": {
                    "name": "fullname",
                    "email": "email",
                    "phone": "phone",
                    "title": "title",
                    "created_at": "createddate",
                    "account": "accountid",
                    "owner": "owner_email",
                },
            },
            _sf_person,
        ),
        ObjectSpec(
            "Opportunity",
            ("opportunities", "opportunity"),
            "stagename",
            {
                "entity": "deals",
                "key": ["referenceid"],
                "owner_by": "email",
                "columns": {
                    "name": "name",
                    "amount": "amount",
                    "stage": "stagename",
                    "created_at": "createddate",
                    "closed_at": "closedate",
                    "expected_close": "closedate",
                    "account": "accountid",
                    "owner": "owner_email",
                },
                "values": {"stage": SALESFORCE_STAGES},
            },
            _sf_opportunity,
        ),
        ObjectSpec("Task", ("tasks", "task"), "tasksubtype", _ACTIVITY, _task),
        ObjectSpec("Event", ("events", "event"), "isalldayevent", _ACTIVITY, _event),
    ),
)
