"""The Pipedrive preset: its CSV exports, each column prefixed with the object ("Deal - Title").

Owners are exported by name, so they are matched by user name (case-insensitive). Columns read:
docs/import-presets.md.
"""

from __future__ import annotations

from salestrack.capture.crm import DONE_OUTCOMES, ExportContext, ObjectSpec, Preset, Record

# Pipedrive records no outcome; "Done" is read as the type's plain outcome. A done call has no
# such outcome (connected? voicemail?), so it is rejected with the reason, not guessed.
PIPEDRIVE_DONE_OUTCOMES = {**DONE_OUTCOMES, "lunch": "held", "deadline": "completed"}


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
                    "created_at": "deal - deal created",
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
