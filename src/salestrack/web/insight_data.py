"""The numbers behind the insights pages, from the DuckDB warehouse, each with its n.

Like :mod:`salestrack.web.data` this is the one place to swap for ``analytics.insights`` when
it lands. Heavy scans run in DuckDB; intervals are computed on the small frame that comes back.
Rates carry a 95 % Wilson interval; means a normal interval.

Money (won revenue, order values, revenue per customer) is added up in one currency, the org's
``SALESTRACK_DEFAULT_CURRENCY``, as the metrics registry and the insights report do; counts and
rates take every deal and order. Which amounts are in the currency and which order is an
account's first are the registry's definitions, compiled (``analytics.insights.frames``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from salestrack.analytics.insights.frames import orders_sql, priced_sql
from salestrack.web.data import WarehouseReader

Z = 1.959964


def wilson(successes: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Rate and its 95 % Wilson interval, element-wise (empty groups give NaN)."""
    n = n.astype(float).where(n > 0)
    p = successes.astype(float) / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * ((p * (1 - p) / n + Z * Z / (4 * n * n)) ** 0.5) / (1 + Z * Z / n)
    return p, centre - half, centre + half


def _with_rate(frame: pd.DataFrame, good: str = "won", n: str = "n") -> pd.DataFrame:
    frame = frame.copy()
    frame["rate"], frame["lo"], frame["hi"] = wilson(frame[good], frame[n])
    return frame


def _q(reader: WarehouseReader, sql: str, ids: Sequence[int]) -> pd.DataFrame:
    return reader.frame(sql, {"ids": list(ids)})


CLOSED_DEALS = """
WITH closed AS (
  SELECT d.id, (s.kind = 'won') AS won FROM deals d JOIN stages s ON s.id = d.stage_id
  WHERE s.kind IN ('won', 'lost') AND list_contains($ids, d.owner_id)
), acts AS (
  SELECT a.deal_id, t.key, a.purpose, a.outcome, a.started_at
  FROM activities a JOIN activity_types t ON t.id = a.type_id
  WHERE a.status = 'done' AND a.deal_id IN (SELECT id FROM closed)
), first_meeting AS (
  SELECT deal_id, min(started_at) AS at FROM acts WHERE purpose = 'first_meeting' GROUP BY ALL
), follow AS (
  SELECT f.deal_id, min(date_diff('minute', m.at, f.started_at) / 60.0) AS hours
  FROM acts f JOIN first_meeting m USING (deal_id)
  WHERE f.purpose = 'follow_up' AND f.started_at > m.at GROUP BY ALL
)
SELECT c.id, c.won,
  EXISTS (SELECT 1 FROM acts x WHERE x.deal_id = c.id AND x.key = 'demo' AND x.outcome = 'held')
    AS had_demo,
  coalesce(f.hours < 24, FALSE) AS fast_follow_up,
  EXISTS (SELECT 1 FROM acts x WHERE x.deal_id = c.id AND x.purpose = 'check_in') AS had_check_in,
  EXISTS (SELECT 1 FROM acts x WHERE x.deal_id = c.id AND x.key = 'visit') AS had_visit,
  f.hours AS follow_up_hours
FROM closed c LEFT JOIN follow f ON f.deal_id = c.id
"""

FEATURES = ("had_demo", "fast_follow_up", "had_check_in", "had_visit")


def closed_deals(reader: WarehouseReader, ids: Sequence[int]) -> pd.DataFrame:
    """One row per closed deal: won, and what happened on it (the per-deal table)."""
    return _q(reader, CLOSED_DEALS, ids)


def lifts(deals: pd.DataFrame) -> pd.DataFrame:
    """Win rate with and without each feature, with intervals and the difference."""
    rows = []
    for feature in FEATURES:
        for present in (True, False):
            part = deals[deals[feature] == present]
            rows.append(
                {
                    "feature": feature,
                    "present": present,
                    "n": len(part),
                    "won": int(part["won"].sum()),
                }
            )
    return _with_rate(pd.DataFrame(rows))


DELAY_BUCKETS = ((0, 24, "< 1 d"), (24, 72, "1–3 d"), (72, 10_000, "> 3 d"))


def follow_up_delay(deals: pd.DataFrame) -> pd.DataFrame:
    """Win rate by the delay from the first meeting to the first follow-up."""
    hours = deals["follow_up_hours"]
    rows = []
    for lo, hi, name in DELAY_BUCKETS:
        part = deals[(hours >= lo) & (hours < hi)]
        rows.append({"bucket": name, "n": len(part), "won": int(part["won"].sum())})
    none = deals[hours.isna()]
    rows.append({"bucket": "none", "n": len(none), "won": int(none["won"].sum())})
    return _with_rate(pd.DataFrame(rows))


ATTRIBUTION = """
WITH priced AS ({priced}), won AS (
  SELECT d.id, d.amount::DOUBLE AS amount, d.closed_at FROM deals d
  JOIN stages s ON s.id = d.stage_id JOIN priced p ON p.id = d.id
  WHERE s.kind = 'won' AND p.in_currency AND list_contains($ids, d.owner_id)
), touches AS (
  SELECT w.id AS deal_id, w.amount, t.key AS type,
         row_number() OVER (PARTITION BY w.id ORDER BY a.started_at, a.id) AS k,
         count(*) OVER (PARTITION BY w.id) AS m
  FROM won w JOIN activities a ON a.deal_id = w.id AND a.status = 'done'
    AND a.started_at <= w.closed_at
  JOIN activity_types t ON t.id = a.type_id WHERE t.category = 'selling'
)
SELECT type,
  sum(amount * (k = 1)::INT) AS first_touch,
  sum(amount * (k = m)::INT) AS last_touch,
  sum(amount / m) AS linear,
  sum(amount * CASE WHEN m = 1 THEN 1.0 WHEN m = 2 THEN 0.5
                    WHEN k = 1 OR k = m THEN 0.4 ELSE 0.2 / (m - 2) END) AS position_based,
  count(DISTINCT deal_id) AS deals
FROM touches GROUP BY ALL ORDER BY linear DESC
"""

MODELS = ("first_touch", "last_touch", "linear", "position_based")


def attribution(reader: WarehouseReader, ids: Sequence[int], currency: str) -> pd.DataFrame:
    """Won amount credited to each activity type under four models, as shares (long form):
    the deals won in ``currency``, whose amounts can be added up (``deals`` counts them)."""
    wide = _q(reader, ATTRIBUTION.format(priced=priced_sql("deals", currency)), ids)
    long = wide.melt(
        id_vars=["type", "deals"], value_vars=list(MODELS), var_name="model", value_name="amount"
    )
    totals = long.groupby("model")["amount"].transform("sum")
    long["share"] = (long["amount"] / totals).fillna(0.0)
    return long


HEATMAP = """
SELECT dayofweek(l) AS weekday, hour(l) AS hour, count(*) AS n,
       count(*) FILTER (WHERE outcome = 'connected') AS connected
FROM (
  SELECT a.outcome,
    timezone(coalesce(c.time_zone, ac.time_zone, 'UTC'), a.started_at::TIMESTAMPTZ) AS l
  FROM activities a JOIN activity_types t ON t.id = a.type_id
  LEFT JOIN contacts c ON c.id = a.contact_id LEFT JOIN accounts ac ON ac.id = a.account_id
  WHERE t.key = 'call' AND a.status = 'done' AND list_contains($ids, a.owner_id)
) GROUP BY ALL
"""


def call_heatmap(reader: WarehouseReader, ids: Sequence[int]) -> pd.DataFrame:
    """Connect rate of calls by the prospect's local weekday and hour."""
    return _with_rate(_q(reader, HEATMAP, ids), good="connected")


EXPERIMENTS = """
SELECT x.name AS experiment, e.variant, count(*) AS n,
       count(*) FILTER (WHERE e.converted_at IS NOT NULL) AS converted
FROM enrollments e JOIN experiments x ON x.id = e.experiment_id
WHERE list_contains($ids, e.owner_id) AND e.variant IS NOT NULL
GROUP BY ALL ORDER BY experiment, variant
"""


def experiments(reader: WarehouseReader, ids: Sequence[int]) -> pd.DataFrame:
    return _with_rate(_q(reader, EXPERIMENTS, ids), good="converted")


def two_proportion_p(a_good: int, a_n: int, b_good: int, b_n: int) -> float | None:
    """Two-sided p-value of the pooled two-proportion z test."""
    if min(a_n, b_n) == 0:
        return None
    pooled = (a_good + b_good) / (a_n + b_n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a_n + 1 / b_n))
    if se == 0:
        return None
    z = (a_good / a_n - b_good / b_n) / se
    return math.erfc(abs(z) / math.sqrt(2))


CUSTOMERS = """
WITH o AS ({orders})
SELECT o.account_id, coalesce(a.segment, '–') AS segment, count(*) AS orders,
       sum(o.amount) FILTER (WHERE o.in_currency) AS revenue,
       avg(o.amount) FILTER (WHERE o.in_currency AND o.is_first) AS first_order,
       avg(o.amount) FILTER (WHERE o.in_currency AND NOT o.is_first) AS repeat_order
FROM o JOIN accounts a ON a.id = o.account_id WHERE list_contains($ids, a.owner_id)
GROUP BY ALL
"""


def customers(reader: WarehouseReader, ids: Sequence[int], currency: str) -> pd.DataFrame:
    """One row per customer: orders (all), segment, and in ``currency``: revenue and the first
    and repeat order value (empty for a customer with no order in it). First or repeat is the
    registry's, over all the account's orders."""
    return _q(reader, CUSTOMERS.format(orders=orders_sql(currency)), ids)


def clv_by_segment(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean revenue per customer so far by segment, with a normal 95 % interval, over the
    customers with revenue in the currency."""
    priced = frame.dropna(subset=["revenue"])
    grouped = priced.groupby("segment")["revenue"].agg(["mean", "std", "count"]).reset_index()
    half = Z * grouped["std"].fillna(0) / grouped["count"].clip(lower=1) ** 0.5
    grouped["lo"], grouped["hi"] = grouped["mean"] - half, grouped["mean"] + half
    return grouped.rename(columns={"count": "n"})


SATISFACTION = """
WITH touches AS (
  SELECT a.account_id, count(*) AS n FROM activities a
  WHERE a.status = 'done' AND a.account_id IS NOT NULL AND list_contains($ids, a.owner_id)
  GROUP BY ALL
), span AS (
  SELECT greatest(date_diff('day', min(started_at), max(started_at)) / 30.4, 1) AS months
  FROM activities
)
SELECT r.kind, r.score, coalesce(t.n, 0) / (SELECT months FROM span) AS touches_per_month
FROM satisfaction_responses r LEFT JOIN touches t ON t.account_id = r.account_id
WHERE list_contains($ids, r.rep_id)
"""

TOUCH_BUCKETS = ((0, 1, "< 1"), (1, 3, "1–3"), (3, 6, "3–6"), (6, 1e9, "6+"))


def satisfaction(
    reader: WarehouseReader, ids: Sequence[int]
) -> tuple[pd.DataFrame, dict[str, float | int | None]]:
    """CSAT mean by touches per month (with intervals), and the NPS with its n."""
    raw = _q(reader, SATISFACTION, ids)
    csat = raw[raw["kind"] == "csat"]
    rows = []
    for lo, hi, name in TOUCH_BUCKETS:
        part = csat[(csat["touches_per_month"] >= lo) & (csat["touches_per_month"] < hi)]["score"]
        n = len(part)
        mean = float(part.mean()) if n else None
        half = Z * float(part.std()) / math.sqrt(n) if n > 1 else 0.0
        rows.append(
            {
                "bucket": name,
                "n": n,
                "mean": mean,
                "lo": mean - half if mean is not None else None,
                "hi": mean + half if mean is not None else None,
            }
        )
    nps = raw[raw["kind"] == "nps"]["score"]
    nps_value = float(((nps >= 9).mean() - (nps <= 6).mean()) * 100) if len(nps) else None
    return pd.DataFrame(rows), {"nps": nps_value, "nps_n": len(nps), "csat_n": len(csat)}
