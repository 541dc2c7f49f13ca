"""Plan rule-made activities exactly once, in the right person's working time.

Every automation path (a trigger inside a service, the batch run, a cadence step) ends here:
a :class:`Candidate` says *who* and *about what*, the rule says *what* and *when*, and
:class:`Planner` turns both into a planned activity keyed by a deterministic ``external_id``.
Keys already stored are skipped, and the ``(source, external_id)`` unique constraint stops a
concurrent runner, so a re-run or a restart never plans the same work twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from salestrack.automation import business_time as bt
from salestrack.domain.vocab import ActivityStatus, Source
from salestrack.errors import ValidationFailed
from salestrack.store.models import Account, Activity, ActivityType, Contact, Deal, Lead, Team, User

RULE_SOURCE = Source.RULE.value
# Records that describe the past (imports, simulations) never set automation off.
QUIET_SOURCES = frozenset({Source.IMPORT.value, Source.SIMULATION.value})
_IN_CHUNK = 500
# (name, time zone, company) of each kind of linked record, for subjects and local time.
_CONTEXT_COLUMNS: dict[type, tuple[Any, ...]] = {
    Account: (Account.name, Account.time_zone),
    Contact: (Contact.name, Contact.time_zone),
    Lead: (Lead.name, Lead.time_zone, Lead.company),
    Deal: (Deal.name,),
}


@dataclass(frozen=True)
class Candidate:
    """One thing a rule may act on: whose work it is, what it links to, where they are."""

    key: str
    after: datetime
    owner_id: int
    account_id: int | None = None
    contact_id: int | None = None
    deal_id: int | None = None
    lead_id: int | None = None
    zones: tuple[str | None, ...] = ()  # most specific first: contact, lead, account
    names: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanItem:
    """A planned activity to create, with the key that makes it unique."""

    key: str
    type_id: int
    owner_id: int
    due_at: datetime
    purpose: str | None
    subject: str | None
    account_id: int | None = None
    contact_id: int | None = None
    deal_id: int | None = None
    lead_id: int | None = None
    enrollment_id: int | None = None
    notes: str | None = None


PLACEHOLDERS = frozenset({"account", "contact", "deal", "lead", "event", "days", "step", "cadence"})


def check_template(field: str, template: str | None) -> None:
    """Refuse a template with broken braces or placeholders nobody will fill."""
    if template is None:
        return
    try:
        names = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ValidationFailed(field, f"is not a valid template: {exc}") from exc
    unknown = names - PLACEHOLDERS
    if unknown:
        known = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))
        raise ValidationFailed(field, f"unknown placeholder {{{sorted(unknown)[0]}}} ({known})")


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return ""


def render(template: str | None, names: Mapping[str, object]) -> str | None:
    """Fill ``{account}``-style placeholders; unknown ones become empty, never an error."""
    if template is None:
        return None
    text = template.format_map(_Blank({k: "" if v is None else v for k, v in names.items()}))
    return " ".join(text.split())[:500] or None


class Planner:
    """Per-transaction helper: owners' zones and holidays cached, keys inserted once."""

    def __init__(self, session: Session, default_zone: str = "UTC") -> None:
        self.session = session
        self.default_zone = default_zone
        self._types: dict[str, int] = {}
        self._owners: dict[int, tuple[str | None, frozenset[date]]] | None = None
        self._rows: dict[type, dict[int, tuple[Any, ...]]] = defaultdict(dict)

    def candidate(
        self,
        key: str,
        after: datetime,
        owner_id: int,
        *,
        account_id: int | None = None,
        contact_id: int | None = None,
        deal_id: int | None = None,
        lead_id: int | None = None,
        **names: object,
    ) -> Candidate:
        """A candidate with the linked records' names and zones filled in from the store."""
        contact = self._row(Contact, contact_id)
        lead = self._row(Lead, lead_id)
        account = self._row(Account, account_id)
        deal = self._row(Deal, deal_id)
        return Candidate(
            key=key,
            after=after,
            owner_id=owner_id,
            account_id=account_id,
            contact_id=contact_id,
            deal_id=deal_id,
            lead_id=lead_id,
            zones=(contact[1], lead[1], account[1]),
            names={
                "account": account[0] or (lead[2] if lead_id else None),
                "contact": contact[0] or lead[0],
                "deal": deal[0],
                "lead": lead[0],
                **names,
            },
        )

    def preload(self, model: type[Account | Contact | Lead | Deal], ids: Iterable[int]) -> None:
        """Fetch names and zones of many linked rows at once (the batch path)."""
        cache = self._rows[model]
        wanted = sorted({i for i in ids if i is not None and i not in cache})
        columns = _CONTEXT_COLUMNS[model]
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            for row in self.session.execute(select(model.id, *columns).where(model.id.in_(chunk))):
                cache[int(row[0])] = tuple(row[1:]) + (None,) * (3 - len(columns))

    def _row(
        self, model: type[Account | Contact | Lead | Deal], row_id: int | None
    ) -> tuple[Any, ...]:
        if row_id is None:
            return (None, None, None)
        if row_id not in self._rows[model]:
            self.preload(model, [row_id])
        return self._rows[model].get(row_id, (None, None, None))

    def type_id(self, key: str) -> int:
        if key not in self._types:
            found = self.session.scalar(select(ActivityType.id).where(ActivityType.key == key))
            if found is None:
                raise ValidationFailed("plan_type", f"{key!r} is not an activity type")
            self._types[key] = int(found)
        return self._types[key]

    def _owner(self, owner_id: int) -> tuple[str | None, frozenset[date]]:
        if self._owners is None:
            rows = self.session.execute(
                select(User.id, User.time_zone, Team.holidays).outerjoin(
                    Team, User.team_id == Team.id
                )
            )
            self._owners = {
                int(uid): (tz, bt.holiday_dates(holidays)) for uid, tz, holidays in rows
            }
        return self._owners.get(owner_id, (None, frozenset()))

    def zone(self, owner_id: int, zones: Iterable[str | None] = ()) -> ZoneInfo:
        """The most specific zone known: contact's, else lead's, else account's, else owner's."""
        owner_zone, _ = self._owner(owner_id)
        return bt.zone(*zones, owner_zone, default=self.default_zone)

    def holidays(self, owner_id: int) -> frozenset[date]:
        """The holidays of the owner's team: the days that owner does not work."""
        return self._owner(owner_id)[1]

    def due(self, candidate: Candidate, days: int, at: time) -> datetime:
        owner = candidate.owner_id
        tz = self.zone(owner, candidate.zones)
        return bt.next_slot(candidate.after, days, at, tz, self.holidays(owner))

    def item(
        self,
        candidate: Candidate,
        *,
        type_key: str,
        purpose: str | None,
        days: int,
        at: time,
        subject: str | None,
        enrollment_id: int | None = None,
        notes: str | None = None,
    ) -> PlanItem:
        return PlanItem(
            key=candidate.key,
            type_id=self.type_id(type_key),
            owner_id=candidate.owner_id,
            due_at=self.due(candidate, days, at),
            purpose=purpose,
            subject=render(subject, candidate.names),
            account_id=candidate.account_id,
            contact_id=candidate.contact_id,
            deal_id=candidate.deal_id,
            lead_id=candidate.lead_id,
            enrollment_id=enrollment_id,
            notes=render(notes, candidate.names),
        )

    def existing(self, keys: Iterable[str]) -> set[str]:
        """Which of these keys already name a rule-made activity."""
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            found.update(
                str(k)
                for k in self.session.scalars(
                    select(Activity.external_id).where(
                        Activity.source == RULE_SOURCE, Activity.external_id.in_(chunk)
                    )
                )
            )
        return found

    def add(self, items: Sequence[PlanItem]) -> list[Activity]:
        """Create the planned activities whose keys are new; returns only those created."""
        seen = self.existing(i.key for i in items)
        created = []
        for item in items:
            if item.key in seen:
                continue
            seen.add(item.key)
            activity = Activity(
                type_id=item.type_id,
                purpose=item.purpose,
                direction="outbound",
                status=ActivityStatus.PLANNED.value,
                subject=item.subject,
                notes=item.notes,
                due_at=item.due_at,
                owner_id=item.owner_id,
                account_id=item.account_id,
                contact_id=item.contact_id,
                deal_id=item.deal_id,
                lead_id=item.lead_id,
                enrollment_id=item.enrollment_id,
                source=RULE_SOURCE,
                external_id=item.key,
            )
            self.session.add(activity)
            created.append(activity)
        if created:
            self.session.flush()
        return created
