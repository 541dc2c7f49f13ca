"""The registry: every metric of DESIGN.md section 3, by area, in declaration order.

Docs (``docs/metrics.md``), ``salestrack metrics --list``, the API and the dashboards all read
this one object.
"""

from __future__ import annotations

from types import ModuleType

from salestrack.analytics.metrics import (
    goals,
    leaderboards,
    outcomes,
    pipeline,
    prospecting,
    relationships,
    satisfaction,
    volume,
)
from salestrack.analytics.metrics.core import Registry

AREAS: tuple[ModuleType, ...] = (
    volume,
    outcomes,
    prospecting,
    goals,
    pipeline,
    relationships,
    satisfaction,
    leaderboards,
)


def build_registry() -> Registry:
    registry = Registry()
    for module in AREAS:
        for metric in module.METRICS:
            registry.add(metric, module.AREA)
    return registry


REGISTRY = build_registry()
