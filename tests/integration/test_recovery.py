"""The main correctness test of the insights: on simulated orgs, every planted effect of the
ground truth lies inside the 95% interval the insights report, with the right sign, and the
null control is not reported as an effect.

The whole path runs: simulate -> load into a SQLite store -> sync to DuckDB -> build_report.
Seeds are the simulator's own effect-test seeds (7, 11, 2024), fixed before any insight was
run; sizes are those of tests/unit/test_simulate_effects.py (about 2,000 closed deals, 15,000
calls, 2,000 orders, 1,100 CSAT answers and 4,800 enrolled leads per org).

Expected miss rate. There are 9 interval checks per seed (demo and fast follow-up odds ratios,
the connect rate of the four planted peak hours, the repeat/first order-value ratio, the CSAT
slope, the cadence difference), 27 in all. Each misses 5% of the time for a calibrated
estimator, so "all 27 inside" would fail for 61% of seed choices (1 - 0.95^27) even with
perfect estimators. The first run of this test, written that way, missed 2 of them: seed 7's
16:00 connect rate (0.386 [0.360, 0.412] vs 0.35) and seed 11's order-value ratio
(1.757 [1.683, 1.835] vs 1.67). Checked for bias on 40 other seeds (100-139) with plain
pandas frames: the order-ratio interval covered 95.0% (mean z 0.00, sd 1.07) and the hourly
connect intervals 94.6% of 520, pooled hourly rates within 2 SE of the truth. So the misses
are chance, and the test now states what calibrated 95% intervals promise:

- at most 3 of the 27 checks miss (P(4 or more | calibrated) = 4.4%), and
- no effect misses on every seed (P = 0.05^3 per effect): a biased estimator misses
  everywhere, which this catches;
- strict on every seed: the sign (interval excludes no-effect on the planted side), the set of
  peak hours, the null control's interval contains OR = 1 and it is not reported as a lift,
  the rep-skill ranking (Spearman > 0.6, at least 20 of 24 reps covered: P(5+ misses) = 0.6%).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from salestrack.analytics.insights.estimate import Estimate
from salestrack.analytics.insights.report import Report, build_report
from salestrack.analytics.sync import sync
from salestrack.analytics.warehouse import Warehouse
from salestrack.services.setup import init_store
from salestrack.simulate import SimulatedOrg, SimulationParams, simulate
from salestrack.simulate.load import load_into_store
from salestrack.store.engine import make_engine

SEEDS = (7, 11, 2024)
MISS_BUDGET = 3


@dataclass
class Recovered:
    """One simulated org, the report built on it, and the store ids of its simulated users."""

    org: SimulatedOrg
    report: Report
    user_ids: dict[int, int]  # simulated user id -> store user id

    @property
    def truth(self) -> dict[str, Any]:
        return self.org.ground_truth


def _recover(seed: int, folder: Path) -> Recovered:
    org = simulate(
        SimulationParams(seed=seed, leads_per_rep_month=30.0, activities_per_rep_month=150.0)
    )
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    try:
        init_store(engine)
        load_into_store(engine, org)
        warehouse = Warehouse(folder / "store.duckdb")
        sync(engine, warehouse)
    finally:
        engine.dispose()
    with warehouse.connect(read_only=True) as conn:
        report = build_report(conn)
        stored = dict(conn.execute("SELECT email, id FROM users").fetchall())
    users = org.tables["users"]
    ids = {int(u): int(stored[e]) for u, e in zip(users["id"], users["email"], strict=True)}
    return Recovered(org, report, ids)


@pytest.fixture(scope="module")
def orgs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Recovered]:
    return {seed: _recover(seed, tmp_path_factory.mktemp(f"seed{seed}")) for seed in SEEDS}


@pytest.fixture(params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def recovered(request: pytest.FixtureRequest, orgs: dict[int, Recovered]) -> Recovered:
    return orgs[int(request.param)]


def _odds(r: Recovered, feature: str) -> Estimate:
    assert r.report.adjusted is not None and r.report.adjusted.converged
    return r.report.adjusted.odds_ratios[feature]


def interval_checks(r: Recovered) -> list[tuple[str, Estimate, float]]:
    """(effect, reported estimate, planted truth) for every planted non-null effect."""
    t = r.truth
    calls = r.report.calls
    assert calls is not None
    by_hour = {c.hour: c.shrunk for c in calls.by_hour}
    hours = t["connect_rate_by_local_hour"]
    rates = t["cadence_conversion"]["rate_by_variant"]
    return [
        ("demo odds ratio", _odds(r, "type:demo"), t["demo_effect"]["odds_ratio"]),
        (
            "fast follow-up odds ratio",
            _odds(r, "fast_follow_up"),
            t["fast_follow_up_effect"]["odds_ratio"],
        ),
        *(
            (f"connect rate {h}:00", by_hour[h], hours["probability"][str(h)])
            for h in hours["peaks"]
        ),
        ("repeat/first order value", r.report.order_value.ratio, t["repeat_order_value"]["ratio"]),
        (
            "CSAT per touch/month",
            r.report.csat_slope,
            t["csat_touch_slope"]["slope_per_touch_per_month"],
        ),
        ("cadence B - A", r.report.experiments[0].difference, rates["B"] - rates["A"]),
    ]


def test_planted_effects_inside_reported_intervals(orgs: dict[int, Recovered]) -> None:
    rows = [(seed, *check) for seed, r in orgs.items() for check in interval_checks(r)]
    misses = [row for row in rows if not row[2].covers(row[3])]
    table = "\n".join(
        f"seed {s:>4} {name:<26} {e.value:8.4f} [{e.low:8.4f}, {e.high:8.4f}] truth {truth:.4f}"
        f"{'' if e.covers(truth) else '  MISS'}"
        for s, name, e, truth in rows
    )
    assert len(rows) == 9 * len(SEEDS)
    assert len(misses) <= MISS_BUDGET, table
    missed_everywhere = {n for _, n, _, _ in misses if sum(m[1] == n for m in misses) == len(SEEDS)}
    assert not missed_everywhere, table


def test_planted_effects_have_the_right_sign(recovered: Recovered) -> None:
    for name, estimate, truth in interval_checks(recovered):
        no_effect = 1.0 if "ratio" in name else 0.0
        if name.startswith("connect rate"):
            no_effect = recovered.report.calls.overall.value  # type: ignore[union-attr]
        assert (estimate.low > no_effect) == (truth > no_effect), (name, estimate, truth)


def test_null_control_is_not_an_effect(recovered: Recovered) -> None:
    truth = recovered.truth["null_control"]
    e = _odds(recovered, f"purpose:{truth['purpose']}")
    assert e.covers(truth["odds_ratio"]), e
    lifts = " ".join(recovered.report.sentences["effectiveness"][:-1])
    assert "check-in" not in lifts  # only the closing "no detectable effect" line names it


def test_connect_rate_peak_hours_are_found(recovered: Recovered) -> None:
    peaks = set(recovered.truth["connect_rate_by_local_hour"]["peaks"])
    calls = recovered.report.calls
    assert calls is not None
    top = sorted(calls.by_hour, key=lambda c: -c.shrunk.value)[:4]
    assert {c.hour for c in top} == peaks
    assert {c.hour for c in calls.best_hours()} == peaks


def test_csat_truth_is_linear_at_this_size(recovered: Recovered) -> None:
    assert recovered.truth["csat_touch_slope"]["clipped_share"] == 0.0


def test_rep_skill_ranking(recovered: Recovered) -> None:
    assert recovered.report.adjusted is not None
    effects = recovered.report.adjusted.rep_effects
    skill = {
        recovered.user_ids[int(u)]: s
        for u, s in recovered.truth["rep_skill"]["log_odds_by_user_id"].items()
    }
    reps = sorted(effects)
    assert len(reps) >= 20  # nearly all reps have enough deals to be modelled
    truth = np.array([skill[r] for r in reps])
    truth -= truth.mean()  # the report centres on the average modelled rep
    covered = sum(effects[r].covers(t) for r, t in zip(reps, truth, strict=True))
    assert covered >= len(reps) - 4, (covered, len(reps))
    rho = stats.spearmanr(truth, [effects[r].value for r in reps]).statistic
    assert rho > 0.6, rho


def test_cadence_experiment_is_detected_sequentially(recovered: Recovered) -> None:
    (result,) = recovered.report.experiments
    rates = recovered.truth["cadence_conversion"]["rate_by_variant"]
    assert (result.control, result.treatment) == ("A", "B")
    assert result.always_valid.covers(rates["B"] - rates["A"])
    assert result.p_value < 0.05
