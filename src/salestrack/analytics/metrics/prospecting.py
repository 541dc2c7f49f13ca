"""Prospecting: leads created per rep, their qualification and conversion, speed to first touch.

Leads are counted as a cohort by the time they were created: "qualified" means a lead created
in the window has been qualified by now, whenever that happened.
"""

from __future__ import annotations

from salestrack.analytics.metrics.core import Metric, count, ratio, total
from salestrack.analytics.metrics.facts import LEAD_TOUCHES, LEADS

AREA = "Prospecting"

METRICS: tuple[Metric, ...] = (
    count("leads_created", "Leads created", LEADS, time="created_at", unit="leads",
          formula="leads created in the window"),
    count("leads_qualified", "Leads qualified", LEADS, time="created_at", unit="leads",
          formula="leads created in the window that are qualified (qualified_at set)",
          where=lambda t, q: t.qualified),
    count("leads_converted", "Leads converted to deals", LEADS, time="created_at", unit="leads",
          formula="leads created in the window that became a deal (converted_deal set)",
          where=lambda t, q: t.converted),
    ratio("qualification_rate", "Lead qualification rate", "leads_qualified", "leads_created"),
    ratio("qualified_to_deal_rate", "Qualified lead to deal rate", "leads_converted",
          "leads_qualified"),
    ratio("lead_to_deal_rate", "Lead to deal rate", "leads_converted", "leads_created"),
    count("leads_touched", "Leads touched", LEAD_TOUCHES, time="created_at", unit="leads",
          formula="leads created in the window with at least one done activity",
          where=lambda t, q: t.first_touch_at.notnull()),
    total("first_touch_hours", "Hours to first touch (sum)", LEAD_TOUCHES,
          lambda t: t.hours_to_touch, time="created_at", unit="hours",
          formula="sum over touched leads of hours from creation to the first done activity",
          where=lambda t, q: t.first_touch_at.notnull()),
    ratio("speed_to_first_touch", "Speed to first touch", "first_touch_hours", "leads_touched",
          unit="hours", formula="average hours from lead creation to its first done activity: "
          "first_touch_hours / leads_touched"),
)  # fmt: skip
