"""After the sale: repeat-purchase rate, order value and spend of repeat vs first-time
customers (ratios with intervals), cohort retention, days since last touch, and satisfaction
(CSAT / NPS per rep and against touch frequency).

Orders of one account share its spending level, so the order-value ratio's interval is a
delta-method interval clustered by account (orders are not independent draws).

Money in one currency, as the metrics registry adds it: an order is first or repeat, a customer
one-time or repeat, by all their orders (the registry's definition, whatever the currency), but
order values and spend average only amounts in the report's currency, over the orders and
customers that have such amounts. Amounts in other currencies are left out, never converted.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from salestrack.analytics.insights.estimate import (
    NAN_ESTIMATE,
    Z95,
    Estimate,
    from_log,
    mean_interval,
    wilson,
)

LAPSED_DAYS = 90.0


def repeat_purchase_rate(customers: pd.DataFrame) -> Estimate:
    """Share of customers with more than one order (:func:`frames.customer_frame`); a count,
    so every customer and order counts, whatever its currency."""
    return wilson(int((customers["orders"] > 1).sum()), len(customers))


@dataclass
class OrderValue:
    """Average order value of first and of repeat orders and their ratio (repeat / first)."""

    first: Estimate
    repeat: Estimate
    ratio: Estimate


def _cluster_mean(sums: np.ndarray, counts: np.ndarray) -> tuple[float, np.ndarray]:
    """Ratio-of-sums mean and each cluster's linearised influence on it."""
    total = counts.sum()
    mean = sums.sum() / total
    return float(mean), (sums - mean * counts) / total


def order_value_ratio(orders: pd.DataFrame) -> OrderValue:
    """From :func:`frames.order_frame`: the average first and repeat order in the currency and
    their ratio. First or repeat is the registry's ``is_first``, decided over all orders; the
    averages take only orders ``in_currency`` (n counts those), the clusters are the accounts
    with such an order (the registry's first_order_value and repeat_order_value, per account).

    ratio = mean(repeat amounts) / mean(first amounts); var(log ratio) by the delta method
    with account clusters: var_r/m_r^2 + var_f/m_f^2 - 2 cov/(m_r m_f), each (co)variance a
    sum over accounts of the influence products, times G/(G-1).
    """
    orders = orders[orders["in_currency"].to_numpy(dtype=bool)]
    repeat = ~orders["is_first"].to_numpy(dtype=bool)
    amount = orders["amount"].to_numpy(dtype=float)
    per = (
        pd.DataFrame(
            {
                "account_id": orders["account_id"].to_numpy(),
                "s_r": np.where(repeat, amount, 0.0),
                "n_r": repeat.astype(float),
                "s_f": np.where(repeat, 0.0, amount),
                "n_f": (~repeat).astype(float),
            }
        )
        .groupby("account_id")
        .sum()
    )
    if per["n_r"].sum() == 0 or per["n_f"].sum() == 0 or len(per) < 2:
        return OrderValue(NAN_ESTIMATE, NAN_ESTIMATE, NAN_ESTIMATE)
    m_r, u = _cluster_mean(per["s_r"].to_numpy(), per["n_r"].to_numpy())
    m_f, v = _cluster_mean(per["s_f"].to_numpy(), per["n_f"].to_numpy())
    g = len(per)
    scale = g / (g - 1)
    var_r, var_f, cov = (scale * float(x) for x in (u @ u, v @ v, u @ v))
    n_r, n_f = int(per["n_r"].sum()), int(per["n_f"].sum())
    first = Estimate(m_f, m_f - Z95 * math.sqrt(var_f), m_f + Z95 * math.sqrt(var_f), n_f)
    rep = Estimate(m_r, m_r - Z95 * math.sqrt(var_r), m_r + Z95 * math.sqrt(var_r), n_r)
    var_log = var_r / m_r**2 + var_f / m_f**2 - 2 * cov / (m_r * m_f)
    ratio = from_log(math.log(m_r / m_f), math.sqrt(max(var_log, 0.0)), n_r + n_f)
    return OrderValue(first, rep, ratio)


def spend_ratio(customers: pd.DataFrame) -> OrderValue:
    """Total spend per customer: one-time customers ("first") vs repeat customers; the ratio's
    interval by the delta method on the log of two independent means.

    One-time or repeat counts all of a customer's orders; spend is the sum of its orders in the
    currency, averaged over the customers that have one (``orders_in_currency`` > 0).
    """
    priced = customers[customers["orders_in_currency"].to_numpy() > 0]
    repeat = priced["orders"].to_numpy() > 1
    spend = priced["total_spend"].to_numpy(dtype=float)
    a, b = mean_interval(spend[repeat]), mean_interval(spend[~repeat])
    if a.n < 2 or b.n < 2:
        return OrderValue(b, a, NAN_ESTIMATE)
    var_log = spend[repeat].var(ddof=1) / (a.n * a.value**2) + spend[~repeat].var(ddof=1) / (
        b.n * b.value**2
    )
    return OrderValue(b, a, from_log(math.log(a.value / b.value), math.sqrt(var_log), a.n + b.n))


def cohort_retention(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Share of each first-order-month cohort that ordered again k months later (wide: one row
    per cohort, one column per k), from :func:`frames.cohort_frame`."""
    if cohorts.empty:
        return pd.DataFrame()
    table = cohorts.pivot_table(index="cohort", columns="month", values="customers", fill_value=0)
    return table.div(table[0], axis=0)


def retention_at(cohorts: pd.DataFrame, month: int) -> Estimate:
    """Pooled share of customers ordering ``month`` months after their first, over the cohorts
    old enough to be observed that long."""
    if cohorts.empty:
        return NAN_ESTIMATE
    last = cohorts["cohort"].max()
    sizes = cohorts[cohorts["month"] == 0].set_index("cohort")["customers"]
    observed = sizes[
        [(last.year - c.year) * 12 + last.month - c.month >= month for c in sizes.index]
    ]
    hits = cohorts[(cohorts["month"] == month) & cohorts["cohort"].isin(observed.index)]
    return wilson(int(hits["customers"].sum()), int(observed.sum()))


@dataclass
class LastTouch:
    median_days: float
    lapsed: Estimate  # share of customers untouched for more than LAPSED_DAYS (or never)


def days_since_last_touch(frame: pd.DataFrame) -> LastTouch:
    days = frame["days_since_touch"].to_numpy(dtype=float)
    lapsed = int((np.isnan(days) | (days > LAPSED_DAYS)).sum())
    touched = days[~np.isnan(days)]
    median = float(np.median(touched)) if len(touched) else math.nan
    return LastTouch(median, wilson(lapsed, len(days)))


def csat_touch_slope(responses: pd.DataFrame) -> Estimate:
    """OLS slope of the CSAT score on the account's touches per month, with a 95% interval
    robust to several answers from one account (clustered by account)."""
    csat = responses[responses["kind"] == "csat"].dropna(subset=["account_id"])
    if len(csat) < 3 or csat["touches_per_month"].nunique() < 2:
        return NAN_ESTIMATE
    x = sm.add_constant(csat["touches_per_month"].to_numpy(dtype=float))
    y = csat["score"].to_numpy(dtype=float)
    groups = pd.factorize(csat["account_id"])[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups})
    low, high = fit.conf_int(0.05)[1]
    return Estimate(float(fit.params[1]), float(low), float(high), len(csat))


@dataclass(frozen=True)
class RepSatisfaction:
    rep_id: int
    csat: Estimate  # mean score 1-5
    nps: Estimate  # % promoters - % detractors, -100..100


def nps(scores: np.ndarray) -> Estimate:
    """Net promoter score with the multinomial delta-method interval."""
    n = len(scores)
    if n == 0:
        return NAN_ESTIMATE
    pro, det = float(np.mean(scores >= 9)), float(np.mean(scores <= 6))
    value = pro - det
    se = math.sqrt(max(pro + det - value**2, 0.0) / n)
    return Estimate(100 * value, 100 * (value - Z95 * se), 100 * (value + Z95 * se), n)


def satisfaction_by_rep(responses: pd.DataFrame) -> list[RepSatisfaction]:
    out = []
    rated = responses.dropna(subset=["rep_id"])
    reps = rated["rep_id"].to_numpy(dtype=np.int64)
    kinds = rated["kind"].to_numpy()
    scores = rated["score"].to_numpy(dtype=float)
    for rep in np.unique(reps):
        kind, score = kinds[reps == rep], scores[reps == rep]
        out.append(
            RepSatisfaction(
                int(rep), mean_interval(score[kind == "csat"]), nps(score[kind == "nps"])
            )
        )
    return out
