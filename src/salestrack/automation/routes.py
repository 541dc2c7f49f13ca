"""Field routes: order a day of visits with OR-Tools, inside every account's opening hours.

The model is a single-vehicle routing problem with time windows: start at home or the office,
visit each account within its opening hours and stay ``service_s`` there, end at home or the
office before the day ends. Travel times come from a pluggable matrix function (default:
great-circle distance times a detour factor, at an average speed); a road-network matrix
(OSRM, Valhalla, a CSV) plugs in with the same signature.

The solver starts from the nearest-neighbour tour and improves it with guided local search,
so its plan is never longer than that baseline; visits that cannot fit are dropped (reported,
never silently squeezed) rather than making the whole day infeasible.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

EARTH_RADIUS_KM = 6371.0088
DROP_PENALTY = 10_000_000  # seconds-equivalent: serving a visit always beats saving travel

Point = tuple[float, float]  # (latitude, longitude) in degrees
TravelMatrix = Callable[[Sequence[Point]], np.ndarray]


@dataclass(frozen=True)
class Stop:
    """A visit to make: where, how long, and when it may start (seconds from day start)."""

    key: int
    point: Point
    service_s: int
    windows: tuple[tuple[int, int], ...]  # each (open, close); the visit must end by close


@dataclass(frozen=True)
class Visit:
    key: int
    arrive_s: int  # when the rep gets there
    start_s: int  # when the visit starts (later than arrival if the door is still closed)
    end_s: int


@dataclass
class RoutePlan:
    visits: list[Visit]
    dropped: list[int]
    travel_s: int
    finish_s: int
    baseline_travel_s: int | None = None
    baseline_visits: int | None = None
    notes: list[str] = field(default_factory=list)


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def haversine_matrix(speed_kmh: float = 40.0, detour: float = 1.3) -> TravelMatrix:
    """Travel seconds between all points: straight-line distance x detour / average speed."""
    if speed_kmh <= 0 or detour < 1:
        raise ValueError("speed must be positive and the detour factor at least 1")

    def matrix(points: Sequence[Point]) -> np.ndarray:
        lat = np.radians([p[0] for p in points])[:, None]
        lon = np.radians([p[1] for p in points])[:, None]
        h = (
            np.sin((lat.T - lat) / 2) ** 2
            + np.cos(lat) * np.cos(lat.T) * np.sin((lon.T - lon) / 2) ** 2
        )
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
        seconds: np.ndarray = np.rint(km * detour / speed_kmh * 3600).astype(np.int64)
        return seconds

    return matrix


def _latest_start(window: tuple[int, int], service_s: int) -> int:
    return window[1] - service_s


def _earliest_start(stop: Stop, arrive: int) -> int | None:
    """When a visit arriving at ``arrive`` can start, or None if every window is missed."""
    for window in sorted(stop.windows):
        start = max(arrive, window[0])
        if start <= _latest_start(window, stop.service_s):
            return start
    return None


def nearest_neighbour(stops: Sequence[Stop], travel: np.ndarray, day_s: int) -> list[int]:
    """Baseline tour (indices into ``stops``): always drive to the nearest visit still doable."""
    n = len(stops)
    end = n + 1
    here, now, tour = 0, 0, []
    left = set(range(n))
    while left:
        best: tuple[int, int, int] | None = None
        for i in sorted(left):
            node = i + 1
            start = _earliest_start(stops[i], now + int(travel[here, node]))
            if start is None or start + stops[i].service_s + travel[node, end] > day_s:
                continue
            if best is None or travel[here, node] < best[0]:
                best = (int(travel[here, node]), i, start)
        if best is None:
            break
        _, i, start = best
        tour.append(i)
        left.discard(i)
        here, now = i + 1, start + stops[i].service_s
    return tour


def schedule(
    order: Sequence[int], stops: Sequence[Stop], travel: np.ndarray
) -> tuple[list[Visit], int, int]:
    """Arrival and start times along a fixed order; returns visits, travel and finish time."""
    visits, here, now, driven = [], 0, 0, 0
    for i in order:
        node = i + 1
        arrive = now + int(travel[here, node])
        start = _earliest_start(stops[i], arrive)
        if start is None:
            raise ValueError(f"visit {stops[i].key} cannot be reached within its windows")
        driven += int(travel[here, node])
        visits.append(Visit(stops[i].key, arrive, start, start + stops[i].service_s))
        here, now = node, start + stops[i].service_s
    end = len(stops) + 1
    driven += int(travel[here, end])
    return visits, driven, now + int(travel[here, end])


def plan_route(
    start: Point,
    end: Point,
    stops: Sequence[Stop],
    day_s: int,
    *,
    matrix: TravelMatrix | None = None,
    time_limit_s: float = 2.0,
) -> RoutePlan:
    """The visit order with times; ``day_s`` is the length of the working day in seconds."""
    points = [start, *(s.point for s in stops), end]
    travel = np.asarray((matrix or haversine_matrix())(points), dtype=np.int64)
    baseline = nearest_neighbour(stops, travel, day_s)
    base_visits, base_travel, _ = schedule(baseline, stops, travel)
    order = _solve(stops, travel, day_s, baseline, time_limit_s)
    visits, driven, finish = schedule(order, stops, travel)
    if len(order) < len(baseline) or (len(order) == len(baseline) and driven > base_travel):
        visits, driven, finish = base_visits, base_travel, schedule(baseline, stops, travel)[2]
        order = baseline
    served = set(order)
    return RoutePlan(
        visits=visits,
        dropped=[s.key for i, s in enumerate(stops) if i not in served],
        travel_s=driven,
        finish_s=finish,
        baseline_travel_s=base_travel,
        baseline_visits=len(baseline),
    )


def _solve(
    stops: Sequence[Stop],
    travel: np.ndarray,
    day_s: int,
    initial: Sequence[int],
    time_limit_s: float,
) -> list[int]:
    n = len(stops)
    if n == 0:
        return []
    manager = pywrapcp.RoutingIndexManager(n + 2, 1, [0], [n + 1])
    routing = pywrapcp.RoutingModel(manager)
    service = [0, *(s.service_s for s in stops), 0]
    cost = travel.tolist()

    def drive(i: int, j: int) -> int:
        return int(cost[manager.IndexToNode(i)][manager.IndexToNode(j)])

    def busy(i: int, j: int) -> int:
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return int(service[a] + cost[a][b])

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(drive))
    routing.AddDimension(routing.RegisterTransitCallback(busy), day_s, day_s, False, "time")
    clock = routing.GetDimensionOrDie("time")
    clock.CumulVar(routing.Start(0)).SetValue(0)
    for i, stop in enumerate(stops):
        index = manager.NodeToIndex(i + 1)
        spans = sorted((w[0], _latest_start(w, stop.service_s)) for w in stop.windows)
        spans = [(max(0, a), min(day_s, b)) for a, b in spans if a <= b and a <= day_s]
        if not spans:
            routing.AddDisjunction([index], 0)  # cannot be visited today at all
            clock.CumulVar(index).SetRange(0, 0)
            continue
        cumul = clock.CumulVar(index)
        cumul.SetRange(spans[0][0], spans[-1][1])
        for (_, close), (opening, _) in pairwise(spans):
            if opening > close + 1:
                cumul.RemoveInterval(close + 1, opening - 1)
        routing.AddDisjunction([index], DROP_PENALTY)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    routing.CloseModelWithParameters(params)
    seed = routing.ReadAssignmentFromRoutes([[i + 1 for i in initial]], True)
    solution = (
        routing.SolveFromAssignmentWithParameters(seed, params)
        if seed is not None
        else routing.SolveWithParameters(params)
    )
    if solution is None:
        return list(initial)
    order, index = [], routing.Start(0)
    while not routing.IsEnd(index):
        node = manager.IndexToNode(index)
        if 0 < node <= n:
            order.append(node - 1)
        index = solution.Value(routing.NextVar(index))
    return order
