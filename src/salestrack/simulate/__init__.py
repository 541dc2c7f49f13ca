"""A synthetic sales org with planted effects: demo data, benchmarks and the ground truth the
analytics must recover (DESIGN.md section 4)."""

from salestrack.simulate.export import write_activity_import, write_csv, write_ground_truth
from salestrack.simulate.generator import TABLE_ORDER, SimulatedOrg, simulate
from salestrack.simulate.params import CURRENCY, PlantedEffects, SimulationParams

__all__ = [
    "CURRENCY",
    "TABLE_ORDER",
    "PlantedEffects",
    "SimulatedOrg",
    "SimulationParams",
    "simulate",
    "write_activity_import",
    "write_csv",
    "write_ground_truth",
]
