"""Timing experiments: variants of a cadence, balanced assignment, results with a stop rule.

A variant changes *when* steps happen, e.g. ``{"1": {"at_local": "16:00"}}`` (first step at
16:00 local instead of the cadence's time) or ``{"2": {"delay_days": 3}}`` (second step three
working days after the first instead of one).

Assignment is **blocked randomisation within strata** (the stratum is the owning rep by
default, so every rep's prospects are split evenly): the n-th enrolment of a stratum takes
place ``n mod B`` in a block of ``B = variants x per_block`` slots whose order is a shuffle
seeded by a hash of (experiment, stratum, block number). That is deterministic (same inputs,
same variant; no state but the counter), unpredictable to the rep, and balanced to within
``per_block`` units per stratum at any moment, which a plain hash of the unit cannot promise.
A unit enrolled again keeps the variant it had (looked up by its unit key), so assignment is
stable for the unit.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select

from salestrack.automation import business_time as bt
from salestrack.automation import experiment_stats as es
from salestrack.domain import rules as checks
from salestrack.domain.actor import Actor
from salestrack.errors import Conflict, NotFound, ValidationFailed
from salestrack.services.permissions import require_manager
from salestrack.store.models import Activity, ActivityType, Cadence, Enrollment, Experiment
from salestrack.store.uow import UnitOfWork

METRICS = ("replied", "meeting_booked", "connected")
UNITS = ("lead", "contact", "deal")
STEP_OVERRIDES = {"at_local", "delay_days"}


def assign_variant(
    experiment: str, variants: Sequence[str], stratum: str, sequence: int, per_block: int = 2
) -> str:
    """The variant of the ``sequence``-th (0-based) enrolment of ``stratum``; a pure function."""
    if not variants:
        raise ValueError("an experiment needs variants")
    block, slot = divmod(sequence, len(variants) * per_block)
    seed = hashlib.sha256(f"{experiment}\x1f{stratum}\x1f{block}".encode()).digest()
    order = [v for v in variants for _ in range(per_block)]
    random.Random(int.from_bytes(seed[:8], "big")).shuffle(order)
    return order[slot]


def _check_variants(variants: Mapping[str, Any], steps: int) -> dict[str, dict[str, Any]]:
    if len(variants) < 2:
        raise ValidationFailed("variants", "an experiment needs at least two variants")
    clean: dict[str, dict[str, Any]] = {}
    for name, overrides in variants.items():
        checks.require_text("variants", name, max_len=32)
        clean[name] = {}
        for position, change in (overrides or {}).items():
            if not str(position).isdecimal() or not 1 <= int(position) <= steps:
                raise ValidationFailed(
                    "variants", f"{name}: step {position!r} is not in 1..{steps}"
                )
            unknown = set(change) - STEP_OVERRIDES
            if unknown:
                raise ValidationFailed("variants", f"{name}: cannot change {sorted(unknown)[0]!r}")
            if "at_local" in change:
                bt.parse_hhmm("variants", change["at_local"])
            if "delay_days" in change and not 0 <= int(change["delay_days"]) <= 365:
                raise ValidationFailed("variants", f"{name}: delay_days must be 0 to 365")
            clean[name][str(int(position))] = dict(change)
    return clean


def create_experiment(
    uow: UnitOfWork,
    actor: Actor,
    *,
    name: str,
    cadence: str,
    variants: Mapping[str, Mapping[str, Any]],
    metric: str = "replied",
    unit: str = "lead",
    alpha: float = 0.05,
    tau: float = 0.05,
    max_per_arm: int | None = None,
    per_block: int = 2,
) -> Experiment:
    """Start an experiment on a cadence; the first variant named is the control."""
    require_manager(actor, "start an experiment")
    with uow(actor, "experiment.created"):
        target = uow.cadences.find_one(name=cadence)
        if target is None:
            raise ValidationFailed("cadence", f"{cadence!r} is not a cadence")
        if uow.experiments.find_one(name=name) is not None:
            raise Conflict(f"an experiment named {name!r} already exists")
        running = uow.experiments.find_one(cadence_id=target.id, status="running")
        if running is not None:
            raise Conflict(f"cadence {cadence!r} already runs experiment {running.name!r}")
        if not 0 < alpha < 0.5 or tau <= 0 or per_block < 1:
            raise ValidationFailed("alpha", "alpha must be in (0, 0.5), tau and per_block > 0")
        steps = uow.cadence_steps.count(cadence_id=target.id)
        clean = _check_variants(variants, steps)
        experiment = uow.experiments.add(
            Experiment(
                name=checks.require_text("name", name, max_len=200),
                cadence_id=target.id,
                unit=checks.choice("unit", unit, UNITS),
                metric=checks.choice("metric", metric, METRICS),
                variants=list(clean),
                status="running",
                started_at=uow.clock.now(),
                params={
                    "overrides": clean,
                    "alpha": alpha,
                    "tau": tau,
                    "max_per_arm": max_per_arm,
                    "per_block": per_block,
                },
            )
        )
        uow.commit()
    return experiment


def stop_experiment(uow: UnitOfWork, actor: Actor, experiment_id: int | str) -> Experiment:
    """Stop assigning; enrolments keep their variant and results stay readable."""
    require_manager(actor, "stop an experiment")
    with uow(actor, "experiment.stopped"):
        experiment = _find(uow, experiment_id)
        if experiment.status != "running":
            raise ValidationFailed(
                "status", f"only a running experiment can be stopped; it is {experiment.status}"
            )
        experiment.status = "stopped"
        experiment.stopped_at = uow.clock.now()
        uow.commit()
    return experiment


def _find(uow: UnitOfWork, key: int | str) -> Experiment:
    """An experiment by id (the API) or by name (the CLI)."""
    if isinstance(key, int):
        return uow.experiments.get_visible(key)
    found = uow.experiments.find_one(name=key)
    if found is None:
        raise NotFound("experiment", key)
    return found


def running_for(uow: UnitOfWork, cadence: Cadence) -> Experiment | None:
    return uow.experiments.find_one(cadence_id=cadence.id, status="running")


def choose_variant(uow: UnitOfWork, experiment: Experiment, unit_key: str, stratum: str) -> str:
    """Inside a transaction: the unit's earlier variant, else the next blocked slot."""
    earlier = uow.session.scalar(
        select(Enrollment.variant)
        .where(Enrollment.experiment_id == experiment.id, Enrollment.unit_key == unit_key)
        .limit(1)
    )
    if earlier is not None:
        return earlier
    sequence = uow.session.scalar(
        select(func.count()).where(
            Enrollment.experiment_id == experiment.id, Enrollment.stratum == stratum
        )
    )
    per_block = int(experiment.params.get("per_block", 2))
    return assign_variant(experiment.name, experiment.variants, stratum, sequence or 0, per_block)


def overrides(experiment: Experiment | None, variant: str | None, position: int) -> dict[str, Any]:
    """What a variant changes about one step (empty for the control or no experiment)."""
    if experiment is None or variant is None:
        return {}
    table: dict[str, Any] = experiment.params.get("overrides", {}).get(variant, {})
    return dict(table.get(str(position), {}))


# ----------------------------------------------------------------------------- results


def _converted_at(experiment: Experiment) -> Any:
    """SQL: when an enrolment first converted on the experiment's metric (or NULL)."""
    link = {"lead": Activity.lead_id, "contact": Activity.contact_id, "deal": Activity.deal_id}[
        experiment.unit
    ]
    unit = {
        "lead": Enrollment.lead_id,
        "contact": Enrollment.contact_id,
        "deal": Enrollment.deal_id,
    }[experiment.unit]
    when = func.coalesce(Activity.completed_at, Activity.created_at)
    stmt = select(func.min(when)).where(link == unit, when >= Enrollment.enrolled_at)
    if experiment.metric == "replied":
        stmt = stmt.where(Activity.outcome == "replied")
    elif experiment.metric == "connected":
        stmt = stmt.where(Activity.outcome == "connected")
    else:
        meeting = select(ActivityType.id).where(ActivityType.key.in_(("meeting", "demo")))
        stmt = stmt.where(Activity.type_id.in_(meeting), Activity.status != "cancelled")
    return stmt.scalar_subquery()


@dataclass(frozen=True)
class VariantResult:
    name: str
    arm: es.Arm
    interval: tuple[float, float]


@dataclass(frozen=True)
class ExperimentResult:
    """Per-variant conversion with intervals; each treatment compared with the control."""

    name: str
    metric: str
    status: str
    variants: list[VariantResult]
    comparisons: dict[str, es.Comparison]
    looks: int


def experiment_results(uow: UnitOfWork, actor: Actor, experiment_id: int | str) -> ExperimentResult:
    """Results now, with daily looks since the start feeding the always-valid p-value."""
    with uow(actor, "experiment.read"):
        experiment = _find(uow, experiment_id)
        rows = uow.session.execute(
            select(Enrollment.variant, Enrollment.enrolled_at, _converted_at(experiment)).where(
                Enrollment.experiment_id == experiment.id
            )
        ).all()
        now = uow.clock.now()
    params = experiment.params
    start = experiment.started_at or now
    days = max(1, (now - start).days + 1)
    looks_at = [min(now, start + timedelta(days=d + 1)) for d in range(days)]
    arms_by_look = {v: _cumulative(rows, v, looks_at) for v in experiment.variants}
    control = experiment.variants[0]
    results = [
        VariantResult(v, arms_by_look[v][-1], es.wilson(arms_by_look[v][-1], 1 - params["alpha"]))
        for v in experiment.variants
    ]
    comparisons = {
        v: es.compare(
            list(zip(arms_by_look[control], arms_by_look[v], strict=True)),
            alpha=params["alpha"],
            tau=params["tau"],
            max_per_arm=params.get("max_per_arm"),
        )
        for v in experiment.variants[1:]
    }
    return ExperimentResult(
        experiment.name, experiment.metric, experiment.status, results, comparisons, days
    )


def _cumulative(rows: Sequence[Any], variant: str, looks_at: list[datetime]) -> list[es.Arm]:
    """Counts of one variant as they stood at each look (enrolled by then, converted by then)."""
    enrolled = np.array(sorted(r[1].timestamp() for r in rows if r[0] == variant), dtype=float)
    converted = np.array(
        sorted(r[2].timestamp() for r in rows if r[0] == variant and r[2] is not None),
        dtype=float,
    )
    marks = np.array([t.timestamp() for t in looks_at])
    n = np.searchsorted(enrolled, marks, side="right")
    k = np.searchsorted(converted, marks, side="right")
    return [es.Arm(int(a), int(min(a, b))) for a, b in zip(n, k, strict=True)]
