"""The same registry on Spark (local mode, over the Parquet export) answers as DuckDB does.

Slow (a JVM starts), so marked; CI runs it. Needs Java 17+ on the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from salestrack.analytics.metrics import REGISTRY, compute
from salestrack.analytics.parquet import export_parquet
from salestrack.analytics.scope import Scope
from salestrack.analytics.sources import Source, open_warehouse, spark_source
from salestrack.domain.actor import SYSTEM, Actor
from tests import golden_org
from tests.golden_org import END, NOW, NY, START

pytestmark = [
    pytest.mark.slow,
    # PySpark 4.0's toPandas passes pandas 3 a deprecated ``copy=`` argument: not our code.
    pytest.mark.filterwarnings(
        "ignore:The copy keyword is deprecated:pandas.errors.Pandas4Warning"
    ),
    # Ibis's PySpark backend converts through pandas and reads an option pandas 3 deprecates.
    pytest.mark.filterwarnings(
        "ignore:The 'future.infer_string' option is deprecated:pandas.errors.Pandas4Warning"
    ),
    # py4j leaves its gateway sockets to the garbage collector when the session stops.
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
    ),
]
WINDOW = {"start": START, "end": END, "tz": NY, "now": NOW}
PLAIN = [m.name for m in REGISTRY if m.runner is None]
# Each Spark query over the whole registry costs seconds on a small machine, so two requests
# cover it: every metric per rep as the admin, and every period-able metric per team and week
# as a manager (scope, time zones and the spine on Spark).
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("admin", {"by": ["rep"]}),
    ("mia", {"by": ["team"], "period": "week"}),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pyspark_sql = pytest.importorskip("pyspark.sql")
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("salestrack-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.showConsoleProgress", "false")
        # Tiny data, huge plans: compiling generated code costs more than it saves here.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _answers(source: Source, actors: dict[str, Actor]) -> list[pd.DataFrame]:
    frames = []
    for who, request in REQUESTS:
        scope = Scope(actors[who], source)
        dims = set(request.get("by", [])) | ({"period"} if "period" in request else set())
        names = [n for n in PLAIN if dims <= REGISTRY[n].dims]
        frame = compute(names, scope, **request, **WINDOW).frame  # type: ignore[arg-type]
        keys = [c for c in frame.columns if c not in names]
        frames.append(frame.sort_values(keys, na_position="first").reset_index(drop=True))
    goals = compute("goal_attainment", Scope(actors["mia"], source), now=NOW).frame
    frames.append(goals.drop(columns=["period_start", "period_end"]))
    return frames


def test_duckdb_and_spark_agree_on_every_metric(tmp_path: Path, spark: Any) -> None:
    org = golden_org.build(tmp_path)
    org.engine.dispose()
    export_parquet(org.warehouse, tmp_path / "parquet")
    actors = {**org.actors, "admin": SYSTEM}
    with open_warehouse(org.warehouse) as duck:
        expected = _answers(duck, actors)
    on_spark = spark_source(spark, tmp_path / "parquet")
    got = _answers(on_spark, actors)
    assert on_spark.as_of() is not None
    covered = {c for frame in expected[:1] for c in frame.columns}
    assert covered >= set(PLAIN)  # the whole registry is compared
    for want, have in zip(expected, got, strict=True):
        assert not want.empty
        pd.testing.assert_frame_equal(
            have.astype("float64", errors="ignore"),
            want.astype("float64", errors="ignore"),
            check_dtype=False,
            check_exact=False,
            rtol=1e-9,
        )
