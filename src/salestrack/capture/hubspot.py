"""The HubSpot preset: companies, contacts, deals, calls and meetings (CSV exports).

HubSpot exports name columns by property label ("Record ID", "Company name", ...) and link
records with "Associated Company IDs". Owners are exported by name, so owners are matched by
user name (case-insensitive). Columns read: docs/import-presets.md.
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
