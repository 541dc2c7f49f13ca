"""Translatable labels for the stored vocabularies (activity types, outcomes, stages, ...).

The store keeps stable keys (``no_answer``); people read labels in their language. Unknown keys
(an admin-added type) fall back to the key with underscores as spaces.
"""

from __future__ import annotations

from salestrack.web.i18n import N_, Formatter

LABELS: dict[str, str] = {
    # activity types
    "call": N_("Call"),
    "email": N_("E-mail"),
    "meeting": N_("Meeting"),
    "visit": N_("Visit"),
    "demo": N_("Demo"),
    "task": N_("Task"),
    "note": N_("Note"),
    "social": N_("Social"),
    # outcomes
    "connected": N_("Connected"),
    "voicemail": N_("Voicemail"),
    "no_answer": N_("No answer"),
    "wrong_number": N_("Wrong number"),
    "sent": N_("Sent"),
    "replied": N_("Replied"),
    "bounced": N_("Bounced"),
    "held": N_("Held"),
    "no_show": N_("No-show"),
    "rescheduled": N_("Rescheduled"),
    "completed": N_("Completed"),
    "skipped": N_("Skipped"),
    "logged": N_("Logged"),
    "ignored": N_("Ignored"),
    # statuses
    "planned": N_("Planned"),
    "done": N_("Done"),
    "cancelled": N_("Cancelled"),
    "prospect": N_("Prospect"),
    "customer": N_("Customer"),
    "former": N_("Former customer"),
    "new": N_("New"),
    "working": N_("Working"),
    "qualified": N_("Qualified"),
    "disqualified": N_("Disqualified"),
    # stages of the default pipeline
    "Qualification": N_("Qualification"),
    "Discovery": N_("Discovery"),
    "Proposal": N_("Proposal"),
    "Negotiation": N_("Negotiation"),
    "Won": N_("Won"),
    "Lost": N_("Lost"),
    # categories, results
    "selling": N_("Selling"),
    "admin": N_("Admin"),
    "positive": N_("Positive"),
    "neutral": N_("Neutral"),
    "negative": N_("Negative"),
    # goal metrics
    "calls": N_("Calls"),
    "demos": N_("Demos"),
}


def label(fmt: Formatter, key: str | None) -> str:
    if not key:
        return "–"
    known = LABELS.get(key)
    return fmt._(known) if known else key.replace("_", " ")
