"""Bring a store to a usable state: migrations, the default pipeline and activity types."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Engine

from salestrack.automation.events import seed_event_rule
from salestrack.domain.actor import SYSTEM
from salestrack.domain.vocab import DEFAULT_ACTIVITY_TYPES, DEFAULT_PIPELINE, DEFAULT_STAGES
from salestrack.store import migrate
from salestrack.store.models import ActivityType, Pipeline, Stage
from salestrack.store.uow import UnitOfWork


def init_store(engine: Engine, uow: UnitOfWork | None = None) -> list[str]:
    """Apply pending migrations and seed defaults; safe to run again. Returns what it did."""
    done = []
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    if before != after:
        done.append(f"migrated {before or 'empty store'} -> {after}")
    done.extend(seed_defaults(uow or UnitOfWork(engine)))
    return done


def seed_defaults(uow: UnitOfWork) -> list[str]:
    """Create the default pipeline, stages, activity types and event rule when missing."""
    done = []
    with uow(SYSTEM, "setup.seed"):
        pipeline = uow.pipelines.find_one(name=DEFAULT_PIPELINE)
        if pipeline is None:
            pipeline = uow.pipelines.add(Pipeline(name=DEFAULT_PIPELINE))
            for position, spec in enumerate(DEFAULT_STAGES, start=1):
                uow.stages.add(
                    Stage(
                        pipeline_id=pipeline.id,
                        name=spec.name,
                        position=position,
                        kind=spec.kind.value,
                        probability=Decimal(spec.probability),
                    )
                )
            done.append(f"created pipeline {DEFAULT_PIPELINE} with {len(DEFAULT_STAGES)} stages")
        for kind in DEFAULT_ACTIVITY_TYPES:
            if uow.activity_types.find_one(key=kind.key) is None:
                uow.activity_types.add(
                    ActivityType(
                        key=kind.key,
                        label=kind.label,
                        category=kind.category.value,
                        outcomes=list(kind.outcomes),
                        has_result=kind.has_result,
                        is_active=True,
                    )
                )
                done.append(f"created activity type {kind.key}")
        done.extend(seed_event_rule(uow))
        uow.commit()
    return done
