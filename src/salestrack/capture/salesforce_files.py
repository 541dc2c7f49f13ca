"""Reading a Salesforce export's files: tree JSON, CSV (tree twin or Data Loader), User export.

The entry point of the ``salesforce`` preset: files are read into records keyed as
:mod:`salestrack.capture.salesforce` describes, the User export (not imported) gives the
``OwnerId -> e-mail`` map, and the rest goes through the shared preset machinery.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from salestrack.capture.crm import ExportContext, Loaded, Record, csv_records, run_preset
from salestrack.capture.importer import ImportReport
from salestrack.capture.salesforce import SALESFORCE
from salestrack.domain.actor import Actor
from salestrack.errors import ImportRowError
from salestrack.store.uow import UnitOfWork

USER_STEMS = ("user", "users")


def _tree_json(path: Path) -> tuple[str, list[Record]]:
    """Records of an ``sf data export tree`` file, keys case-folded, with their reference id."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ImportRowError(exc.lineno, "file", f"is not JSON: {exc.msg}") from exc
    records = doc.get("records") if isinstance(doc, dict) else None
    if not isinstance(records, list):
        raise ImportRowError(1, "records", "an sObject tree file has a top-level records list")
    rows: list[Record] = []
    kind = ""
    for item in records:
        attributes = item.get("attributes", {}) if isinstance(item, dict) else {}
        kind = str(attributes.get("type", kind))
        row = {str(k).casefold(): _text(v) for k, v in item.items() if k != "attributes"}
        row["referenceid"] = _text(attributes.get("referenceId"))
        rows.append(row)
    return kind, rows


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _load(path: Path) -> Loaded:
    if path.suffix.casefold() == ".json":
        kind, rows = _tree_json(path)
        spec = SALESFORCE.classify(Path(kind.casefold()), list(rows[0]) if rows else [])
        return Loaded(path, spec, rows, list(range(1, len(rows) + 1)))
    header, rows, lines = csv_records(path)
    spec = SALESFORCE.classify(path, header)
    for number, row in enumerate(rows, start=1):
        # Data Loader exports the Id; the CSV twin of a tree export numbers rows as the JSON.
        row["referenceid"] = (row.get("id") or "").strip() or f"{spec.name}Ref{number}"
    return Loaded(path, spec, rows, lines)


def _is_user_export(path: Path) -> bool:
    if path.stem.casefold() in USER_STEMS:
        return True
    if path.suffix.casefold() != ".csv":
        return False
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = handle.readline().casefold()
    return "username" in header.replace('"', "").split(",")


def _users(paths: list[Path]) -> dict[str, str] | None:
    """``Id -> Email`` of the User export(s), or None when there is none."""
    if not paths:
        return None
    users: dict[str, str] = {}
    for path in paths:
        header, rows, lines = csv_records(path)
        folded = [h.strip().casefold() for h in header]
        for column in ("id", "email"):
            if column not in folded:
                raise ImportRowError(1, column, f"{path.name}: a User export needs Id and Email")
        for row, line in zip(rows, lines, strict=True):
            user_id, email = (row.get("id") or "").strip(), (row.get("email") or "").strip()
            if not user_id or not email:
                raise ImportRowError(line, "Email", f"{path.name}: a user without Id or Email")
            users[user_id] = email
    return users


def import_salesforce(
    uow: UnitOfWork, actor: Actor, paths: list[Path], **options: Any
) -> ImportReport:
    """Salesforce exports: tree JSON files (or their CSV twins) and Data Loader CSV files."""
    skipped = [p for p in paths if p.stem.casefold() in ("data-plan", "campaigns")]
    user_files = [p for p in paths if p not in skipped and _is_user_export(p)]
    wanted = [p for p in paths if p not in skipped and p not in user_files]
    context = ExportContext(now=uow.clock.now(), users=_users(user_files))
    files = [_load(p) for p in wanted]
    report = run_preset(SALESFORCE, uow, actor, files, context=context, **options)
    if user_files:
        names = ", ".join(p.name for p in user_files)
        report.notes.append(f"{names}: User, {len(context.users or {})} read to match OwnerId")
    if skipped:
        names = ", ".join(sorted(p.name for p in skipped))
        report.notes.append(f"not imported (no salesforce object we store): {names}")
    return report
