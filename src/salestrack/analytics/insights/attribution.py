"""Multi-touch attribution of won revenue (or won deals) to the channels (activity types) of
the deals' journeys: first touch, last touch, linear, time decay, position based (40/20/40),
Markov removal effect and Shapley value. Every model's credits add up to the total.

The Markov model is solved exactly: the absorbing chain's conversion probability is the
solution of one small linear system (I - Q) x = r per removed channel, no random walks.
Journeys are flat numpy arrays (journey index and channel per touch), so a million journeys
cost a few bincounts. Intervals come from a bootstrap over journeys with a fixed seed.

Revenue is in one currency, as the metrics registry adds it: a won deal's amount counts only
when it is in the report's currency (``deal_frame``'s ``in_currency``). Every closed deal is
still a journey, and every win a conversion: which channels lead to wins is a rate, not money,
so attribution by deals and the Markov chain read all of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from salestrack.analytics.insights.estimate import Estimate

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
MODELS = (
    "first_touch",
    "last_touch",
    "linear",
    "time_decay",
    "position_based",
    "markov",
    "shapley",
)
HALF_LIFE_DAYS = 7.0
MAX_SHAPLEY_CHANNELS = 16


@dataclass(frozen=True)
class Journeys:
    """Touches of closed deals sorted by journey then time; per-journey outcome and value."""

    journey: Ints  # journey index of each touch, non-decreasing
    channel: Ints  # channel code of each touch
    hours_before_close: Floats
    converted: NDArray[np.bool_]  # per journey
    value: Floats  # per journey: the won amount in the currency (else 0: lost, or another)
    channels: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.converted)

    @classmethod
    def from_frames(cls, deals: pd.DataFrame, touches: pd.DataFrame) -> Journeys:
        """From :func:`frames.deal_frame` and :func:`frames.touch_frame`; a journey's value is
        its won amount when that is in the frame's currency, else 0."""
        index = pd.Index(deals["deal_id"])
        journey = index.get_indexer(touches["deal_id"])
        kept = journey >= 0  # touches of deals outside the frame are ignored
        order = np.lexsort((touches["started_at"].to_numpy()[kept], journey[kept]))
        rows = np.flatnonzero(kept)[order]
        touches = touches.iloc[rows]
        codes, names = pd.factorize(touches["channel"], sort=True)
        won = deals["won"].to_numpy(dtype=bool)
        return cls(
            journey=journey[rows].astype(np.int64),
            channel=codes.astype(np.int64),
            hours_before_close=touches["hours_before_close"].to_numpy(dtype=float),
            converted=won,
            value=np.where(
                won & deals["in_currency"].to_numpy(dtype=bool),
                deals["amount"].to_numpy(dtype=float),
                0.0,
            ),
            channels=tuple(str(n) for n in names),
        )

    def positions(self) -> tuple[Ints, Ints]:
        """Each touch's position in its journey (0-based) and its journey's length."""
        lengths = np.bincount(self.journey, minlength=self.size)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        pos = np.arange(len(self.journey)) - starts[self.journey]
        return pos, lengths[self.journey]


def touch_weights(j: Journeys, model: str, half_life_days: float = HALF_LIFE_DAYS) -> Floats:
    """Share of its journey's credit each touch gets under a rule-based model (sums to 1)."""
    pos, length = j.positions()
    if model == "first_touch":
        return np.where(pos == 0, 1.0, 0.0)
    if model == "last_touch":
        return np.where(pos == length - 1, 1.0, 0.0)
    if model == "linear":
        return 1.0 / length
    if model == "time_decay":
        raw = np.exp2(-j.hours_before_close / (24.0 * half_life_days))
        total = np.bincount(j.journey, weights=raw, minlength=j.size)
        return raw / total[j.journey]
    if model == "position_based":
        ends = (pos == 0) | (pos == length - 1)
        middle = np.where(length > 2, 0.2 / np.maximum(length - 2, 1), 0.0)
        w = np.where(ends, np.where(length > 2, 0.4, 1.0 / length), middle)
        return w.astype(float)
    raise ValueError(f"not a rule-based model: {model}")


def markov_removal_effects(j: Journeys, weights: Floats | None = None) -> tuple[float, Floats]:
    """Conversion probability of the first-order chain and each channel's removal effect
    1 - P(convert without channel) / P(convert), both solved exactly.

    States: start, the channels, conversion, null. A removed channel becomes a dead end (its
    incoming transitions reach null), the standard removal definition.
    """
    k = len(j.channels)
    start, conv, null = k, k + 1, k + 2
    size = k + 3
    w = np.ones(j.size) if weights is None else weights
    pos, length = j.positions()
    first = pos == 0
    last = pos == length - 1
    # Transition sources and targets, one entry per transition, weighted by the journey weight.
    src = np.concatenate(
        [np.full(int(first.sum()), start), j.channel[:-1][~first[1:]], j.channel[last]]
    )
    dst = np.concatenate(
        [
            j.channel[first],
            j.channel[1:][~first[1:]],
            np.where(j.converted[j.journey[last]], conv, null),
        ]
    )
    wt = np.concatenate([w[j.journey[first]], w[j.journey[1:][~first[1:]]], w[j.journey[last]]])
    empty = np.bincount(j.journey, minlength=j.size) == 0
    src = np.concatenate([src, np.full(int(empty.sum()), start)])
    dst = np.concatenate([dst, np.where(j.converted[empty], conv, null)])
    wt = np.concatenate([wt, w[empty]])
    counts = np.bincount(src * size + dst, weights=wt, minlength=size * size).reshape(size, size)
    rows = counts.sum(axis=1, keepdims=True)
    p = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    transient = list(range(k + 1))  # channels then start
    q = p[np.ix_(transient, transient)]
    r = p[transient, conv]
    # One linear system per scenario: nothing removed, then each channel removed in turn.
    systems = np.broadcast_to(np.eye(k + 1) - q, (k + 1, k + 1, k + 1)).copy()
    rhs = np.broadcast_to(r, (k + 1, k + 1)).copy()
    for c in range(k):
        systems[c + 1, c, :] = 0.0
        systems[c + 1, c, c] = 1.0  # x_c = 0: the removed channel never converts
        rhs[c + 1, c] = 0.0
    x = np.linalg.solve(systems, rhs[..., None])[..., 0]
    base = float(x[0, k])
    removed = x[1:, k]
    effects = 1.0 - removed / base if base > 0 else np.zeros(k)
    return base, effects


def shapley_values(v: Floats, n_players: int) -> Floats:
    """Exact Shapley values for a game given as v[mask] over all 2^n coalitions (bit i =
    player i): phi_i = sum over S not containing i of |S|!(n-|S|-1)!/n! (v(S+i) - v(S))."""
    masks = np.arange(1 << n_players)
    sizes = np.array([bin(m).count("1") for m in masks])
    weight = np.array(
        [
            math.factorial(s) * math.factorial(n_players - s - 1) / math.factorial(n_players)
            if s < n_players
            else 0.0
            for s in range(n_players + 1)
        ]
    )
    phi = np.zeros(n_players)
    for i in range(n_players):
        without = masks[(masks >> i) & 1 == 0]
        phi[i] = float(np.sum(weight[sizes[without]] * (v[without | (1 << i)] - v[without])))
    return phi


def coalition_values(j: Journeys, value: Floats) -> Floats:
    """v(S) = value of the journeys whose channels all lie in S (what S achieves on its own),
    via a subset-sum (zeta) transform over the 2^k channel masks."""
    k = len(j.channels)
    bits = (
        np.bitwise_or.reduceat(np.left_shift(1, j.channel), _starts(j))
        if len(j.channel)
        else np.array([], dtype=np.int64)
    )
    mask = np.zeros(j.size, dtype=np.int64)
    has = np.bincount(j.journey, minlength=j.size) > 0
    mask[has] = bits
    v = np.bincount(mask, weights=value, minlength=1 << k).astype(float)
    for i in range(k):
        bit = 1 << i
        idx = np.arange(1 << k)
        upper = idx[(idx & bit) != 0]
        v[upper] += v[upper ^ bit]
    return v


def _starts(j: Journeys) -> Ints:
    lengths = np.bincount(j.journey, minlength=j.size)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return starts[lengths > 0]


def credits(
    j: Journeys,
    model: str,
    value: Floats,
    weights: Floats | None = None,
    half_life_days: float = HALF_LIFE_DAYS,
) -> Floats:
    """Credit per channel under ``model`` for per-journey ``value`` (0 on lost journeys);
    ``weights`` re-weights journeys (the bootstrap)."""
    k = len(j.channels)
    w = np.ones(j.size) if weights is None else weights
    total = float(np.sum(w * value * j.converted))
    if model == "markov":
        _, effects = markov_removal_effects(j, w)
        share = effects / effects.sum() if effects.sum() > 0 else np.zeros(k)
        return share * total
    if model == "shapley":
        if k > MAX_SHAPLEY_CHANNELS:
            raise ValueError(f"exact Shapley needs at most {MAX_SHAPLEY_CHANNELS} channels")
        phi = shapley_values(coalition_values(j, w * value * j.converted), k)
        return phi
    per_touch = touch_weights(j, model, half_life_days) * (w * value * j.converted)[j.journey]
    return np.bincount(j.channel, weights=per_touch, minlength=k).astype(np.float64)


@dataclass
class Attribution:
    """Credits per model and channel (with bootstrap intervals), and what they add up to."""

    by: str
    total: float
    journeys: int
    half_life_days: float
    credits: dict[str, dict[str, Estimate]]


def attribute(
    j: Journeys,
    *,
    by: str = "revenue",
    half_life_days: float = HALF_LIFE_DAYS,
    bootstrap: int = 200,
    seed: int = 20240601,
) -> Attribution:
    """All models side by side; ``by`` is "revenue" (won amount) or "deals" (won count).

    Each estimate's n is the number of wins whose value is credited: every win by deals, the
    wins with an amount in the currency by revenue.
    """
    value = j.value if by == "revenue" else j.converted.astype(float)
    rng = np.random.default_rng(seed)
    reps = (
        [
            rng.multinomial(j.size, np.full(j.size, 1.0 / j.size)).astype(float)
            for _ in range(bootstrap)
        ]
        if j.size
        else []
    )
    n_won = int(np.count_nonzero(value * j.converted))
    table: dict[str, dict[str, Estimate]] = {}
    for model in MODELS:
        point = credits(j, model, value, half_life_days=half_life_days)
        draws = np.array([credits(j, model, value, w, half_life_days) for w in reps])
        low, high = (
            np.percentile(draws, [2.5, 97.5], axis=0)
            if len(draws)
            else (point * np.nan, point * np.nan)
        )
        table[model] = {
            name: Estimate(float(point[c]), float(low[c]), float(high[c]), n_won)
            for c, name in enumerate(j.channels)
        }
    return Attribution(by, float(np.sum(value * j.converted)), j.size, half_life_days, table)


def all_subsets(n: int) -> list[tuple[int, ...]]:
    """Every subset of range(n), smallest first (for tests and explanations)."""
    return [c for size in range(n + 1) for c in combinations(range(n), size)]
