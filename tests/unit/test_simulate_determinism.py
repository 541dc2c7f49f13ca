"""The simulator is a pure function of its params: same seed, same org; other seed, other org."""

from __future__ import annotations

import pandas as pd
import pytest

from salestrack.simulate import SimulatedOrg, SimulationParams, simulate


def _small(seed: int) -> SimulatedOrg:
    return simulate(SimulationParams(seed=seed, reps=6, months=4, activities_per_rep_month=120))


@pytest.fixture(scope="module")
def pair() -> tuple[SimulatedOrg, SimulatedOrg]:
    return _small(5), _small(5)


def test_same_seed_gives_identical_frames(pair: tuple[SimulatedOrg, SimulatedOrg]) -> None:
    first, second = pair
    assert first.tables.keys() == second.tables.keys()
    for name, frame in first.tables.items():
        pd.testing.assert_frame_equal(frame, second.tables[name], obj=name)


def test_same_seed_gives_identical_ground_truth(pair: tuple[SimulatedOrg, SimulatedOrg]) -> None:
    assert pair[0].ground_truth == pair[1].ground_truth


def test_other_seed_gives_other_org(pair: tuple[SimulatedOrg, SimulatedOrg]) -> None:
    other = _small(6)
    base = pair[0]
    assert not base.tables["activities"]["started_at"].equals(
        other.tables["activities"]["started_at"]
    )
    assert not base.tables["deals"]["amount"].equals(other.tables["deals"]["amount"])
    assert base.ground_truth["rep_skill"] != other.ground_truth["rep_skill"]


def test_activity_target_is_met_exactly() -> None:
    params = SimulationParams.for_activities(50_000, reps=6, months=3)
    assert len(simulate(params).tables["activities"]) == 50_000
