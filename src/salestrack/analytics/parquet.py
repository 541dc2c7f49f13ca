"""Export of the warehouse to Parquet, the hand-over format for Spark (DESIGN.md section 5).

Layout under the target directory: one folder per table (``accounts/``, ``deals/`` ...) with
Parquet files, and ``_sync_state/`` so readers know the "data as of" time. Activities, the one
table that grows without bound, are partitioned Hive-style by ``year=/month=`` of the moment the
activity happened (started, else due, else created), so Spark can prune by date.

The export is a consistent snapshot of the warehouse, rewritten whole each time: DuckDB writes
10 million rows in seconds, which keeps this simpler and safer than patching files in place.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from salestrack.analytics.warehouse import STATE_TABLE, Warehouse, synced_tables

ACTIVITY_MOMENT = "coalesce(started_at, due_at, created_at)"
PARTITIONS = ("year", "month")


def export_parquet(warehouse: Warehouse, directory: Path | str) -> list[str]:
    """Write every warehouse table under ``directory``; returns the table names written.

    Files go to a sibling temporary folder first and replace the old export at the end, so a
    reader never sees a half-written export.
    """
    target = Path(directory)
    staging = target.with_name(target.name + ".writing")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    names = [t.name for t in synced_tables()]
    with warehouse.connect(read_only=True) as duck:
        for name in names:
            out = staging / name
            count = duck.execute(f'SELECT count(*) FROM "{name}"').fetchone()
            if name == "activities" and count and count[0]:
                duck.execute(
                    f"COPY (SELECT *, year({ACTIVITY_MOMENT}) AS year, "
                    f"month({ACTIVITY_MOMENT}) AS month FROM activities) "
                    f"TO '{out}' (FORMAT parquet, PARTITION_BY (year, month))"
                )
            else:
                out.mkdir()
                duck.execute(f"COPY \"{name}\" TO '{out / 'part-0.parquet'}' (FORMAT parquet)")
        state = staging / STATE_TABLE
        state.mkdir()
        duck.execute(f"COPY {STATE_TABLE} TO '{state / 'part-0.parquet'}' (FORMAT parquet)")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return names
