"""Benchmark: ``salestrack simulate`` activities through the generic import vs raw executemany.

    python benchmarks/bench_import.py [--rows 1000000] [--dir DIR]

1. ``salestrack simulate --activities ROWS --for-import`` (the CLI, in a subprocess) writes
   ``activities-import.csv``, the activities as a CRM export (owners by e-mail, links by external
   id), and ``activities-import.toml``, the mapping that imports it.
2. Fresh SQLite stores get the rest of the same org (same params and seed; the simulation is
   deterministic) through the bulk load, so owners and links resolve.
3. In a fresh child process each (so peak memory is the import's own): the generic import of
   the file with the written mapping (read, map, check, de-duplicate, resolve links, write,
   audit); and the baseline: the same rows parsed with the csv module into store values (ids
   looked up in dicts), then one timed ``executemany``, with SQLite's foreign-key checks on (as
   the store runs) and off (plain sqlite3's default).

Targets (issue 3): import time at most 3.0 x the executemany, peak memory under 500 MB.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SEED, REPS, MONTHS = 7, 24, 12


def simulate_files(work: Path, rows: int) -> tuple[Path, Path]:
    """Run ``salestrack simulate`` as a user would; returns the CSV and the mapping."""
    from salestrack.simulate.export import IMPORT_CSV, IMPORT_MAPPING

    csv_path, mapping = work / IMPORT_CSV, work / IMPORT_MAPPING
    if csv_path.exists() and mapping.exists() and _lines(csv_path) == rows + 1:
        return csv_path, mapping
    command = [
        sys.executable, "-c", "from salestrack.cli.app import main; main()", "simulate",
        "--out", str(work), "--seed", str(SEED), "--reps", str(REPS), "--months", str(MONTHS),
        "--activities", str(rows), "--for-import",
    ]  # fmt: skip
    subprocess.run(command, check=True, env=os.environ.copy())
    return csv_path, mapping


def _lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def prepare_stores(urls: list[str], rows: int, queue: Any) -> None:
    """Migrated stores holding the simulated org without its activities."""
    from salestrack.services.setup import init_store
    from salestrack.simulate import SimulatedOrg, SimulationParams, simulate
    from salestrack.simulate.load import load_into_store
    from salestrack.store.engine import make_engine

    params = SimulationParams.for_activities(rows, seed=SEED, reps=REPS, months=MONTHS)
    org = simulate(params)
    parents = SimulatedOrg(params, {k: v for k, v in org.tables.items() if k != "activities"})
    for url in urls:
        engine = make_engine(url)
        init_store(engine)
        load_into_store(engine, parents)
        engine.dispose()
    queue.put({"activities": len(org.tables["activities"])})


def _peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: a child started by fork and
    exec keeps its parent's ru_maxrss, which would charge it with the parent's memory."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_import(url: str, csv_path: Path, mapping_path: Path, queue: Any) -> None:
    from salestrack.capture.importer import import_file
    from salestrack.capture.mapping import load_mapping
    from salestrack.domain.actor import SYSTEM
    from salestrack.store.engine import make_engine
    from salestrack.store.uow import UnitOfWork

    engine = make_engine(url)
    started = time.perf_counter()
    report = import_file(UnitOfWork(engine), SYSTEM, load_mapping(mapping_path), csv_path)
    elapsed = time.perf_counter() - started
    queue.put(
        {
            "seconds": elapsed,
            "peak_mb": _peak_mb(),
            "created": report.created,
            "rejected": report.rejected,
            "reasons": dict(report.reasons.most_common(3)),
        }
    )


def _ids(conn: sqlite3.Connection, sql: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in conn.execute(sql)}


def run_baseline(url: str, csv_path: Path, foreign_keys: bool, queue: Any) -> None:
    """Parse with the csv module into store values, then time one raw executemany."""
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute(f"pragma foreign_keys={'on' if foreign_keys else 'off'}")
    types = _ids(conn, "select key, id from activity_types")
    owners = _ids(conn, "select email, id from users")
    links = {
        name: _ids(conn, f"select external_id, id from {name}")
        for name in ("accounts", "contacts", "deals", "leads")
    }
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def when(value: str) -> str | None:
        return value.removesuffix("Z") or None

    def number(value: str) -> float | None:
        return float(value) if value else None

    parse_started = time.perf_counter()
    rows = []
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for seq, r in enumerate(reader, start=1):
            started = when(r["started_at"])
            rows.append(
                (
                    types[r["type"]],
                    r["purpose"] or None,
                    r["direction"],
                    r["status"],
                    r["outcome"] or None,
                    r["result"] or None,
                    when(r["due_at"]),
                    started,
                    int(r["duration_s"]) if r["duration_s"] else None,
                    started if r["status"] == "done" else None,
                    now,
                    number(r["latitude"]),
                    number(r["longitude"]),
                    owners[r["owner_email"]],
                    links["accounts"].get(r["account_ref"]),
                    links["contacts"].get(r["contact_ref"]),
                    links["deals"].get(r["deal_ref"]),
                    links["leads"].get(r["lead_ref"]),
                    "simulation",
                    r["external_id"],
                    now,
                    now,
                    seq,
                )
            )
    parsed = time.perf_counter() - parse_started
    sql = (
        "insert into activities (type_id, purpose, direction, status, outcome, result, due_at, "
        "started_at, duration_s, completed_at, logged_at, latitude, longitude, owner_id, "
        "account_id, contact_id, deal_id, lead_id, source, external_id, created_at, updated_at, "
        "change_seq) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    started_at = time.perf_counter()
    conn.execute("pragma synchronous=normal")
    conn.execute("begin")
    conn.executemany(sql, rows)
    conn.execute("commit")
    inserted = time.perf_counter() - started_at
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
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args(argv)
    work = args.dir or Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    csv_path, mapping = simulate_files(work, args.rows)
    made = time.perf_counter() - started
    urls = {name: f"sqlite:///{work / name}.db" for name in ("import", "baseline", "plain")}
    for url in urls.values():
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    _child(prepare_stores, list(urls.values()), args.rows)  # a child: keeps this process small
    ours = _child(run_import, urls["import"], csv_path, mapping)
    base = _child(run_baseline, urls["baseline"], csv_path, True)
    plain = _child(run_baseline, urls["plain"], csv_path, False)
    assert ours["created"] == base["rows"] == plain["rows"] == args.rows, (ours, base["rows"])
    assert ours["rejected"] == 0, ours["reasons"]
    ratio = ours["seconds"] / base["insert_seconds"]
    ratio_plain = ours["seconds"] / plain["insert_seconds"]
    print(
        f"rows (salestrack simulate, {csv_path.stat().st_size / 2**20:.0f} MB CSV)  {args.rows:,}"
    )
    print(f"(simulate --for-import took           {made:.1f} s)")
    print(f"generic import, end to end            {ours['seconds']:.1f} s")
    print(f"raw executemany, foreign keys on      {base['insert_seconds']:.1f} s")
    print(f"raw executemany, foreign keys off     {plain['insert_seconds']:.1f} s")
    print(f"(raw csv parse of the baseline        {base['parse_seconds']:.1f} s, not in the ratio)")
    print(f"ratio vs executemany, fk on           {ratio:.2f}  (target <= 3.0)")
    print(f"ratio vs executemany, fk off          {ratio_plain:.2f}")
    print(f"peak memory of the import process     {ours['peak_mb']:.0f} MB (target < 500 MB)")
    print(f"peak memory of the baseline process   {base['peak_mb']:.0f} MB")
    return {"import": ours, "baseline": base, "plain": plain, "ratio": ratio}


if __name__ == "__main__":
    main()
