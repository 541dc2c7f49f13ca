"""Pipeline: wins and losses, amounts, cycle length, stage conversion and time in stage,
velocity, stalled deals and the probability-weighted forecast.

Closed deals count at their close time; open deals, stalled deals and the forecast are
snapshots as of ``now``.
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

from salestrack.analytics.metrics.core import Metric, count, derived, ratio, total
from salestrack.analytics.metrics.facts import DEAL_TOUCHES, DEALS, STAGE_ENTRIES, STAGE_STAYS

AREA = "Pipeline"
CLOSED = ("won", "lost")


def _velocity(m: Mapping[str, ir.NumericValue], keys: tuple[str, ...]) -> ir.NumericValue:
    value = m["open_deals"] * m["win_rate"] * m["avg_won_amount"]
    return ibis.ifelse(m["cycle_days"] > 0, value / m["cycle_days"], ibis.null("float64"))


METRICS: tuple[Metric, ...] = (
    count("deals_created", "Deals created", DEALS, time="created_at", unit="deals",
          formula="deals created in the window"),
    count("deals_won", "Deals won", DEALS, time="closed_at", unit="deals",
          formula="deals in a won stage, closed in the window", where=lambda t, q: t.kind == "won"),
    count("deals_lost", "Deals lost", DEALS, time="closed_at", unit="deals",
          formula="deals in a lost stage, closed in the window",
          where=lambda t, q: t.kind == "lost"),
    count("deals_closed", "Deals closed", DEALS, time="closed_at", unit="deals",
          formula="deals won or lost, closed in the window",
          where=lambda t, q: t.kind.isin(CLOSED)),
    ratio("win_rate", "Win rate", "deals_won", "deals_closed",
          formula="won / (won + lost): deals_won / deals_closed"),
    total("won_amount", "Won amount", DEALS, lambda t: t.amount, time="closed_at", unit="money",
          formula="sum of amounts of deals won in the window", where=lambda t, q: t.kind == "won"),
    count("deals_won_in_currency", "Deals won in the currency", DEALS, time="closed_at",
          unit="deals", priced=True, where=lambda t, q: t.kind == "won",
          formula="deals won in the window whose amount is in the request's currency"),
    ratio("avg_won_amount", "Average won amount", "won_amount", "deals_won_in_currency",
          unit="money", formula="won_amount / deals_won_in_currency"),
    total("won_cycle_days", "Sales cycle days (sum)", DEALS, lambda t: t.cycle_days,
          time="closed_at", unit="days", where=lambda t, q: t.kind == "won",
          formula="sum over deals won in the window of days from creation to close"),
    ratio("cycle_days", "Sales cycle length", "won_cycle_days", "deals_won", unit="days",
          formula="average days from creation to close of won deals: won_cycle_days / deals_won"),
    count("open_deals", "Open deals", DEALS, time=None, unit="deals",
          formula="deals in an open stage now", where=lambda t, q: t.kind == "open"),
    total("open_amount", "Open pipeline", DEALS, lambda t: t.amount, time=None, unit="money",
          formula="sum of amounts of open deals now", where=lambda t, q: t.kind == "open"),
    total("forecast", "Weighted forecast", DEALS, lambda t: t.amount * t.probability, time=None,
          unit="money", formula="sum over open deals of amount × the stage's probability",
          where=lambda t, q: t.kind == "open"),
    derived("velocity", "Pipeline velocity", ("open_deals", "win_rate", "avg_won_amount",
            "cycle_days"), _velocity, unit="money per day",
            formula="open_deals × win_rate × avg_won_amount / cycle_days",
            dims=frozenset({"rep", "team", "segment"})),
    count("stalled_deals", "Stalled deals", DEAL_TOUCHES, time=None, unit="deals",
          formula="open deals with no done activity (or, never touched, no creation) in the "
          "last N days (default 14)",
          where=lambda t, q: (t.kind == "open") & (t.idle_days > q.stalled_days)),
    count("stage_entries", "Deals entering a stage", STAGE_ENTRIES, time="entered_at",
          unit="deals", formula="deals entering an open stage (first entry, counted once)"),
    count("stage_advances", "Deals moving past a stage", STAGE_ENTRIES, time="entered_at",
          unit="deals", formula="of those, deals that later reached a later open stage or won",
          where=lambda t, q: t.advanced),
    ratio("stage_conversion", "Stage-to-stage conversion", "stage_advances", "stage_entries"),
    count("stage_exits", "Stage stays finished", STAGE_STAYS, time="at", unit="stays",
          formula="stays of a deal in a stage that ended with a move to another stage"),
    total("stage_days", "Days in stage (sum)", STAGE_STAYS, lambda t: t.days, time="at",
          unit="days", formula="sum of lengths of finished stays in a stage"),
    ratio("time_in_stage", "Time in stage", "stage_days", "stage_exits", unit="days",
          formula="average days a deal spends in a stage before moving: stage_days / stage_exits"),
)  # fmt: skip
