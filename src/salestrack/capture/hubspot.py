"""The HubSpot preset: companies, contacts, deals, calls, meetings, e-mails and tasks (CSV).

Companies, contacts, deals, calls and meetings are read as HubSpot's export writes them by
default: columns named by property label ("Record ID", "Company name", ...). E-mails and tasks are
read by their documented internal property names and values (``hs_email_direction`` = ``EMAIL``,
``hs_task_status`` = ``NOT_STARTED``, ...), the layout of an export with internal names and
values. Every object links records through "Associated Company/Contact/Deal IDs", whose first id
(HubSpot joins several with ``;``) is the link. Owners are matched by user name, ignoring case.
Columns read and the rules for e-mails and tasks: docs/import-presets.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from salestrack.capture.crm import (
    DONE_OUTCOMES,
    Derive,
    ExportContext,
    ObjectSpec,
    Preset,
    Record,
    with_note,
)
from salestrack.domain.capture import email_outcome
from salestrack.domain.vocab import ActivityStatus, Direction
from salestrack.errors import ValidationFailed

HUBSPOT_STAGES = {
    "Appointment Scheduled": "Qualification",
    "Qualified To Buy": "Qualification",
    "Presentation Scheduled": "Discovery",
    "Decision Maker Bought-In": "Proposal",
    "Contract Sent": "Negotiation",
    "Closed Won": "Won",
    "Closed Lost": "Lost",
}
HUBSPOT_CALL_OUTCOMES = {
    "Connected": "connected",
    "Left voicemail": "voicemail",
    "Left live message": "connected",
    "No answer": "no_answer",
    "Busy": "no_answer",
    "Wrong number": "wrong_number",
}
HUBSPOT_MEETING_OUTCOMES = {
    "Completed": "held",
    "No Show": "no_show",
    "Rescheduled": "rescheduled",
}
# hs_email_direction: EMAIL was sent from (or logged to) the CRM; INCOMING_EMAIL is a reply to a
# logged outgoing e-mail; FORWARDED_EMAIL was forwarded to the CRM, i.e. one the rep received.
EMAIL_DIRECTIONS = {
    "EMAIL": Direction.OUTBOUND,
    "INCOMING_EMAIL": Direction.INBOUND,
    "FORWARDED_EMAIL": Direction.INBOUND,
}
# hs_email_status -> our status; BOUNCED is a done e-mail whose outcome is ``bounced``.
EMAIL_STATUSES = {
    "SENT": ActivityStatus.DONE,
    "SENDING": ActivityStatus.DONE,
    "BOUNCED": ActivityStatus.DONE,
    "SCHEDULED": ActivityStatus.PLANNED,
    "FAILED": ActivityStatus.CANCELLED,  # never went out
}
# hs_task_status: only COMPLETED is done; the other four are still to do.
TASK_STATUSES = {
    "NOT_STARTED": ActivityStatus.PLANNED,
    "IN_PROGRESS": ActivityStatus.PLANNED,
    "WAITING": ActivityStatus.PLANNED,
    "DEFERRED": ActivityStatus.PLANNED,
    "COMPLETED": ActivityStatus.DONE,
}
TASK_TYPES = {
    "TODO": "task",
    "TO_DO": "task",
    "CALL": "call",
    "EMAIL": "email",
    "LINKED_IN": "social",
    "LINKEDIN": "social",
    "LINKED_IN_CONNECT": "social",
    "LINKED_IN_MESSAGE": "social",
}
DONE_CALL_TASK = (
    "a COMPLETED CALL task records no call outcome (connected, voicemail, ...); "
    "the call itself, with its outcome, is in the calls export"
)
ASSOCIATIONS = {
    "company_ref": "associated company ids",
    "contact_ref": "associated contact ids",
    "deal_ref": "associated deal ids",
}


def _primary(value: str | None) -> str | None:
    """HubSpot joins several associated ids with ';'; the first (primary) one is the link."""
    return (value or "").split(";")[0].strip() or None


def _first_id(column: str) -> Derive:
    def derive(r: Record, context: ExportContext) -> Record:
        return {**r, column: _primary(r.get(column))}

    return derive


def _hubspot_meeting(r: Record, context: ExportContext) -> Record:
    """Scheduled and cancelled meetings are planned / cancelled; the rest happened."""
    outcome = (r.get("meeting outcome") or "").strip()
    status = {"Scheduled": "planned", "Canceled": "cancelled"}.get(outcome, "done")
    done_outcome = None if status != "done" else outcome
    start = r.get("meeting start time")
    return {
        **_first_id("associated company ids")(r, context),
        "status": status,
        "outcome": done_outcome,
        "due": start if status == "planned" else None,
        "start": start if status == "done" else None,
    }


def _person(r: Record, context: ExportContext) -> Record:
    return {**r, "fullname": " ".join(filter(None, [r.get("first name"), r.get("last name")]))}


def _token(value: str | None) -> str:
    """An enumeration value as HubSpot's internal value: ``Not started`` reads ``NOT_STARTED``."""
    return (value or "").strip().upper().replace(" ", "_").replace("-", "_")


def _choice(r: Record, column: str, table: Mapping[str, object], default: str = "") -> str:
    """The internal value of ``column``, refused (naming the column) when it is not in ``table``."""
    value = _token(r.get(column)) or default
    if value not in table:
        known = ", ".join(dict.fromkeys(table))
        given = (r.get(column) or "").strip()
        raise ValidationFailed(
            column, f"{given!r} is not one of {known}" if given else f"is empty ({known})"
        )
    return value


def _time(value: str | None) -> str | None:
    """hs_timestamp as text the import parses: Unix milliseconds (the API's other form, 13
    digits from 2001 to 2286) become ISO; any other number is left for the date check to refuse."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit() and len(text) == 13:
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC).isoformat()
    return text or None


def _engagement(r: Record) -> Record:
    """What e-mails and tasks share: key, links, owner (by name)."""
    owner = (r.get("hubspot_owner_id") or r.get("activity assigned to") or "").strip()
    if owner.isascii() and owner.isdigit():
        raise ValidationFailed(
            "hubspot_owner_id",
            f"{owner!r} is a HubSpot owner id; export owners as names (property values as "
            "labels): owners are matched to users by name",
        )
    return {
        "record_id": r.get("record id") or r.get("hs_object_id"),
        "owner_name": owner or None,
        **{ref: _primary(r.get(column)) for ref, column in ASSOCIATIONS.items()},
    }


def _hubspot_email(r: Record, context: ExportContext) -> Record:
    """An e-mail: direction from hs_email_direction, status and bounce from hs_email_status."""
    way = EMAIL_DIRECTIONS[_choice(r, "hs_email_direction", EMAIL_DIRECTIONS)]
    sent = _choice(r, "hs_email_status", EMAIL_STATUSES, default="SENT")
    status = EMAIL_STATUSES[sent]
    at = _time(r.get("hs_timestamp"))
    is_reply = _token(r.get("hs_email_direction")) == "INCOMING_EMAIL"
    outcome = email_outcome(way, is_reply=is_reply, is_bounce=False)
    done = status is ActivityStatus.DONE
    return {
        **_engagement(r),
        "activity_type": "email",
        "activity_status": status.value,
        "activity_outcome": ("bounced" if sent == "BOUNCED" else outcome) if done else None,
        "activity_direction": way.value,
        "activity_subject": r.get("hs_email_subject"),
        "activity_notes": r.get("hs_email_text"),
        "started": at if done else None,
        "due": None if done else at,
    }


def _hubspot_task(r: Record, context: ExportContext) -> Record:
    """A task: done when COMPLETED, else planned, due on hs_timestamp; priority goes to notes."""
    kind = TASK_TYPES[_choice(r, "hs_task_type", TASK_TYPES, default="TODO")]
    status = TASK_STATUSES[_choice(r, "hs_task_status", TASK_STATUSES)]
    done = status is ActivityStatus.DONE
    if done and kind == "call":
        raise ValidationFailed("hs_task_status", DONE_CALL_TASK)
    due = _time(r.get("hs_timestamp"))
    priority = _token(r.get("hs_task_priority"))
    return {
        **_engagement(r),
        "activity_type": kind,
        "activity_status": status.value,
        "activity_outcome": DONE_OUTCOMES.get(kind) if done else None,
        "activity_direction": None,
        "activity_subject": r.get("hs_task_subject"),
        "activity_notes": with_note(
            r.get("hs_task_body"), "Priority", None if priority in ("", "NONE") else priority
        ),
        "started": (_time(r.get("hs_task_completion_date")) or due) if done else None,
        "due": due,
    }


_HUB = {"source": "hubspot", "owner_by": "name", "key": ["record id"]}
_ENGAGEMENT = {
    "source": "hubspot",
    "owner_by": "name",
    "entity": "activities",
    "key": ["record_id"],
    "columns": {
        "type": "activity_type",
        "status": "activity_status",
        "outcome": "activity_outcome",
        "direction": "activity_direction",
        "subject": "activity_subject",
        "notes": "activity_notes",
        "started_at": "started",
        "due_at": "due",
        "owner": "owner_name",
        "account": "company_ref",
        "contact": "contact_ref",
        "deal": "deal_ref",
    },
}

HUBSPOT = Preset(
    name="hubspot",
    source="hubspot",
    objects=(
        ObjectSpec(
            "companies",
            ("companies", "company"),
            "company name",
            {
                **_HUB,
                "entity": "accounts",
                "columns": {
                    "name": "company name",
                    "industry": "industry",
                    "employees": "number of employees",
                    "region": "state/region",
                    "address": "city",
                    "created_at": "create date",
                    "owner": "company owner",
                },
            },
        ),
        ObjectSpec(
            "contacts",
            ("contacts", "contact"),
            "first name",
            {
                **_HUB,
                "entity": "contacts",
                "columns": {
                    "name": "fullname",
                    "email": "email",
                    "phone": "phone number",
                    "title": "job title",
                    "created_at": "create date",
                    "owner": "contact owner",
                    "account": "associated company ids",
                },
            },
            lambda r, c: _first_id("associated company ids")(_person(r, c), c),
        ),
        ObjectSpec(
            "deals",
            ("deals", "deal"),
            "deal stage",
            {
                **_HUB,
                "entity": "deals",
                "columns": {
                    "name": "deal name",
                    "stage": "deal stage",
                    "amount": "amount",
                    "created_at": "create date",
                    "closed_at": "close date",
                    "expected_close": "close date",
                    "owner": "deal owner",
                    "account": "associated company ids",
                },
                "values": {"stage": HUBSPOT_STAGES},
            },
            _first_id("associated company ids"),
        ),
        ObjectSpec(
            "calls",
            ("calls", "call"),
            "call outcome",
            {
                **_HUB,
                "entity": "activities",
                "columns": {
                    "subject": "call title",
                    "notes": "call notes",
                    "started_at": "activity date",
                    "outcome": "call outcome",
                    "owner": "activity assigned to",
                    "account": "associated company ids",
                },
                "defaults": {"type": "call"},
                "values": {"outcome": HUBSPOT_CALL_OUTCOMES},
            },
            _first_id("associated company ids"),
        ),
        ObjectSpec(
            "meetings",
            ("meetings", "meeting"),
            "meeting outcome",
            {
                **_HUB,
                "entity": "activities",
                "columns": {
                    "subject": "meeting name",
                    "status": "status",
                    "outcome": "outcome",
                    "started_at": "start",
                    "due_at": "due",
                    "owner": "activity assigned to",
                    "account": "associated company ids",
                },
                "defaults": {"type": "meeting"},
                "values": {"outcome": HUBSPOT_MEETING_OUTCOMES},
            },
            _hubspot_meeting,
        ),
        ObjectSpec(
            "emails", ("emails", "email"), "hs_email_direction", _ENGAGEMENT, _hubspot_email
        ),
        ObjectSpec("tasks", ("tasks", "task"), "hs_task_status", _ENGAGEMENT, _hubspot_task),
    ),
)
