"""Time ``simulate`` for 10,000,000 activities (DESIGN.md section 4: "10 million in seconds")."""

from __future__ import annotations

import resource
import sys
import time

from salestrack.simulate import SimulationParams, simulate

ACTIVITIES = 10_000_000


def main(activities: int = ACTIVITIES) -> float:
    params = SimulationParams.for_activities(activities)
    started = time.perf_counter()
    org = simulate(params)
    seconds = time.perf_counter() - started
    n = len(org.tables["activities"])
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(
        f"simulate: {n:,} activities in {seconds:.1f} s "
        f"({n / seconds:,.0f} activities/s, peak RSS {peak_gb:.1f} GB)"
    )
    return seconds


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else ACTIVITIES)
