"""Benchmark: a large activity CSV through the generic import vs raw sqlite3.executemany.

Both run in a fresh child process each (so peak memory is the import's own), on a fresh SQLite
store with the same schema and indexes. The baseline inserts the same rows, already parsed into
store values, with one ``executemany``; the import reads, maps, checks, de-duplicates, writes and
audits them. Targets (issue 3): ratio at most 3.0, peak memory under 500 MB.

    python benchmarks/bench_import.py [--rows 1000000] [--dir DIR]

The CSV is generated here (vectorized); once ``salestrack simulate`` writes activities.csv the
same mapping can read it instead.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import resource
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPS, ACCOUNTS = 20, 200
TYPES = {"call": "connected", "email": "sent", "meeting": "held", "task": "completed"}
MAPPING = {
    "entity": "activities",
    "source": "bench",
    "key": ["id"],
    "columns": {
        "type": "type",
        "outcome": "outcome",
        "started_at": "started_at",
        "owner": "owner",
        "subject": "subject",
        "account": "account",
        "duration_s": "duration_s",
    },
    "dates": {"formats": ["%Y-%m-%d %H:%M:%S"], "time_zone": "UTC"},
}


def make_csv(path: Path, rows: int, seed: int = 7) -> None:
    """A reproducible activity CSV in the shape a CRM export has (names, not ids)."""
    rng = np.random.default_rng(seed)
    kinds = np.array(list(TYPES))
    kind = kinds[rng.integers(0, len(kinds), rows)]
    start = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365 * 86400, rows), "s")
    frame = pd.DataFrame(
        {
            "id": np.char.add("act-", np.arange(rows).astype(str)),
            "type": kind,
            "outcome": pd.Series(kind).map(TYPES).to_numpy(),
            "started_at": start.strftime("%Y-%m-%d %H:%M:%S"),
            "owner": np.char.add(
                np.char.add("rep", rng.integers(0, REPS, rows).astype(str)), "@example.com"
            ),
            "subject": np.char.add("Touch ", rng.integers(0, 1000, rows).astype(str)),
            "account": np.char.add("acc-", rng.integers(0, ACCOUNTS, rows).astype(str)),
            "duration_s": rng.integers(0, 3600, rows),
        }
    )
    frame.to_csv(path, index=False)


def prepare_store(url: str) -> None:
    """A migrated store with the reps and accounts the CSV names."""
    from salestrack.domain.actor import SYSTEM
    from salestrack.services.setup import init_store
    from salestrack.services.users import create_user
    from salestrack.store.bulk import bulk_insert
    from salestrack.store.engine import make_engine
    from salestrack.store.uow import UnitOfWork

    engine = make_engine(url)
    init_store(engine)
    uow = UnitOfWork(engine)
    for i in range(REPS):
        create_user(uow, SYSTEM, email=f"rep{i}@example.com", name=f"Rep {i}", role="rep")
    accounts = pd.DataFrame(
        {
            "name": [f"Account {i}" for i in range(ACCOUNTS)],
            "status": "prospect",
            "time_zone": "UTC",
            "source": "bench",
            "external_id": [f"acc-{i}" for i in range(ACCOUNTS)],
        }
    )
    bulk_insert(engine, "accounts", accounts)
    engine.dispose()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_import(url: str, csv_path: Path, queue: Any) -> None:
    from salestrack.capture.importer import import_file
    from salestrack.capture.mapping import parse_mapping
    from salestrack.domain.actor import SYSTEM
    from salestrack.store.engine import make_engine
    from salestrack.store.uow import UnitOfWork

    engine = make_engine(url)
    started = time.perf_counter()
    report = import_file(
        UnitOfWork(engine), SYSTEM, parse_mapping(MAPPING), csv_path, chunk_rows=20_000
    )
    elapsed = time.perf_counter() - started
    queue.put(
        {
            "seconds": elapsed,
            "peak_mb": _peak_mb(),
            "created": report.created,
            "rejected": report.rejected,
        }
    )


def run_baseline(url: str, csv_path: Path, foreign_keys: bool, queue: Any) -> None:
    """Parse with the csv module into store values, then time one raw executemany.

    ``foreign_keys``: the store turns SQLite's foreign-key checks on for every connection;
    the baseline is timed with them on (same work) and off (plain sqlite3 default).
    """
    path = url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"pragma foreign_keys={'on' if foreign_keys else 'off'}")
    types = dict(conn.execute("select key, id from activity_types"))
    owners = dict(conn.execute("select email, id from users"))
    accounts = dict(conn.execute("select external_id, id from accounts"))
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    parse_started = time.perf_counter()
    rows = []
    with csv_path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for seq, (ext, kind, outcome, started, owner, subject, account, duration) in enumerate(
            reader, 1
        ):
            rows.append(
                (
                    types[kind],
                    "outbound",
                    "done",
                    outcome,
                    started,
                    int(duration),
                    started,
                    now,
                    owners[owner],
                    accounts[account],
                    subject,
                    "bench",
                    ext,
                    now,
                    now,
                    seq,
                )
            )
    parsed = time.perf_counter() - parse_started
    sql = (
        "insert into activities (type_id, direction, status, outcome, started_at, duration_s, "
        "completed_at, logged_at, owner_id, account_id, subject, source, external_id, created_at, "
        "updated_at, change_seq) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    started = time.perf_counter()
    conn.execute("pragma synchronous=normal")
    conn.execute("begin")
    conn.executemany(sql, rows)
    conn.execute("commit")
    inserted = time.perf_counter() - started
    queue.put(
        {
            "parse_seconds": parsed,
            "insert_seconds": inserted,
            "rows": len(rows),
            "peak_mb": _peak_mb(),
        }
    )


def _child(target: Any, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=target, args=(*args, queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args(argv)
    work = args.dir or Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / "activities.csv"
    if not csv_path.exists() or sum(1 for _ in csv_path.open()) != args.rows + 1:
        make_csv(csv_path, args.rows)
    urls = {name: f"sqlite:///{work / name}.db" for name in ("import", "baseline", "plain")}
    for url in urls.values():
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        prepare_store(url)
    ours = _child(run_import, urls["import"], csv_path)
    base = _child(run_baseline, urls["baseline"], csv_path, True)
    plain = _child(run_baseline, urls["plain"], csv_path, False)
    assert ours["created"] == base["rows"] == plain["rows"] == args.rows, (ours, base)
    ratio = ours["seconds"] / base["insert_seconds"]
    ratio_plain = ours["seconds"] / plain["insert_seconds"]
    print(f"rows                                 {args.rows:,}")
    print(f"generic import, end to end           {ours['seconds']:.1f} s")
    print(f"raw executemany, foreign keys on     {base['insert_seconds']:.1f} s")
    print(f"raw executemany, foreign keys off    {plain['insert_seconds']:.1f} s")
    print(f"(raw csv parse of the baseline       {base['parse_seconds']:.1f} s, not in the ratio)")
    print(f"ratio vs executemany, fk on          {ratio:.2f}  (target <= 3.0)")
    print(f"ratio vs executemany, fk off         {ratio_plain:.2f}")
    print(f"peak memory of the import process    {ours['peak_mb']:.0f} MB (target < 500 MB)")
    return {"import": ours, "baseline": base, "plain": plain, "ratio": ratio}


if __name__ == "__main__":
    main()
