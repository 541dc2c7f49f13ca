"""The facts metrics aggregate over: scoped warehouse tables with their dimensions attached.

Each builder reads tables only through the :class:`~salestrack.analytics.scope.Scope` (rows the
actor may see) and returns one row per event (an activity, a deal, a stage entry, an order ...)
with a column per dimension asked for: ``rep`` (owning user id), ``team`` and ``segment`` (joined
only when needed, they cost a join over every row), plus the timestamps and values the metrics
use. Timestamps stay naive UTC; the engine converts them when it buckets by period.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from salestrack.analytics.metrics.core import Fact, Query
from salestrack.analytics.metrics.timezones import to_utc_naive
from salestrack.analytics.scope import Scope

SECONDS_PER_DAY = 86_400.0
WON_RANK = 1_000_000  # a won deal got past every open stage
BASE_DIMS = frozenset({"rep", "team", "segment", "period"})


def attach(t: ir.Table, lookup: ir.Table, on: str, key: str, **columns: str) -> ir.Table:
    """Left-join ``columns`` (new name = lookup column) of ``lookup`` matched on t.on == key."""
    right = lookup.select(_key=lookup[key], **{new: lookup[old] for new, old in columns.items()})
    return t.left_join(right, t[on] == right._key).drop("_key")


def enrich(scope: Scope, t: ir.Table, needed: frozenset[str]) -> ir.Table:
    """Add ``team`` (the rep's) and ``segment`` (the account's) when the query needs them."""
    if "team" in needed:
        t = attach(t, scope.lookup("users"), "rep", "id", team="team_id")
    if "segment" in needed:
        t = attach(t, scope.lookup("accounts"), "account_id", "id", segment="segment")
    return t


def days_between(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    # Cast before dividing: Spark reads a literal like 86400.0 as a DECIMAL and would round.
    seconds = (later.epoch_seconds() - earlier.epoch_seconds()).cast("float64")
    return seconds / SECONDS_PER_DAY


def days_before_now(q: Query, earlier: ir.TimestampValue) -> ir.FloatingValue:
    now = to_utc_naive(q.now)
    return days_between(ibis.literal(now, type="timestamp"), earlier)


def _activities(scope: Scope, q: Query, needed: frozenset[str]) -> ir.Table:
    a = scope.table("activities")
    t = a.select(
        rep=a.owner_id,
        account_id=a.account_id,
        type_id=a.type_id,
        purpose=a.purpose,
        status=a.status,
        outcome=a.outcome,
        result=a.result,
        at=ibis.coalesce(a.started_at, a.due_at, a.created_at),
        due_at=a.due_at,
        ended_s=ibis.coalesce(a.started_at, a.completed_at).epoch_seconds()
        + ibis.coalesce(a.duration_s, 0),
        logged_s=a.logged_at.epoch_seconds(),
        hours=a.duration_s.cast("float64") / 3600.0,
        deal_id=a.deal_id,
        lead_id=a.lead_id,
    )
    types = scope.table("activity_types")
    t = attach(t, types, "type_id", "id", activity_type="key", category="category")
    return enrich(scope, t, needed)


def _deals(scope: Scope, q: Query, needed: frozenset[str]) -> ir.Table:
    d = scope.table("deals")
    t = d.select(
        deal_id=d.id,
        rep=d.owner_id,
        account_id=d.account_id,
        stage_id=d.stage_id,
        amount=d.amount.cast("float64"),
        currency=d.currency,
        created_at=d.created_at,
        closed_at=d.closed_at,
        cycle_days=days_between(d.closed_at, d.created_at),
    )
    stages = scope.table("stages")
    t = attach(t, stages, "stage_id", "id", stage="name", kind="kind", probability="probability")
    t = t.mutate(probability=t.probability.cast("float64"))
    return enrich(scope, t, needed)


def done_activities(scope: Scope) -> ir.Table:
    a = scope.table("activities")
    done = a.filter(a.status == "done")
    return done.mutate(at=ibis.coalesce(done.started_at, done.due_at, done.created_at))


def _deal_touches(scope: Scope, q: Query, needed: frozenset[str]) -> ir.Table:
    """Deals with the time of their last done activity (for stalled deals)."""
    deals = _deals(scope, q, needed)
    done = done_activities(scope)
    last = done.filter(done.deal_id.notnull()).group_by("deal_id").aggregate(last_at=done.at.max())
    t = attach(deals, last, "deal_id", "deal_id", last_touch_at="last_at")
    return t.mutate(idle_days=days_before_now(q, ibis.coalesce(t.last_touch_at, t.created_at)))


def _leads(scope: Scope, q: Query, needed: frozenset[str]) -> ir.Table:
    lead = scope.table("leads")
    t = lead.select(
        lead_id=lead.id,
        rep=lead.owner_id,
        account_id=lead.account_id,
        created_at=lead.created_at,
        qualified=lead.qualified_at.notnull() | (lead.status == "qualified"),
        converted=lead.converted_deal_id.notnull(),
    )
    return enrich(scope, t, needed)


def _lead_touches(scope: Scope, q: Query, needed: frozenset[str]) -> ir.Table:
    """Leads with their first done activity (speed to first touch)."""
    leads = _leads(scope, q, needed)
    done = done_activities(scope)
    first = done.filter(done.lead_id.notnull()).group_by("lead_id").aggregate(first=done.at.min())
    t = attach(leads, first, "lead_id", "lead_id", first_touch_at="first")
    return t.mutate(hours_to_touch=days_between(t.first_touch_at, t.created_at) * 24.0)


def _stage_moves(scope: Scope) -> ir.Table:
    changes = scope.table("stage_changes")
    stages = scope.table("stages")
    t = changes.select(
        change_id=changes.id, deal_id=changes.deal_id, stage_id=changes.to_stage_id, at=changes.at
    )
    return attach(t, stages, "stage_id", "id", stage="name", position="position", kind="kind")


def _with_deal_owner(scope: Scope, t: ir.Table, needed: frozenset[str]) -> ir.Table:
    deals = scope.table("deals")
    t = attach(t, deals, "deal_id", "id", rep="owner_id", account_id="account_id")
    return enrich(scope, t, needed)


def _stage_entries(scope: Scope, q: Query, needed: frozenset[str]) -> ir.Table:
    """One row per (deal, open stage entered): when first entered, and whether it moved on."""
    moves = _stage_moves(scope)
    rank = ibis.cases(
        (moves.kind == "won", WON_RANK), (moves.kind == "open", moves.position), else_=-1
    )
    reach = moves.group_by("deal_id").aggregate(best=rank.max())
    entries = (
        moves.filter(moves.kind == "open")
        .group_by("deal_id", "stage", "position")
        .aggregate(entered_at=moves.at.min())
    )
    t = attach(entries, reach, "deal_id", "deal_id", best="best")
    t = t.mutate(advanced=t.best > t.position)
    return _with_deal_owner(scope, t, needed)


def _stage_stays(scope: Scope, q: Query, needed: frozenset[str]) -> ir.Table:
    """One row per finished stay in a stage, with its length in days."""
    moves = _stage_moves(scope)
    order = ibis.window(group_by=moves.deal_id, order_by=[moves.at, moves.change_id])
    t = moves.mutate(left_at=moves.at.lead().over(order))
    t = t.filter(t.left_at.notnull()).mutate(days=days_between(t.left_at, t.at))
    return _with_deal_owner(scope, t, needed)


def is_first_order(o: ir.Table) -> ir.BooleanValue:
    """Whether each order of ``o`` (the orders table) is its account's first: the earliest by
    ``ordered_at``, ties broken by id, so two orders on one day, or even at one instant, are a
    first order and a repeat order. Every other order is a repeat order.

    The one definition of first and repeat orders: the relationship metrics and the insights
    (order value, spend, lifetime value) all classify by it. It looks at every order of the
    account, whatever its currency: being first is not money.
    """
    history = ibis.window(group_by=o.account_id, order_by=[o.ordered_at, o.id])
    return ibis.row_number().over(history) == 0


def _orders(scope: Scope, q: Query, needed: frozenset[str]) -> ir.Table:
    """Orders with the account's owner as rep and whether it was the account's first order."""
    o = scope.table("orders")
    t = o.select(
        account_id=o.account_id,
        amount=o.amount.cast("float64"),
        currency=o.currency,
        ordered_at=o.ordered_at,
        is_first=is_first_order(o),
    )
    t = attach(t, scope.lookup("accounts"), "account_id", "id", rep="owner_id")
    return enrich(scope, t, needed)


def _customers(scope: Scope, q: Query, needed: frozenset[str]) -> ir.Table:
    """One row per account that ordered in the window, with its order count.

    No money here: an account may order in several currencies, and a sum across them means
    nothing. Money per customer comes from the orders fact, in one currency.
    """
    o = scope.table("orders")
    if q.start is not None:
        o = o.filter(o.ordered_at >= to_utc_naive(q.start))
    if q.end is not None:
        o = o.filter(o.ordered_at < to_utc_naive(q.end))
    t = o.group_by("account_id").aggregate(orders=o.count())
    t = attach(t, scope.lookup("accounts"), "account_id", "id", rep="owner_id")
    return enrich(scope, t, needed)


def _customer_touch(scope: Scope, q: Query, needed: frozenset[str]) -> ir.Table:
    """Customer accounts with days since their last done activity (or since created)."""
    accounts = scope.table("accounts")
    customers = accounts.filter(accounts.status == "customer").select(
        account_id=accounts.id, rep=accounts.owner_id, created_at=accounts.created_at
    )
    done = done_activities(scope)
    last = (
        done.filter(done.account_id.notnull()).group_by("account_id").aggregate(last=done.at.max())
    )
    t = attach(customers, last, "account_id", "account_id", last_touch_at="last")
    t = t.mutate(idle_days=days_before_now(q, ibis.coalesce(t.last_touch_at, t.created_at)))
    return enrich(scope, t, needed)


def _satisfaction(scope: Scope, q: Query, needed: frozenset[str]) -> ir.Table:
    s = scope.table("satisfaction_responses")
    t = s.select(
        rep=s.rep_id,
        account_id=s.account_id,
        kind=s.kind,
        score=s.score,
        responded_at=s.responded_at,
    )
    return enrich(scope, t, needed)


ACTIVITIES = Fact(
    "activities",
    "activities with type key, category (selling/admin) and purpose",
    BASE_DIMS | {"activity_type", "purpose"},
    _activities,
)
DEALS = Fact("deals", "deals with their current stage", BASE_DIMS | {"stage"}, _deals)
DEAL_TOUCHES = Fact(
    "deal_touches",
    "deals with days since their last done activity",
    BASE_DIMS | {"stage"},
    _deal_touches,
)
LEADS = Fact("leads", "leads with qualified / converted flags", BASE_DIMS, _leads)
LEAD_TOUCHES = Fact(
    "lead_touches", "leads with their first done activity", BASE_DIMS, _lead_touches
)
STAGE_ENTRIES = Fact(
    "stage_entries",
    "(deal, open stage) entries and whether the deal moved further",
    BASE_DIMS | {"stage"},
    _stage_entries,
)
STAGE_STAYS = Fact(
    "stage_stays", "finished stays of deals in a stage", BASE_DIMS | {"stage"}, _stage_stays
)
ORDERS = Fact("orders", "orders, with the account owner as rep", BASE_DIMS, _orders)
CUSTOMERS = Fact("customers", "accounts ordering in the window", BASE_DIMS, _customers)
CUSTOMER_TOUCH = Fact(
    "customer_touch", "customer accounts with days since last touch", BASE_DIMS, _customer_touch
)
SATISFACTION = Fact("satisfaction", "CSAT and NPS responses", BASE_DIMS, _satisfaction)
