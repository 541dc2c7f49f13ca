"""Volume and discipline: how much work is planned and done, logged on time, selling vs admin."""

from __future__ import annotations

from salestrack.analytics.metrics.core import Metric, count, ratio, total
from salestrack.analytics.metrics.facts import ACTIVITIES
from salestrack.analytics.metrics.timezones import to_utc_naive

AREA = "Volume and discipline"
LOGGING_WINDOW_S = 24 * 3600
AT = "when the activity happened: started, else due, else created"

METRICS: tuple[Metric, ...] = (
    count("activities", "Activities", ACTIVITIES, time="at", unit="activities",
          formula=f"activities of any status, counted at {AT}"),
    count("activities_done", "Activities done", ACTIVITIES, time="at", unit="activities",
          formula="activities with status done", where=lambda t, q: t.status == "done"),
    count("activities_planned", "Activities planned", ACTIVITIES, time="at", unit="activities",
          formula="activities still planned (not done, not cancelled)",
          where=lambda t, q: t.status == "planned"),
    count("activities_cancelled", "Activities cancelled", ACTIVITIES, time="at",
          unit="activities", formula="activities with status cancelled",
          where=lambda t, q: t.status == "cancelled"),
    ratio("done_share", "Done share", "activities_done", "activities"),
    count("overdue", "Overdue activities", ACTIVITIES, time=None, unit="activities",
          formula="planned activities whose due time is before now (a snapshot)",
          where=lambda t, q: (t.status == "planned") & (t.due_at < to_utc_naive(q.now))),
    count("logged_on_time", "Outcomes logged within 24 h", ACTIVITIES, time="at",
          unit="activities",
          formula="done activities with an outcome logged at most 24 h after the activity "
          "ended (start + duration)",
          where=lambda t, q: (t.status == "done") & t.outcome.notnull()
          & (t.logged_s - t.ended_s <= LOGGING_WINDOW_S)),
    ratio("logging_coverage", "Logging coverage", "logged_on_time", "activities_done",
          formula="share of done activities with an outcome logged within 24 h: "
          "logged_on_time / activities_done"),
    total("selling_hours", "Selling time", ACTIVITIES, lambda t: t.hours, time="at",
          unit="hours", formula="sum of durations of done activities of selling types",
          where=lambda t, q: (t.status == "done") & (t.category == "selling")),
    total("admin_hours", "Admin time", ACTIVITIES, lambda t: t.hours, time="at", unit="hours",
          formula="sum of durations of done activities of admin types",
          where=lambda t, q: (t.status == "done") & (t.category == "admin")),
    total("activity_hours", "Time on activities", ACTIVITIES, lambda t: t.hours, time="at",
          unit="hours", formula="sum of durations of done activities",
          where=lambda t, q: t.status == "done"),
    ratio("selling_share", "Selling share of time", "selling_hours", "activity_hours"),
)  # fmt: skip
