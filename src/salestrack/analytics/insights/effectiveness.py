"""Which activities go with won deals: win rate with vs without each activity type and purpose
(Wilson intervals), the same adjusted for deal size, segment and rep (one logistic regression,
odds ratios with 95% intervals), and activities per won vs lost deal.

Reads only :func:`frames.deal_frame`. The adjusted model holds all activity flags at once, so
each odds ratio is conditional on the others: that is the quantity a planted effect means.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import linalg
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    HessianInversionWarning,
    PerfectSeparationWarning,
)

from salestrack.analytics.insights.estimate import (
    Z95,
    Estimate,
    from_log,
    mean_interval,
    newcombe_difference,
    wilson,
)

FAST_FOLLOW_UP = "fast_follow_up"
MIN_LEVEL_COUNT = 10  # a flag needs this many deals with and without it to be estimated
MIN_REP_DEALS = 20  # reps with fewer closed deals are pooled as "other reps"


def feature_flags(deals: pd.DataFrame) -> pd.DataFrame:
    """Boolean per deal: had an activity of each type / purpose, and the fast follow-up."""
    # Types before purposes, so a purpose identical to a type (demo) is named by the type.
    counts = sorted(
        (c for c in deals.columns if c.startswith(("type:", "purpose:"))),
        key=lambda c: (not c.startswith("type:"), c),
    )
    flags = deals[counts] > 0
    flags[FAST_FOLLOW_UP] = deals[FAST_FOLLOW_UP].astype(bool)
    return flags


def usable_features(flags: pd.DataFrame, min_count: int = MIN_LEVEL_COUNT) -> dict[str, list[str]]:
    """Features that vary enough to estimate, each with the identical columns it stands for
    (e.g. type:demo and purpose:demo when every demo has purpose demo)."""
    kept: dict[str, list[str]] = {}
    seen: dict[bytes, str] = {}
    for name in flags.columns:
        column = flags[name].to_numpy()
        if min(column.sum(), (~column).sum()) < min_count:
            continue
        key = np.packbits(column).tobytes()
        if key in seen:
            kept[seen[key]].append(name)
            continue
        seen[key] = name
        kept[name] = [name]
    return kept


@dataclass(frozen=True)
class Lift:
    """Win rate of closed deals with and without a feature, and the difference."""

    feature: str
    with_: Estimate
    without: Estimate
    difference: Estimate


def win_rate_lift(deals: pd.DataFrame, features: list[str] | None = None) -> list[Lift]:
    """Unadjusted comparison per feature, sorted by the difference (largest lift first)."""
    flags = feature_flags(deals)
    won = deals["won"].to_numpy(dtype=bool)
    out = []
    for name in features or list(usable_features(flags)):
        has = flags[name].to_numpy()
        a, n1 = int(won[has].sum()), int(has.sum())
        b, n0 = int(won[~has].sum()), int((~has).sum())
        out.append(Lift(name, wilson(a, n1), wilson(b, n0), newcombe_difference(a, n1, b, n0)))
    return sorted(out, key=lambda lift: -lift.difference.value)


@dataclass
class AdjustedModel:
    """Odds ratios of the features, rep effects centred on the average rep (log-odds), and
    what could not be estimated."""

    odds_ratios: dict[str, Estimate]
    rep_effects: dict[int, Estimate]
    n: int
    converged: bool
    dropped: list[str] = field(default_factory=list)
    aliases: dict[str, list[str]] = field(default_factory=dict)


def _design(
    deals: pd.DataFrame, features: list[str], min_rep_deals: int
) -> tuple[pd.DataFrame, list[str]]:
    """Features, log deal size, currency dummies, segment dummies (reference: smb or the
    largest) and rep dummies (reference: the rep with most deals; small reps pooled). Returns X
    and the rep columns.

    Amounts stay in their own currency, so one dummy per currency (reference: the most common)
    absorbs the exchange rate: ln(amount in VND) is ln(amount in USD) plus a constant, and the
    size effect is estimated within currencies rather than from a VND deal looking enormous.
    """
    flags = feature_flags(deals)
    x = flags[features].astype(float)
    x.insert(0, "const", 1.0)
    x["log_amount"] = np.log(deals["amount"].clip(lower=1.0).to_numpy())
    if "currency" in deals:
        currencies = deals["currency"].fillna("").astype(str)
        main = currencies.value_counts().idxmax()
        for code in sorted(set(currencies) - {main}):
            x[f"currency[{code}]"] = (currencies == code).to_numpy(dtype=float)
    segments = deals["segment"].astype(str)
    ref = "smb" if "smb" in set(segments) else segments.value_counts().idxmax()
    for level in sorted(set(segments) - {ref}):
        x[f"segment[{level}]"] = (segments == level).to_numpy(dtype=float)
    owners = deals["owner_id"].fillna(-1).astype(int)
    sizes = owners.value_counts()
    big = sorted(int(o) for o in sizes[sizes >= min_rep_deals].index if o != -1)
    pooled = ~owners.isin(big)
    rep_cols = []
    if big:
        reference = big[int(np.argmax(sizes[big].to_numpy()))]
        for rep in big:
            if rep != reference:
                x[f"rep[{rep}]"] = (owners == rep).to_numpy(dtype=float)
                rep_cols.append(f"rep[{rep}]")
        rep_cols.insert(0, f"rep[{reference}]")
    if pooled.any() and big:
        x["rep[other]"] = pooled.to_numpy(dtype=float)
    return x, rep_cols


def _full_rank(x: pd.DataFrame, protected: int) -> tuple[pd.DataFrame, list[str]]:
    """Drop columns that are linear combinations of earlier ones (QR with pivoting)."""
    _, r, piv = linalg.qr(x.to_numpy(), mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int((diag > diag.max() * 1e-10).sum()) if len(diag) else 0
    keep = set(piv[:rank].tolist()) | set(range(protected))
    dropped = [c for i, c in enumerate(x.columns) if i not in keep]
    return x.drop(columns=dropped), dropped


def adjusted_odds_ratios(
    deals: pd.DataFrame,
    features: list[str] | None = None,
    *,
    min_rep_deals: int = MIN_REP_DEALS,
) -> AdjustedModel:
    """Logistic regression of won on the features plus ln(amount), currency, segment and rep."""
    aliases = usable_features(feature_flags(deals))
    features = features if features is not None else list(aliases)
    if len(deals) < 2 * MIN_LEVEL_COUNT or deals["won"].nunique() < 2:
        return AdjustedModel({}, {}, len(deals), False, list(features), aliases)
    x, rep_cols = _design(deals, features, min_rep_deals)
    x, dropped = _full_rank(x, protected=1)
    y = deals["won"].to_numpy(dtype=float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = sm.Logit(y, x).fit(method="newton", maxiter=100, disp=0)
    trouble = (ConvergenceWarning, HessianInversionWarning, PerfectSeparationWarning)
    converged = bool(result.mle_retvals.get("converged", False)) and not any(
        issubclass(w.category, trouble) for w in caught
    )
    params, cov = result.params, result.cov_params()
    odds = {}
    for name in features:
        if name in params.index:
            se = math.sqrt(float(cov.loc[name, name]))
            odds[name] = from_log(float(params[name]), se, len(deals))
    reps = _centred_rep_effects(params, cov, rep_cols, deals)
    return AdjustedModel(odds, reps, len(deals), converged, dropped, aliases)


def _centred_rep_effects(
    params: pd.Series, cov: pd.DataFrame, rep_cols: list[str], deals: pd.DataFrame
) -> dict[int, Estimate]:
    """Each rep's log-odds offset minus the mean offset of the modelled reps, with its interval
    from the linear contrast c'Σc (the reference rep's own coefficient is 0)."""
    if not rep_cols:
        return {}
    estimated = [c for c in rep_cols[1:] if c in params.index]
    k = len(estimated) + 1
    beta = params[estimated].to_numpy()
    sigma = cov.loc[estimated, estimated].to_numpy()
    sizes = deals["owner_id"].value_counts()
    out = {}
    for col in [rep_cols[0], *estimated]:
        c = np.full(len(estimated), -1.0 / k)
        if col in estimated:
            c[estimated.index(col)] += 1.0
        value = float(c @ beta)
        se = math.sqrt(max(float(c @ sigma @ c), 0.0))
        rep = int(col[4:-1])
        out[rep] = Estimate(value, value - Z95 * se, value + Z95 * se, int(sizes.get(rep, 0)))
    return out


@dataclass(frozen=True)
class ActivityCounts:
    """Mean number of activities of one type on won and on lost deals."""

    feature: str
    won: Estimate
    lost: Estimate


def activities_per_deal(deals: pd.DataFrame) -> list[ActivityCounts]:
    """Per activity type: mean count per won deal vs per lost deal (t intervals)."""
    won = deals["won"].to_numpy(dtype=bool)
    out = []
    for col in sorted(c for c in deals.columns if c.startswith("type:")):
        values = deals[col].to_numpy(dtype=float)
        out.append(ActivityCounts(col, mean_interval(values[won]), mean_interval(values[~won])))
    return out
