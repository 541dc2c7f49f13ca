"""HubSpot and Pipedrive export layouts as presets (column names of their CSV exports).

HubSpot exports name columns by property label ("Record ID", "Company name", ...) and link
records with "Associated Company IDs"; Pipedrive prefixes each column with the object
("Deal - Title", "Person - Email"). Owners are exported by name in both, so owners are matched
by user name (case-insensitive). Columns each preset reads: docs/import-presets.md.
"""

from __future__ import annotations

from salestrack.capture.crm import Derive, ExportContext, ObjectSpec, Preset, Record

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


def _first_id(column: str) -> Derive:
    """HubSpot joins several associated ids with ';'; the first (primary) one is the link."""

    def derive(r: Record, context: ExportContext) -> Record:
        value = r.get(column) or ""
        return {**r, column: value.split(";")[0].strip() or None}

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


_HUB = {"source": "hubspot", "owner_by": "name", "key": ["record id"]}

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
    ),
)


# Pipedrive records no outcome; "Done" is read as the type's plain outcome. A done call has no
# such outcome (connected? voicemail?), so it is rejected with the reason, not guessed.
PIPEDRIVE_DONE_OUTCOMES = {
    "meeting": "held",
    "lunch": "held",
    "task": "completed",
    "deadline": "completed",
    "email": "sent",
}


def _pd_activity(r: Record, context: ExportContext) -> Record:
    """Pipedrive splits date and time and marks done activities "Done" / "To do"."""
    when = " ".join(filter(None, [r.get("activity - due date"), r.get("activity - due time")]))
    done = (r.get("activity - done") or "").strip().casefold() == "done"
    kind = (r.get("activity - type") or "").strip().casefold()
    return {
        **r,
        "status": "done" if done else "planned",
        "outcome": PIPEDRIVE_DONE_OUTCOMES.get(kind) if done else None,
        "start": when if done else None,
        "due": None if done else when,
    }


def _pd_deal(r: Record, context: ExportContext) -> Record:
    """A won or lost deal is in our Won / Lost stage whatever its last open stage was."""
    status = (r.get("deal - status") or "").strip().casefold()
    stage = {"won": "Won", "lost": "Lost"}.get(status, r.get("deal - stage"))
    closed = r.get("deal - won time") or r.get("deal - lost time")
    return {**r, "stage": stage, "closed": closed}


PIPEDRIVE_STAGES = {
    "Lead In": "Qualification",
    "Contact Made": "Discovery",
    "Demo Scheduled": "Discovery",
    "Proposal Made": "Proposal",
    "Negotiations Started": "Negotiation",
}
_PD = {"source": "pipedrive", "owner_by": "name"}

PIPEDRIVE = Preset(
    name="pipedrive",
    source="pipedrive",
    objects=(
        ObjectSpec(
            "organizations",
            ("organizations", "organization"),
            "organization - name",
            {
                **_PD,
                "entity": "accounts",
                "key": ["organization - id"],
                "columns": {
                    "name": "organization - name",
                    "address": "organization - address",
                    "owner": "organization - owner",
                },
            },
        ),
        ObjectSpec(
            "persons",
            ("persons", "person", "people"),
            "person - name",
            {
                **_PD,
                "entity": "contacts",
                "key": ["person - id"],
                "columns": {
                    "name": "person - name",
                    "email": "person - email",
                    "phone": "person - phone",
                    "owner": "person - owner",
                    "account": "person - organization id",
                },
            },
        ),
        ObjectSpec(
            "deals",
            ("deals", "deal"),
            "deal - title",
            {
                **_PD,
                "entity": "deals",
                "key": ["deal - id"],
                "columns": {
                    "name": "deal - title",
                    "amount": "deal - value",
                    "currency": "deal - currency",
                    "stage": "stage",
                    "closed_at": "closed",
                    "expected_close": "deal - expected close date",
                    "lost_reason": "deal - lost reason",
                    "owner": "deal - owner",
                    "account": "deal - organization id",
                },
                "values": {"stage": PIPEDRIVE_STAGES},
            },
            _pd_deal,
        ),
        ObjectSpec(
            "activities",
            ("activities", "activity"),
            "activity - subject",
            {
                **_PD,
                "entity": "activities",
                "key": ["activity - id"],
                "columns": {
                    "type": "activity - type",
                    "subject": "activity - subject",
                    "notes": "activity - note",
                    "status": "status",
                    "outcome": "outcome",
                    "started_at": "start",
                    "due_at": "due",
                    "owner": "activity - assigned to user",
                    "account": "activity - organization id",
                    "deal": "activity - deal id",
                },
                "values": {"type": {"lunch": "meeting", "deadline": "task"}},
            },
            _pd_activity,
        ),
    ),
)
