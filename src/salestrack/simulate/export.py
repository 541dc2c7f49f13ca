"""Write a simulated org to disk: one CSV per table (via Arrow) and ``ground_truth.json``.

On request also the activities in the layout of a CRM export (owners by e-mail, links by the
external ids of the simulated accounts, contacts, deals and leads) with the mapping that imports
them (``salestrack import activities-import.toml activities-import.csv``) into a store holding
the rest of the same org: realistic input for the generic import, at any size.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from salestrack.simulate.people import SOURCE

if TYPE_CHECKING:
    from salestrack.simulate.generator import SimulatedOrg

TRUTH_FILE = "ground_truth.json"
IMPORT_CSV = "activities-import.csv"
IMPORT_MAPPING = "activities-import.toml"
# Import field -> column of IMPORT_CSV (the mapping written next to it reads exactly these).
IMPORT_COLUMNS = {
    "type": "type",
    "purpose": "purpose",
    "direction": "direction",
    "status": "status",
    "outcome": "outcome",
    "result": "result",
    "due_at": "due_at",
    "started_at": "started_at",
    "duration_s": "duration_s",
    "latitude": "latitude",
    "longitude": "longitude",
    "owner": "owner_email",
    "account": "account_ref",
    "contact": "contact_ref",
    "deal": "deal_ref",
    "lead": "lead_ref",
}
LINKS = {"account": "accounts", "contact": "contacts", "deal": "deals", "lead": "leads"}


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


def activity_import_frame(org: SimulatedOrg) -> pd.DataFrame:
    """The simulated activities as a CRM would export them: references by e-mail and key."""
    acts = org.tables["activities"]
    owners = org.tables["users"].set_index("id")["email"]
    out = pd.DataFrame({"external_id": acts["external_id"], "type": acts["type_key"]})
    for field, column in IMPORT_COLUMNS.items():
        if field in LINKS:
            keys = org.tables[LINKS[field]].set_index("id")["external_id"]
            out[column] = acts[f"{field}_id"].map(keys)
        elif field == "owner":
            out[column] = acts["owner_id"].map(owners)
        elif field != "type":
            out[column] = acts[field]
    return out


def _mapping_text(source: str) -> str:
    columns = "\n".join(f'{field} = "{column}"' for field, column in IMPORT_COLUMNS.items())
    return (
        f"# Imports {IMPORT_CSV} into a store that holds the rest of the simulated org.\n"
        'entity = "activities"\n'
        f'source = "{source}"\n'
        f'link_source = "{source}"\n'
        'key = ["external_id"]\n'
        'owner_by = "email"\n\n'
        f"[columns]\n{columns}\n"
    )


def write_activity_import(org: SimulatedOrg, out_dir: Path) -> list[Path]:
    """Write IMPORT_CSV and the mapping IMPORT_MAPPING; returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, mapping_path = out_dir / IMPORT_CSV, out_dir / IMPORT_MAPPING
    table = pa.Table.from_pandas(activity_import_frame(org), preserve_index=False)
    pacsv.write_csv(table, csv_path)
    mapping_path.write_text(_mapping_text(SOURCE), encoding="utf-8")
    return [csv_path, mapping_path]
