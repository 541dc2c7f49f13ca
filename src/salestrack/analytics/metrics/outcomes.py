"""Outcomes: how often the work lands: calls connect, e-mails get replies, meetings are held."""

from __future__ import annotations

import ibis.expr.types as ir

from salestrack.analytics.metrics.core import Metric, Predicate, Query, count, ratio
from salestrack.analytics.metrics.facts import ACTIVITIES

AREA = "Outcomes"
MEETING_TYPES = ("meeting", "visit", "demo")


def done_of(*types: str, outcome: str | None = None) -> Predicate:
    """Done activities of ``types``, optionally with a given outcome."""

    def where(t: ir.Table, q: Query) -> ir.BooleanValue:
        chosen = (t.status == "done") & t.activity_type.isin(types)
        return chosen & (t.outcome == outcome) if outcome else chosen

    return where


METRICS: tuple[Metric, ...] = (
    count("calls_made", "Calls made", ACTIVITIES, time="at", unit="calls",
          formula="done calls", where=done_of("call")),
    count("calls_connected", "Calls connected", ACTIVITIES, time="at", unit="calls",
          formula="done calls with outcome connected", where=done_of("call", outcome="connected")),
    ratio("connect_rate", "Call connect rate", "calls_connected", "calls_made"),
    count("emails_sent", "E-mails sent", ACTIVITIES, time="at", unit="e-mails",
          formula="done e-mails (sent, replied or bounced)", where=done_of("email")),
    count("emails_replied", "E-mails replied", ACTIVITIES, time="at", unit="e-mails",
          formula="done e-mails with outcome replied", where=done_of("email", outcome="replied")),
    ratio("reply_rate", "E-mail reply rate", "emails_replied", "emails_sent"),
    count("meetings", "Meetings", ACTIVITIES, time="at", unit="meetings",
          formula="done meetings, visits and demos (held, no-show or rescheduled)",
          where=done_of(*MEETING_TYPES)),
    count("meetings_held", "Meetings held", ACTIVITIES, time="at", unit="meetings",
          formula="done meetings, visits and demos with outcome held",
          where=done_of(*MEETING_TYPES, outcome="held")),
    count("meetings_no_show", "Meeting no-shows", ACTIVITIES, time="at", unit="meetings",
          formula="done meetings, visits and demos with outcome no_show",
          where=done_of(*MEETING_TYPES, outcome="no_show")),
    ratio("held_rate", "Meeting held rate", "meetings_held", "meetings"),
    ratio("no_show_rate", "Meeting no-show rate", "meetings_no_show", "meetings"),
    count("results_logged", "Activities with a result", ACTIVITIES, time="at",
          unit="activities", formula="done activities with a result (positive/neutral/negative)",
          where=lambda t, q: (t.status == "done") & t.result.notnull()),
    count("results_positive", "Positive results", ACTIVITIES, time="at", unit="activities",
          formula="done activities with result positive",
          where=lambda t, q: (t.status == "done") & (t.result == "positive")),
    ratio("positive_rate", "Positive-result rate", "results_positive", "results_logged"),
)  # fmt: skip
