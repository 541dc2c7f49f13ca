"""Customer lifetime value: BG/NBD for the number of future purchases (Fader, Hardie and Lee,
"Counting your customers the easy way", 2005) and Gamma-Gamma for their value (Fader, Hardie
and Berger, "RFM and CLV", 2005), fitted by maximum likelihood with scipy.

No library is used: ``lifetimes`` (last release 2020) and ``btyd`` (a 2022 beta) are
unmaintained, and ``pymc-marketing`` pulls in PyMC for what are two closed-form likelihoods.
The implementation is checked by recovering known parameters from data drawn from the model
(tests/unit/test_clv.py), using the published CDNOW estimates as the true values.

Input: :func:`frames.customer_frame`. The purchase model counts every order: frequency x =
repeat orders (the metrics registry's: every order but the account's first, by time then id),
recency t_x and age T in weeks. The spend model takes money in one currency only: for each
customer the number of repeat orders in the report's currency and their mean value; values and
the total are in that currency, over the customers who ordered in it (a customer who never did
has no value in it). Parameter intervals come from the inverse Hessian on the log scale; the
total value interval from draws of those parameters.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize, special

from salestrack.analytics.insights.estimate import Z95, Estimate

Floats = NDArray[np.float64]
HORIZON_WEEKS = 52.0


def bgnbd_log_likelihood(params: Floats, x: Floats, t_x: Floats, big_t: Floats) -> Floats:
    """Per-customer log-likelihood of BG/NBD (FHL 2005, eq. 6) for params (r, alpha, a, b)."""
    r, alpha, a, b = params
    base = special.gammaln(r + x) - special.gammaln(r) + r * math.log(alpha)
    beta_ab = special.betaln(a, b)
    alive = special.betaln(a, b + x) - beta_ab - (r + x) * np.log(alpha + big_t)
    gone = np.where(
        x > 0,
        special.betaln(a + 1, np.maximum(b + x - 1, 1e-300))
        - beta_ab
        - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    return np.asarray(base + np.logaddexp(alive, gone), dtype=np.float64)


def gamma_gamma_log_likelihood(params: Floats, x: Floats, m_x: Floats) -> Floats:
    """Per-customer log-likelihood of the Gamma-Gamma spend model for params (p, q, gamma),
    customers with x >= 1 repeat purchases of mean value m_x (FHB 2005, appendix)."""
    p, q, g = params
    px = p * x
    return np.asarray(
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * math.log(g)
        + (px - 1) * np.log(m_x)
        + px * np.log(x)
        - (px + q) * np.log(g + x * m_x),
        dtype=np.float64,
    )


def _hessian(f: Callable[[Floats], float], theta: Floats, step: float = 1e-4) -> Floats:
    k = len(theta)
    h = np.zeros((k, k))
    for i in range(k):
        for j in range(i, k):
            e_i, e_j = np.eye(k)[i] * step, np.eye(k)[j] * step
            h[i, j] = h[j, i] = (
                f(theta + e_i + e_j)
                - f(theta + e_i - e_j)
                - f(theta - e_i + e_j)
                + f(theta - e_i - e_j)
            ) / (4 * step * step)
    return h


@dataclass
class Fit:
    """Maximum likelihood parameters (with 95% intervals) and their log-scale covariance."""

    names: tuple[str, ...]
    params: dict[str, Estimate]
    log_cov: Floats
    n: int
    converged: bool

    def values(self) -> Floats:
        return np.array([self.params[k].value for k in self.names])


def _fit(names: tuple[str, ...], nll: Callable[[Floats], float], start: Floats, n: int) -> Fit:
    """Minimise ``nll`` over log-parameters; intervals from the inverse Hessian."""
    # Probing far-off parameters overflows; nll maps those points to 1e300, so the overflow
    # warnings carry no information and are silenced for the search only.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = optimize.minimize(
            nll,
            np.log(start),
            method="Nelder-Mead",
            options={"maxiter": 4000, "xatol": 1e-7, "fatol": 1e-9},
        )
        result = optimize.minimize(nll, result.x, method="BFGS")
        theta = result.x
        hess = _hessian(nll, theta)
    try:
        cov = np.linalg.inv(hess)
        ok = bool(np.all(np.diag(cov) > 0))
    except np.linalg.LinAlgError:
        cov, ok = np.full((len(theta), len(theta)), np.nan), False
    se = np.sqrt(np.abs(np.diag(cov)))
    params = {
        name: Estimate(math.exp(t), math.exp(t - Z95 * s), math.exp(t + Z95 * s), n)
        for name, t, s in zip(names, theta, se, strict=True)
    }
    return Fit(
        names, params, np.asarray(cov, dtype=np.float64), n, ok and bool(np.isfinite(result.fun))
    )


def fit_bgnbd(x: Floats, t_x: Floats, big_t: Floats) -> Fit:
    """BG/NBD by maximum likelihood."""
    x, t_x, big_t = (np.asarray(v, dtype=float) for v in (x, t_x, big_t))

    def nll(theta: Floats) -> float:
        value = -float(bgnbd_log_likelihood(np.exp(theta), x, t_x, big_t).sum())
        return value if math.isfinite(value) else 1e300

    return _fit(("r", "alpha", "a", "b"), nll, np.array([1.0, 1.0, 1.0, 1.0]), len(x))


def fit_gamma_gamma(x: Floats, m_x: Floats) -> Fit:
    """Gamma-Gamma by maximum likelihood, on customers with at least one repeat purchase."""
    x, m_x = np.asarray(x, dtype=float), np.asarray(m_x, dtype=float)
    keep = (x > 0) & (m_x > 0)
    x, m_x = x[keep], m_x[keep]

    def nll(theta: Floats) -> float:
        value = -float(gamma_gamma_log_likelihood(np.exp(theta), x, m_x).sum())
        return value if math.isfinite(value) else 1e300

    return _fit(("p", "q", "gamma"), nll, np.array([1.0, 1.0, float(np.mean(m_x))]), len(x))


def expected_purchases(params: Floats, t: float, x: Floats, t_x: Floats, big_t: Floats) -> Floats:
    """E[purchases in the next t weeks | x, t_x, T] under BG/NBD (FHL 2005, eq. 10)."""
    r, alpha, a, b = params
    hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t))
    head = (
        (a + b + x - 1) / (a - 1) * (1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyper)
    )
    alive = 1 + (x > 0) * a / np.maximum(b + x - 1, 1e-12) * ((alpha + big_t) / (alpha + t_x)) ** (
        r + x
    )
    return np.asarray(head / alive, dtype=np.float64)


def expected_order_value(params: Floats, x: Floats, m_x: Floats) -> Floats:
    """E[value of a future order | x, m_x] under Gamma-Gamma: (gamma + x m_x) p / (p x + q - 1)."""
    p, q, g = params
    m = np.nan_to_num(m_x, nan=0.0)
    return np.asarray((g + x * m) * p / (p * x + q - 1), dtype=np.float64)


@dataclass
class CustomerValue:
    """Fitted models and the value the current customers are expected to bring."""

    purchases: Fit
    spend: Fit
    horizon_weeks: float
    total: Estimate  # expected revenue in the currency from its customers over the horizon
    per_customer: pd.DataFrame  # account_id, expected_purchases, expected_value, clv


def customer_value(
    customers: pd.DataFrame, horizon_weeks: float = HORIZON_WEEKS, draws: int = 200, seed: int = 11
) -> CustomerValue:
    """Fit both models on :func:`frames.customer_frame` and value each customer who ordered in
    the currency (undiscounted expected revenue over the horizon); the total's interval from
    parameter draws.

    BG/NBD is fitted on every customer (purchases are counts, whatever the currency);
    Gamma-Gamma on the repeat orders in the currency, so a customer's expected order value is
    in it.
    """
    rfm = ("frequency", "recency", "age")
    bg = fit_bgnbd(*(customers[c].to_numpy(dtype=float) for c in rfm))
    valued = customers[customers["orders_in_currency"].to_numpy() > 0]
    x, t_x, big_t = (valued[c].to_numpy(dtype=float) for c in rfm)
    x_money = valued["repeat_orders_in_currency"].to_numpy(dtype=float)
    m_x = valued["repeat_value"].to_numpy(dtype=float)
    gg = fit_gamma_gamma(x_money, m_x)

    def values(pb: Floats, pg: Floats) -> Floats:
        return expected_purchases(pb, horizon_weeks, x, t_x, big_t) * expected_order_value(
            pg, x_money, m_x
        )

    point = values(bg.values(), gg.values())
    rng = np.random.default_rng(seed)
    totals = []
    if bg.converged and gg.converged:
        lb = rng.multivariate_normal(np.log(bg.values()), bg.log_cov, draws)
        lg = rng.multivariate_normal(np.log(gg.values()), gg.log_cov, draws)
        totals = [float(np.sum(values(np.exp(b), np.exp(g)))) for b, g in zip(lb, lg, strict=True)]
    low, high = np.percentile(totals, [2.5, 97.5]) if totals else (math.nan, math.nan)
    per = pd.DataFrame(
        {
            "account_id": valued["account_id"].to_numpy(),
            "expected_purchases": expected_purchases(bg.values(), horizon_weeks, x, t_x, big_t),
            "expected_value": expected_order_value(gg.values(), x_money, m_x),
            "clv": point,
        }
    )
    total = Estimate(float(point.sum()), float(low), float(high), len(valued))
    return CustomerValue(bg, gg, horizon_weeks, total, per)


def simulate_bgnbd(
    rng: np.random.Generator, n: int, params: tuple[float, float, float, float], big_t: float
) -> tuple[Floats, Floats, Floats]:
    """Draw (x, t_x, T) for n customers from the BG/NBD process itself (for verification):
    purchase rate lambda ~ Gamma(r, alpha), dropout p ~ Beta(a, b) after each purchase."""
    r, alpha, a, b = params
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1.0 / np.maximum(lam[idx], 1e-12))
        bought = now[idx] <= big_t
        done = idx[~bought]
        active[done] = False
        idx = idx[bought]
        x[idx] += 1
        t_x[idx] = now[idx]
        dropped = rng.random(len(idx)) < p[idx]
        active[idx[dropped]] = False
    return x, t_x, np.full(n, big_t)


def simulate_gamma_gamma(
    rng: np.random.Generator, x: Floats, params: tuple[float, float, float]
) -> Floats:
    """Mean repeat order value of customers with x purchases under Gamma-Gamma."""
    p, q, g = params
    nu = rng.gamma(q, 1.0 / g, len(x))
    total = rng.gamma(np.maximum(p * x, 1e-12), 1.0 / nu)  # sum of x Gamma(p, nu) draws
    return np.where(x > 0, total / np.maximum(x, 1), np.nan)
