"""Rules of e-mail and calendar capture as pure functions: direction, outcome, meeting status.

Stated once here so the docs (docs/capture.md), the service and the tests agree:

- **Direction**: a message or meeting is *outbound* when its sender (From / ORGANIZER) is one of
  the team's own addresses: a user's e-mail, or any address at a team domain or one of its
  subdomains (``enron.com`` covers ``mailman.enron.com``). Otherwise it is *inbound*.
- **E-mail outcome**: outbound -> ``sent``; inbound delivery report -> ``bounced``; inbound
  reply (In-Reply-To / References, or a ``Re:``-style subject) -> ``replied``; other inbound
  -> ``sent`` (the other side sent it). An outbound ``sent`` becomes ``replied`` (or ``bounced``)
  once a later inbound message of its thread is captured, so the reply rate counts it.
- **Meeting status**: cancelled in the calendar -> ``cancelled``; ended by now -> ``done`` with
  outcome ``held`` (the calendar says it took place; the rep can correct it); else ``planned``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from salestrack.domain.vocab import ActivityStatus, Direction

_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|antw|vs|ref|res)\s*(\[\d+\])?\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class TeamAddresses:
    """The team's own addresses: users' e-mails and the configured domains (lower case)."""

    emails: frozenset[str]
    domains: frozenset[str]

    @classmethod
    def of(cls, emails: Iterable[str], domains: Iterable[str] = ()) -> TeamAddresses:
        return cls(
            frozenset(e.strip().lower() for e in emails if e),
            frozenset(d.strip().lower().lstrip("@").strip(".") for d in domains if d.strip()),
        )

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, str):
            return False
        address = address.lower()
        if address in self.emails:
            return True
        domain = address.rpartition("@")[2]
        return any(domain == d or domain.endswith("." + d) for d in self.domains)


def direction(sender: str | None, team: TeamAddresses) -> Direction:
    """Outbound when the team sent it; unknown senders count as the other side."""
    return Direction.OUTBOUND if sender is not None and sender in team else Direction.INBOUND


def is_reply_subject(subject: str | None) -> bool:
    """``Re: ...``, ``AW: ...``, ``SV: ...``: subjects mail programs give replies."""
    return bool(subject and _REPLY_PREFIX.match(subject))


def email_outcome(way: Direction, *, is_reply: bool, is_bounce: bool) -> str:
    """The outcome of a captured e-mail, from the vocabulary sent / replied / bounced."""
    if way is Direction.OUTBOUND:
        return "sent"
    if is_bounce:
        return "bounced"
    return "replied" if is_reply else "sent"


def answered_outcome(later_inbound_is_bounce: bool) -> str:
    """What an outbound ``sent`` e-mail becomes once a later inbound message of its thread came."""
    return "bounced" if later_inbound_is_bounce else "replied"


def meeting_status(
    *, cancelled: bool, end: datetime, now: datetime
) -> tuple[ActivityStatus, str | None]:
    """Status and outcome of a captured meeting (see the module docstring)."""
    if cancelled:
        return ActivityStatus.CANCELLED, None
    if end <= now:
        return ActivityStatus.DONE, "held"
    return ActivityStatus.PLANNED, None
