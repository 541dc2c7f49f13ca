"""Route plans respect every opening window and are never longer than nearest neighbour."""

from __future__ import annotations

import random

import numpy as np
import pytest

from salestrack.automation import routes

HOUR = 3600
OFFICE = (48.137, 11.575)  # Munich


def _check_windows(plan: routes.RoutePlan, stops: list[routes.Stop], day_s: int) -> None:
    by_key = {s.key: s for s in stops}
    for visit in plan.visits:
        stop = by_key[visit.key]
        assert visit.arrive_s <= visit.start_s
        assert any(a <= visit.start_s and visit.end_s <= b for a, b in stop.windows), visit
    assert plan.finish_s <= day_s
    starts = [v.start_s for v in plan.visits]
    assert starts == sorted(starts)


def test_haversine_paris_london() -> None:
    # Paris (48.8566, 2.3522) to London (51.5074, -0.1278): 343.5 km great-circle.
    assert routes.haversine_km((48.8566, 2.3522), (51.5074, -0.1278)) == pytest.approx(343.5, abs=1)
    seconds = routes.haversine_matrix(speed_kmh=60, detour=1.0)([(0, 0), (0, 1)])
    assert seconds[0, 1] == pytest.approx(111.2 * 60, rel=0.01)  # 1 degree at 60 km/h


def test_windows_force_the_order() -> None:
    # B is far east but only open early; A is near but only open late: B must come first.
    a = routes.Stop(1, (48.14, 11.58), 1800, ((5 * HOUR, 9 * HOUR),))
    b = routes.Stop(2, (48.14, 11.80), 1800, ((0, 2 * HOUR),))
    plan = routes.plan_route(OFFICE, OFFICE, [a, b], 10 * HOUR, time_limit_s=0.2)
    assert [v.key for v in plan.visits] == [2, 1]
    assert plan.visits[1].start_s == 5 * HOUR  # waits for the door to open
    _check_windows(plan, [a, b], 10 * HOUR)


def test_impossible_visits_are_dropped_not_squeezed() -> None:
    closed = routes.Stop(1, (48.2, 11.6), 1800, ())
    too_short = routes.Stop(2, (48.2, 11.6), 3 * HOUR, ((0, 2 * HOUR),))
    fine = routes.Stop(3, (48.15, 11.6), 1800, ((0, 8 * HOUR),))
    plan = routes.plan_route(OFFICE, OFFICE, [closed, too_short, fine], 8 * HOUR, time_limit_s=0.2)
    assert [v.key for v in plan.visits] == [3]
    assert sorted(plan.dropped) == [1, 2]


def _instance(rng: random.Random, n: int) -> list[routes.Stop]:
    stops = []
    for key in range(n):
        point = (OFFICE[0] + rng.uniform(-0.25, 0.25), OFFICE[1] + rng.uniform(-0.35, 0.35))
        shape = rng.random()
        if shape < 0.4:
            windows: tuple[tuple[int, int], ...] = ((0, 10 * HOUR),)
        elif shape < 0.6:
            windows = ((0, 4 * HOUR),)
        elif shape < 0.8:
            windows = ((5 * HOUR, 10 * HOUR),)
        else:
            windows = ((1 * HOUR, 4 * HOUR), (5 * HOUR, 9 * HOUR))  # closed for lunch
        stops.append(routes.Stop(key, point, rng.choice((300, 600, 900)), windows))
    return stops


@pytest.mark.parametrize("n", [10, 20, 35, 60])
def test_generated_days_respect_windows_and_beat_nearest_neighbour(n: int) -> None:
    rng = random.Random(n)
    day_s = 10 * HOUR
    gains = []
    for _ in range(2):
        stops = _instance(rng, n)
        plan = routes.plan_route(OFFICE, OFFICE, stops, day_s, time_limit_s=0.4)
        _check_windows(plan, stops, day_s)
        assert len(plan.visits) + len(plan.dropped) == n
        assert plan.baseline_visits is not None and plan.baseline_travel_s is not None
        assert len(plan.visits) >= plan.baseline_visits
        if len(plan.visits) == plan.baseline_visits:
            assert plan.travel_s <= plan.baseline_travel_s
            gains.append(plan.baseline_travel_s - plan.travel_s)
        else:
            gains.append(1)  # more visits served is the bigger win
    assert max(gains) > 0  # the solver really improves on the baseline


def test_a_road_matrix_plugs_in() -> None:
    # A matrix where going 0 -> 2 -> 1 -> end is cheap and anything else is slow.
    def toll_roads(points: object) -> np.ndarray:
        slow = np.full((4, 4), 5000)
        np.fill_diagonal(slow, 0)
        slow[0, 2] = slow[2, 1] = slow[1, 3] = 60
        return slow

    stops = [
        routes.Stop(1, (0.0, 0.0), 60, ((0, 8 * HOUR),)),
        routes.Stop(2, (0.0, 0.0), 60, ((0, 8 * HOUR),)),
    ]
    plan = routes.plan_route((0, 0), (0, 0), stops, 8 * HOUR, matrix=toll_roads, time_limit_s=0.2)
    assert [v.key for v in plan.visits] == [2, 1]
    assert plan.travel_s == 180
