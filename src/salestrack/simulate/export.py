"""Write a simulated org to disk: one CSV per table (via Arrow) and ``ground_truth.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pacsv

if TYPE_CHECKING:
    from salestrack.simulate.generator import SimulatedOrg

TRUTH_FILE = "ground_truth.json"


def write_csv(org: SimulatedOrg, out_dir: Path) -> list[Path]:
    """Write ``<table>.csv`` for every table and the ground truth; returns the paths written.

    Timestamps are written in ISO 8601 UTC; symbolic columns (type_key, stage_name, ...) are
    written as they are, so the files read without the store's reference data.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in org.tables.items():
        path = out_dir / f"{name}.csv"
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pacsv.write_csv(table, path)
        written.append(path)
    written.append(write_ground_truth(org, out_dir / TRUTH_FILE))
    return written


def write_ground_truth(org: SimulatedOrg, path: Path) -> Path:
    """Write the planted truth as indented JSON at ``path``; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(org.ground_truth, indent=2) + "\n")
    return path
