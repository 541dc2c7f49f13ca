"""Discipline: how much of the logged time is selling rather than admin, and logging coverage
(share of done activities whose outcome was logged within 24 hours of completion).

Reads :func:`frames.activity_log_frame` (per owner and category: done, logged_24h, seconds,
seconds_sq). The selling share is a ratio of two sums of durations; its interval treats
activities as independent draws (delta method for a ratio of totals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salestrack.analytics.insights.estimate import NAN_ESTIMATE, Z95, Estimate, wilson


@dataclass
class Coverage:
    selling_time_share: Estimate
    logged_within_24h: Estimate
    by_rep: dict[int, Estimate]  # logging coverage per rep


def _time_share(frame: pd.DataFrame) -> Estimate:
    """Selling seconds / all seconds. With per-activity durations d_i and selling flags s_i,
    R = sum(s d) / sum(d); var(R) ~ sum((s_i - R)^2 d_i^2) / (sum d)^2."""
    selling = frame[frame["category"] == "selling"]
    total = float(frame["seconds"].sum())
    n = int(frame["done"].sum())
    if total <= 0:
        return NAN_ESTIMATE
    share = float(selling["seconds"].sum()) / total
    sq_s = float(selling["seconds_sq"].sum())
    sq_all = float(frame["seconds_sq"].sum())
    # sum over selling of (1-R)^2 d^2 plus over admin of R^2 d^2
    var = ((1 - share) ** 2 * sq_s + share**2 * (sq_all - sq_s)) / total**2
    half = Z95 * math.sqrt(var)
    return Estimate(share, max(share - half, 0.0), min(share + half, 1.0), n)


def coverage(frame: pd.DataFrame) -> Coverage:
    per_rep = frame.groupby("owner_id")[["done", "logged_24h"]].sum()
    by_rep = {
        int(r): wilson(int(k), int(n))
        for r, k, n in zip(
            per_rep.index.to_numpy(dtype=np.int64),
            per_rep["logged_24h"].to_numpy(dtype=np.int64),
            per_rep["done"].to_numpy(dtype=np.int64),
            strict=True,
        )
    }
    logged = wilson(int(frame["logged_24h"].sum()), int(frame["done"].sum()))
    return Coverage(_time_share(frame), logged, by_rep)
