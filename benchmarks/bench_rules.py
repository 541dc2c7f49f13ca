"""Benchmark: rule evaluation over 1,000,000 activities and 100,000 accounts, and a route.

A fresh store (SQLite by default, or ``--db URL``) is bulk-loaded with synthetic reps,
accounts (a third customers with tiers), open and closed deals and done activities over a year.
Four rules are defined (stalled deals, two nurture tiers, a follow-up after connected calls).
Measured in the same run:

* ``run_rules(dry_run=True)``: the rule engine's evaluation (SQL selection + working-day and
  time-zone scheduling of every due item), writing nothing;
* a plain hand-written SQL query per rule selecting the same due items (the floor: what the
  database alone needs), and a check that both found exactly the same items;
* ``run_rules()``: evaluation plus writing every planned activity with its audit row, and a
  second run that must plan nothing;
* route planning for 30 visits with OR-Tools vs the nearest-neighbour baseline.

    python benchmarks/bench_rules.py [--activities 1000000] [--accounts 100000] [--db URL]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, bindparam, select, text

from salestrack.automation import routes
from salestrack.automation.rules import create_rule
from salestrack.automation.runner import run_rules
from salestrack.domain.actor import SYSTEM
from salestrack.domain.clock import FixedClock
from salestrack.services.setup import init_store
from salestrack.store.bulk import bulk_insert
from salestrack.store.engine import make_engine
from salestrack.store.models import Activity, ActivityType, AutomationRule, Stage
from salestrack.store.types import UTCDateTime
from salestrack.store.uow import UnitOfWork

NOW = datetime(2026, 6, 15, 6, 0, tzinfo=UTC)
REPS = 200
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "UTC"]
STALLED_DAYS, TIER_A_DAYS, TIER_B_DAYS, LOOKBACK_DAYS = 21, 30, 60, 14


def load(engine: Engine, n_activities: int, n_accounts: int, seed: int = 5) -> dict[str, int]:
    """Bulk-load the synthetic store; returns row counts."""
    rng = np.random.default_rng(seed)
    with engine.connect() as conn:
        types = dict(conn.execute(select(ActivityType.key, ActivityType.id)).all())
        stages = conn.execute(select(Stage.id, Stage.kind, Stage.pipeline_id)).all()
    stamp = lambda seconds: pd.to_datetime(NOW.timestamp() - seconds, unit="s", utc=True)  # noqa: E731
    year = 365 * 86400
    users = pd.DataFrame(
        {
            "id": np.arange(1, REPS + 1),
            "email": [f"rep{i}@bench.example" for i in range(1, REPS + 1)],
            "name": [f"Rep {i}" for i in range(1, REPS + 1)],
            "role": "rep",
            "time_zone": rng.choice(ZONES, REPS),
            "locale": "en",
            "is_active": True,
        }
    )
    accounts = pd.DataFrame(
        {
            "id": np.arange(1, n_accounts + 1),
            "name": [f"Account {i}" for i in range(1, n_accounts + 1)],
            "status": rng.choice(["prospect", "customer"], n_accounts, p=[0.66, 0.34]),
            "tier": rng.choice(["A", "B", "C"], n_accounts, p=[0.2, 0.3, 0.5]),
            "time_zone": rng.choice(ZONES, n_accounts),
            "owner_id": rng.integers(1, REPS + 1, n_accounts),
            "source": "bench",
            "created_at": stamp(rng.integers(30 * 86400, 2 * year, n_accounts)),
        }
    )
    n_deals = n_accounts * 3 // 2
    open_ids = [s[0] for s in stages if s[1] == "open"]
    closed_ids = [s[0] for s in stages if s[1] != "open"]
    deal_account = rng.integers(1, n_accounts + 1, n_deals)
    deals = pd.DataFrame(
        {
            "id": np.arange(1, n_deals + 1),
            "name": [f"Deal {i}" for i in range(1, n_deals + 1)],
            "account_id": deal_account,
            "owner_id": accounts["owner_id"].to_numpy()[deal_account - 1],
            "pipeline_id": stages[0][2],
            "stage_id": np.where(
                rng.random(n_deals) < 0.4,
                rng.choice(open_ids, n_deals),
                rng.choice(closed_ids, n_deals),
            ),
            "amount": np.round(rng.uniform(500, 50_000, n_deals), 2),
            "currency": "USD",
            "is_repeat": False,
            "source": "bench",
            "created_at": stamp(rng.integers(0, year, n_deals)),
        }
    )
    kinds = np.array(["call", "email", "meeting", "visit", "task"])
    kind = rng.choice(kinds, n_activities, p=[0.4, 0.3, 0.12, 0.08, 0.1])
    outcome = np.select(
        [kind == "call", kind == "email", kind == "task"],
        [
            rng.choice(["connected", "voicemail", "no_answer"], n_activities),
            rng.choice(["sent", "replied"], n_activities, p=[0.85, 0.15]),
            "completed",
        ],
        "held",
    )
    act_deal = rng.integers(1, n_deals + 1, n_activities)
    on_deal = rng.random(n_activities) < 0.7
    act_account = np.where(
        on_deal, deal_account[act_deal - 1], rng.integers(1, n_accounts + 1, n_activities)
    )
    # Activity ages skew recent (exponential, mean 90 days), so some deals and customers stall.
    age = np.minimum(rng.exponential(90 * 86400, n_activities), year).astype(np.int64)
    done_at = stamp(age)
    activities = pd.DataFrame(
        {
            "type_id": np.vectorize(types.__getitem__)(kind),
            "direction": "outbound",
            "status": "done",
            "outcome": outcome,
            "owner_id": accounts["owner_id"].to_numpy()[act_account - 1],
            "account_id": act_account,
            "deal_id": pd.array(np.where(on_deal, act_deal, 0), dtype="Int64").astype("Int64"),
            "started_at": done_at,
            "completed_at": done_at,
            "source": "bench",
        }
    )
    activities.loc[~on_deal, "deal_id"] = pd.NA
    for name, frame in (
        ("users", users),
        ("accounts", accounts),
        ("deals", deals),
        ("activities", activities),
    ):
        bulk_insert(engine, name, frame)
    with engine.begin() as conn:  # statistics, as autovacuum or a nightly ANALYZE would give
        conn.exec_driver_sql("ANALYZE")
    return {"accounts": n_accounts, "deals": n_deals, "activities": n_activities}


def define_rules(uow: UnitOfWork) -> None:
    rules = [
        {
            "name": "Stalled deals",
            "kind": "stalled",
            "idle_days": STALLED_DAYS,
            "plan_type": "task",
        },
        {
            "name": "Tier A every 30 days",
            "kind": "nurture",
            "on_tier": "A",
            "idle_days": TIER_A_DAYS,
            "plan_type": "call",
            "plan_purpose": "nurture",
        },
        {
            "name": "Tier B every 60 days",
            "kind": "nurture",
            "on_tier": "B",
            "idle_days": TIER_B_DAYS,
            "plan_type": "call",
            "plan_purpose": "nurture",
        },
        {
            "name": "E-mail after a connected call",
            "kind": "follow_up",
            "on_type": "call",
            "on_outcome": "connected",
            "plan_type": "email",
            "delay_days": 1,
        },
    ]
    for rule in rules:
        create_rule(uow, SYSTEM, **rule)


LAST_TOUCH = """
    SELECT a.{link} AS link_id, MAX(a.completed_at) AS last_at
    FROM activities a JOIN activity_types t ON t.id = a.type_id
    WHERE a.status = 'done' AND t.category = 'selling' AND a.{link} IS NOT NULL
    GROUP BY a.{link}
"""
PLAIN = {
    "Stalled deals": f"""
        SELECT d.id FROM deals d JOIN stages s ON s.id = d.stage_id
        LEFT JOIN ({LAST_TOUCH.format(link="deal_id")}) x ON x.link_id = d.id
        WHERE s.kind = 'open' AND d.owner_id IS NOT NULL
          AND COALESCE(x.last_at, d.created_at) <= :stalled""",
    "Tier A every 30 days": f"""
        SELECT c.id FROM accounts c
        LEFT JOIN ({LAST_TOUCH.format(link="account_id")}) x ON x.link_id = c.id
        WHERE c.status = 'customer' AND c.tier = 'A' AND c.owner_id IS NOT NULL
          AND COALESCE(x.last_at, c.created_at) <= :tier_a""",
    "Tier B every 60 days": f"""
        SELECT c.id FROM accounts c
        LEFT JOIN ({LAST_TOUCH.format(link="account_id")}) x ON x.link_id = c.id
        WHERE c.status = 'customer' AND c.tier = 'B' AND c.owner_id IS NOT NULL
          AND COALESCE(x.last_at, c.created_at) <= :tier_b""",
    "E-mail after a connected call": """
        SELECT a.id FROM activities a JOIN activity_types t ON t.id = a.type_id
        WHERE t.key = 'call' AND a.outcome = 'connected' AND a.status = 'done'
          AND a.completed_at >= :since AND a.completed_at <= :now
          AND a.source NOT IN ('import', 'simulation')""",
}


def plain_sql(engine: Engine) -> tuple[dict[str, set[int]], float]:
    """The due items of each rule by hand-written SQL: ids of deals, accounts, activities."""
    params = {
        "stalled": NOW - timedelta(days=STALLED_DAYS),
        "tier_a": NOW - timedelta(days=TIER_A_DAYS),
        "tier_b": NOW - timedelta(days=TIER_B_DAYS),
        "since": NOW - timedelta(days=LOOKBACK_DAYS),
        "now": NOW,
    }
    found = {}
    started = time.perf_counter()
    with engine.connect() as conn:
        for name, sql in PLAIN.items():
            used = {k: v for k, v in params.items() if f":{k}" in sql}
            stmt = text(sql).bindparams(*(bindparam(k, type_=UTCDateTime()) for k in used))
            found[name] = {int(row[0]) for row in conn.execute(stmt, used)}
    return found, time.perf_counter() - started


def planned_by_rule(engine: Engine) -> dict[str, set[int]]:
    """What run_rules planned, as the ids in each key (``kind:rule:entity:id[:since]``)."""
    with engine.connect() as conn:
        names = dict(conn.execute(select(AutomationRule.id, AutomationRule.name)).all())
        keys = conn.execute(select(Activity.external_id).where(Activity.source == "rule")).scalars()
        planned: dict[str, set[int]] = {}
        for key in keys:
            parts = str(key).split(":")
            planned.setdefault(names[int(parts[1])], set()).add(int(parts[3]))
    return planned


def bench_route(n: int = 30, seed: int = 3) -> None:
    rng = random.Random(seed)
    office = (48.137, 11.575)
    hour = 3600
    stops = [
        routes.Stop(
            i,
            (office[0] + rng.uniform(-0.08, 0.08), office[1] + rng.uniform(-0.12, 0.12)),
            rng.choice((600, 900)),
            rng.choice(
                (((0, 10 * hour),), ((0, 10 * hour),), ((0, 5 * hour),), ((4 * hour, 10 * hour),))
            ),
        )
        for i in range(n)
    ]
    started = time.perf_counter()
    plan = routes.plan_route(office, office, stops, 10 * hour, time_limit_s=2.0)
    seconds = time.perf_counter() - started
    print(
        f"route, {n} visits: {seconds:.2f} s (2.0 s search limit); served {len(plan.visits)} "
        f"(nearest neighbour {plan.baseline_visits}), travel {plan.travel_s / 60:.0f} min "
        f"(nearest neighbour {(plan.baseline_travel_s or 0) / 60:.0f} min)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(args.db or f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            init_store(engine)
            clock = FixedClock(NOW - timedelta(days=30))
            uow = UnitOfWork(engine, clock)
            define_rules(uow)
            clock.advance(timedelta(days=30))
            started = time.perf_counter()
            counts = load(engine, args.activities, args.accounts)
            print(
                f"loaded {counts} in {time.perf_counter() - started:.1f} s ({engine.dialect.name})"
            )
            # Best of two runs each, so neither pays alone for a cold page cache.
            plain, plain_s = min((plain_sql(engine) for _ in range(2)), key=lambda r: r[1])
            dry = min(
                (
                    run_rules(uow, dry_run=True, lookback=timedelta(days=LOOKBACK_DAYS))
                    for _ in range(2)
                ),
                key=lambda r: r.seconds,
            )
            assert {name: dry.due[name] for name in plain} == {k: len(v) for k, v in plain.items()}
            print(f"due items: { {k: len(v) for k, v in plain.items()} }")
            print(f"plain SQL selecting them (best of 2): {plain_s:7.2f} s")
            print(
                f"rule evaluation, dry run (best of 2): {dry.seconds:7.2f} s "
                f"= {dry.seconds / plain_s:.1f}x the plain query"
            )
            real = run_rules(uow, lookback=timedelta(days=LOOKBACK_DAYS))
            assert planned_by_rule(engine) == plain, "run_rules and plain SQL disagree"
            print("planned items are exactly the plain query's items: yes")
            print(
                f"run_rules planning {real.total_planned} activities (with audit): "
                f"{real.seconds:7.2f} s"
            )
            again = run_rules(uow, lookback=timedelta(days=LOOKBACK_DAYS))
            assert again.total_planned == 0
            print(f"second run: planned {again.total_planned} in {again.seconds:.2f} s")
        finally:
            engine.dispose()
    bench_route()


if __name__ == "__main__":
    main()
