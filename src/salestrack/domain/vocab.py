"""Controlled vocabularies: roles, statuses, stage kinds and the default activity types.

Activity types are data in the store (an admin can add more); the defaults below seed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


class AccountStatus(StrEnum):
    PROSPECT = "prospect"
    CUSTOMER = "customer"
    FORMER = "former"


class LeadStatus(StrEnum):
    NEW = "new"
    WORKING = "working"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"


class StageKind(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Category(StrEnum):
    """Whether time spent on an activity type counts as selling or as admin."""

    SELLING = "selling"
    ADMIN = "admin"


class Source(StrEnum):
    MANUAL = "manual"
    API = "api"
    IMPORT = "import"
    EMAIL = "email"
    CALENDAR = "calendar"
    MOBILE = "mobile"
    SIMULATION = "simulation"
    RULE = "rule"


class SurveyKind(StrEnum):
    CSAT = "csat"
    NPS = "nps"


class GoalPeriod(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


RESULTS: tuple[str, ...] = ("positive", "neutral", "negative")

PURPOSES: tuple[str, ...] = (
    "prospecting",
    "first_meeting",
    "discovery",
    "demo",
    "follow_up",
    "proposal",
    "negotiation",
    "nurture",
    "check_in",
    "admin",
)


@dataclass(frozen=True)
class ActivityTypeSpec:
    """A type of activity with its outcome vocabulary and whether it is selling or admin time."""

    key: str
    label: str
    category: Category
    outcomes: tuple[str, ...]
    has_result: bool = False


_MEETING_OUTCOMES = ("held", "no_show", "rescheduled")

DEFAULT_ACTIVITY_TYPES: tuple[ActivityTypeSpec, ...] = (
    ActivityTypeSpec(
        "call", "Call", Category.SELLING, ("connected", "voicemail", "no_answer", "wrong_number")
    ),
    ActivityTypeSpec("email", "E-mail", Category.SELLING, ("sent", "replied", "bounced")),
    ActivityTypeSpec("meeting", "Meeting", Category.SELLING, _MEETING_OUTCOMES, has_result=True),
    ActivityTypeSpec("visit", "Visit", Category.SELLING, _MEETING_OUTCOMES, has_result=True),
    ActivityTypeSpec("demo", "Demo", Category.SELLING, _MEETING_OUTCOMES, has_result=True),
    ActivityTypeSpec("task", "Task", Category.ADMIN, ("completed", "skipped")),
    ActivityTypeSpec("note", "Note", Category.ADMIN, ("logged",)),
    ActivityTypeSpec("social", "Social", Category.SELLING, ("sent", "replied", "ignored")),
)


@dataclass(frozen=True)
class StageSpec:
    name: str
    kind: StageKind
    probability: str  # decimal text, e.g. "0.25"


DEFAULT_PIPELINE = "Sales"
DEFAULT_STAGES: tuple[StageSpec, ...] = (
    StageSpec("Qualification", StageKind.OPEN, "0.10"),
    StageSpec("Discovery", StageKind.OPEN, "0.25"),
    StageSpec("Proposal", StageKind.OPEN, "0.50"),
    StageSpec("Negotiation", StageKind.OPEN, "0.75"),
    StageSpec("Won", StageKind.WON, "1.00"),
    StageSpec("Lost", StageKind.LOST, "0.00"),
)
