"""Satisfaction: CSAT (1-5) and NPS (0-10) per rep, team, segment and period."""

from __future__ import annotations

from collections.abc import Mapping

import ibis.expr.types as ir

from salestrack.analytics.metrics.core import Metric, count, derived, ratio, safe_div, total
from salestrack.analytics.metrics.facts import SATISFACTION

AREA = "Satisfaction"


def _nps(m: Mapping[str, ir.NumericValue], keys: tuple[str, ...]) -> ir.NumericValue:
    return 100.0 * safe_div(m["nps_promoters"] - m["nps_detractors"], m["nps_responses"])


METRICS: tuple[Metric, ...] = (
    count("csat_responses", "CSAT responses", SATISFACTION, time="responded_at",
          unit="responses", formula="CSAT answers received in the window",
          where=lambda t, q: t.kind == "csat"),
    total("csat_points", "CSAT points", SATISFACTION, lambda t: t.score, time="responded_at",
          unit="points", formula="sum of CSAT scores", where=lambda t, q: t.kind == "csat"),
    ratio("csat", "CSAT", "csat_points", "csat_responses", unit="score 1-5",
          formula="average CSAT score: csat_points / csat_responses"),
    count("nps_responses", "NPS responses", SATISFACTION, time="responded_at",
          unit="responses", formula="NPS answers received in the window",
          where=lambda t, q: t.kind == "nps"),
    count("nps_promoters", "NPS promoters", SATISFACTION, time="responded_at",
          unit="responses", formula="NPS answers scoring 9 or 10",
          where=lambda t, q: (t.kind == "nps") & (t.score >= 9)),
    count("nps_detractors", "NPS detractors", SATISFACTION, time="responded_at",
          unit="responses", formula="NPS answers scoring 0 to 6",
          where=lambda t, q: (t.kind == "nps") & (t.score <= 6)),
    derived("nps", "Net promoter score", ("nps_promoters", "nps_detractors", "nps_responses"),
            _nps, unit="score -100..100",
            formula="100 × (nps_promoters − nps_detractors) / nps_responses"),
)  # fmt: skip
