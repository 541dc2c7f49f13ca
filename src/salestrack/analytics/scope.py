"""Visibility for analytics: the warehouse tables an actor may see, as Ibis expressions.

This is the one place where the analytics side applies the rule of
:mod:`salestrack.store.scope`: a rep sees their own rows and the rows on accounts they own; a
manager sees the rows owned by their team's members (and on those members' accounts); an admin
sees everything. Every metric query takes a :class:`Scope` and reads tables only through
:meth:`Scope.table`, so no metric can forget the rule.

One deliberate difference: stage changes carry no owner, so the store treats them as reference
data; here they are limited to the deals the actor can see, so a rep's stage conversion never
counts another team's deals.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime

import ibis
import ibis.expr.types as ir

from salestrack.analytics.sources import Source, to_frame
from salestrack.domain.actor import Actor

REFERENCE_TABLES = frozenset(
    {"pipelines", "stages", "activity_types", "cadences", "cadence_steps", "experiments"}
)


@dataclass
class Scope:
    """An actor's view of a source: scoped tables, built once each and reused per query."""

    actor: Actor
    source: Source
    _cache: dict[str, ir.Table] = field(default_factory=dict, repr=False)
    _members: list[int] | None = field(default=None, repr=False)
    compiled: dict[Hashable, str] = field(default_factory=dict, repr=False)
    """SQL of requests already answered for this actor on this source, by request key: a
    dashboard asking again runs the query without building and compiling it again."""

    def table(self, name: str) -> ir.Table:
        """``name`` limited to the rows the actor may see."""
        if name not in self._cache:
            self._cache[name] = self._scoped(name)
        return self._cache[name]

    def as_of(self) -> datetime | None:
        return self.source.as_of()

    def lookup(self, name: str) -> ir.Table:
        """``name`` unscoped, only to read attributes that label rows already visible.

        An account's segment or a user's team labels an activity the actor may see; reading it
        unscoped gives the same label to the same row for every viewer.
        """
        return self.source.table(name)

    def _scoped(self, name: str) -> ir.Table:
        raw = self.source.table(name)
        if self.actor.is_admin or name in REFERENCE_TABLES:
            return raw
        rule = _RULES.get(name)
        if rule is None:
            raise KeyError(f"no analytics visibility rule for table {name!r}")
        return raw.filter(rule(self, raw))

    # The building blocks of the rule, shared by the per-table rules below.
    def members(self) -> ir.Column:
        """Ids of the users whose rows the actor sees as owner: themselves, or their team."""
        users = self.source.table("users")
        if self.actor.is_manager and self.actor.team_id is not None:
            return users.filter(users.team_id == self.actor.team_id).id
        return users.filter(users.id == self.actor.id).id

    def owners(self) -> ir.Table:
        """The users whose rows the actor sees as owner (self; a manager's team; all)."""
        users = self.source.table("users")
        return users if self.actor.is_admin else users.filter(self.owned(users.id))

    def owned(self, column: ir.Column) -> ir.BooleanValue:
        if self.actor.is_manager and self.actor.team_id is not None:
            return column.isin(self.member_ids())
        return column == self.actor.id

    def member_ids(self) -> list[int]:
        """The team's user ids, read once per scope and inlined as literals.

        A literal list lets the engine filter while scanning (DuckDB pushes ``IN (1, 2, 3)``
        into the scan); a subquery would be joined against every row. A team is small.
        """
        if self._members is None:
            frame = to_frame(self.members().name("id").as_table())
            self._members = sorted(int(v) for v in frame["id"])
        return self._members

    def on_own_accounts(self, column: ir.Column) -> ir.BooleanValue:
        accounts = self.source.table("accounts")
        return column.isin(accounts.filter(self.owned(accounts.owner_id)).id)


FALSE = ibis.literal(False)
Rule = Callable[[Scope, ir.Table], ir.BooleanValue]


def _owner_or_account(scope: Scope, t: ir.Table) -> ir.BooleanValue:
    return scope.owned(t.owner_id) | scope.on_own_accounts(t.account_id)


def _users(scope: Scope, t: ir.Table) -> ir.BooleanValue:
    own = t.id == scope.actor.id
    return own | (t.team_id == scope.actor.team_id) if scope.actor.team_id is not None else own


def _goals(scope: Scope, t: ir.Table) -> ir.BooleanValue:
    own = scope.owned(t.user_id)
    return own | (t.team_id == scope.actor.team_id) if scope.actor.team_id is not None else own


def _stage_changes(scope: Scope, t: ir.Table) -> ir.BooleanValue:
    return t.deal_id.isin(scope.table("deals").id)


def _enrollments(scope: Scope, t: ir.Table) -> ir.BooleanValue:
    return scope.owned(t.owner_id)


_RULES: dict[str, Rule] = {
    "users": _users,
    "teams": lambda s, t: t.id == s.actor.team_id if s.actor.team_id is not None else FALSE,
    "accounts": lambda s, t: s.owned(t.owner_id),
    "contacts": _owner_or_account,
    "deals": _owner_or_account,
    "activities": _owner_or_account,
    "leads": lambda s, t: s.owned(t.owner_id),
    "orders": lambda s, t: s.on_own_accounts(t.account_id),
    "satisfaction_responses": lambda s, t: s.owned(t.rep_id) | s.on_own_accounts(t.account_id),
    "goals": _goals,
    "stage_changes": _stage_changes,
    "enrollments": _enrollments,
    "_sync_state": lambda s, t: ibis.literal(True),
}
