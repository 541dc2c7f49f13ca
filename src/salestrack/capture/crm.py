"""CRM export presets: Salesforce (sObject tree JSON and its CSV), HubSpot and Pipedrive.

Each preset lists the objects of the export: how a file is recognised, and the mapping that
reads it (the same mapping format as docs/import-mapping.md, so a preset is data, not code).
Files are imported parents first, so a contact's account and a deal's company resolve by their
external ids. Columns each preset reads are listed in docs/import-presets.md.

Stated rules for odd values (the Salesforce sample has them on purpose): text fields are kept
verbatim (``-1E02`` stays text, a lone ``"`` is a one-character text); number fields accept only
ASCII digits, so superscripts (``⁰⁴⁵``) or full-width digits (``１２３``) are refused with the field
named, never read as 45 or 123.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salestrack.capture.importer import ImportReport, Progress, RejectsWriter, import_chunks
from salestrack.capture.mapping import parse_mapping
from salestrack.capture.reader import RawChunk, check_encoding, python_encoding
from salestrack.domain.actor import Actor
from salestrack.errors import ImportRowError, ValidationFailed
from salestrack.store.uow import UnitOfWork

ORDER = ("accounts", "contacts", "leads", "deals", "activities")
Record = dict[str, str | None]
Derive = Callable[[Record], Record]


@dataclass(frozen=True)
class ObjectSpec:
    """One object of an export: how its file is recognised and the mapping that reads it."""

    name: str
    stems: tuple[str, ...]  # file names (without suffix, case-folded) that hold this object
    marker: str  # a column only this object's export has (case-folded)
    mapping: dict[str, Any]
    derive: Derive = field(default=lambda r: r)


@dataclass(frozen=True)
class Preset:
    name: str
    source: str
    objects: tuple[ObjectSpec, ...]
    keys_are_case_insensitive: bool = False

    def classify(self, path: Path, header: list[str]) -> ObjectSpec:
        stem = path.stem.casefold()
        for spec in self.objects:
            if stem in spec.stems:
                return spec
        folded = {h.casefold() for h in header}
        for spec in self.objects:
            if spec.marker in folded:
                return spec
        names = ", ".join(s.name for s in self.objects)
        raise ValidationFailed(str(path), f"is not a {self.name} export of {names}")


def _joined(record: Record, *names: str, sep: str = ", ") -> str:
    return sep.join(v.strip() for n in names if (v := record.get(n)) and v.strip())


def _strip_ref(value: str | None) -> str | None:
    """Salesforce tree exports point at parents as ``@AccountRef1``; the key is ``AccountRef1``."""
    return value[1:] if value and value.startswith("@") else value


def _sf_account(r: Record) -> Record:
    street = ("billingstreet", "billingcity", "billingstate", "billingpostalcode", "billingcountry")
    return {
        **r,
        "address": _joined(r, *street),
        # Only "Customer" says something about our status; other types (Partner, Press, ...)
        # leave it to the default on create and to won deals afterwards.
        "status": "customer" if (r.get("type") or "").casefold() == "customer" else None,
        "industry": None if (r.get("industry") or "").casefold() == "n/a" else r.get("industry"),
    }


def _sf_contact(r: Record) -> Record:
    return {
        **r,
        "fullname": _joined(r, "firstname", "lastname", sep=" "),
        "accountid": _strip_ref(r.get("accountid")),
    }


def _sf_opportunity(r: Record) -> Record:
    return {**r, "accountid": _strip_ref(r.get("accountid"))}


SALESFORCE_STAGES = {
    "Prospecting": "Qualification",
    "Qualification": "Qualification",
    "Needs Analysis": "Discovery",
    "Value Proposition": "Discovery",
    "Id. Decision Makers": "Discovery",
    "Perception Analysis": "Discovery",
    "Proposal/Price Quote": "Proposal",
    "Negotiation/Review": "Negotiation",
    "Closed Won": "Won",
    "Closed/Won": "Won",
    "Closed Lost": "Lost",
    "Closed/Lost": "Lost",
}

SALESFORCE = Preset(
    name="salesforce",
    source="salesforce",
    keys_are_case_insensitive=True,
    objects=(
        ObjectSpec(
            "Account",
            ("accounts", "account"),
            "billingcity",
            {
                "entity": "accounts",
                "key": ["referenceid"],
                "columns": {
                    "name": "name",
                    "industry": "industry",
                    "employees": "numberofemployees",
                    "region": "billingstate",
                    "address": "address",
                    "status": "status",
                },
            },
            _sf_account,
        ),
        ObjectSpec(
            "Contact",
            ("contacts", "contact"),
            "lastname",
            {
                "entity": "contacts",
                "key": ["referenceid"],
                "columns": {
                    "name": "fullname",
                    "email": "email",
                    "phone": "phone",
                    "title": "title",
                    "account": "accountid",
                },
            },
            _sf_contact,
        ),
        ObjectSpec(
            "Opportunity",
            ("opportunities", "opportunity"),
            "stagename",
            {
                "entity": "deals",
                "key": ["referenceid"],
                "columns": {
                    "name": "name",
                    "amount": "amount",
                    "stage": "stagename",
                    "closed_at": "closedate",
                    "expected_close": "closedate",
                    "account": "accountid",
                },
                "values": {"stage": SALESFORCE_STAGES},
            },
            _sf_opportunity,
        ),
    ),
)


def _salesforce_json(path: Path, preset: Preset) -> tuple[str, list[Record]]:
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


def _csv_records(path: Path, encoding: str = "utf-8") -> tuple[list[str], list[Record], list[int]]:
    """All rows of a (small) CRM CSV export with case-folded column names and start lines."""
    check_encoding(path, encoding)
    with path.open(encoding=python_encoding(encoding), newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise ImportRowError(1, "file", "is empty: no header row")
        rows: list[Record] = []
        lines: list[int] = []
        start = reader.line_num + 1
        for row in reader:
            rows.append(
                {h.strip().casefold(): v or None for h, v in zip(header, row, strict=False)}
            )
            lines.append(start)
            start = reader.line_num + 1
    return header, rows, lines


def _read(path: Path, preset: Preset) -> tuple[ObjectSpec, list[Record], list[int]]:
    if path.suffix.casefold() == ".json":
        kind, rows = _salesforce_json(path, preset)
        spec = preset.classify(Path(kind.casefold()), list(rows[0]) if rows else [])
        return spec, rows, list(range(1, len(rows) + 1))
    header, rows, lines = _csv_records(path)
    spec = preset.classify(path, header)
    if preset is SALESFORCE:
        # The CSV of a tree export has no referenceId column: row N is <Object>RefN, as in JSON.
        for number, row in enumerate(rows, start=1):
            row.setdefault("referenceid", f"{spec.name}Ref{number}")
    return spec, rows, lines


def run_preset(
    preset: Preset,
    uow: UnitOfWork,
    actor: Actor,
    paths: list[Path],
    *,
    dry_run: bool = False,
    atomic: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the files of an export, parents first; one report for all of them."""
    loaded = [(path, *_read(path, preset)) for path in paths]
    loaded.sort(key=lambda item: ORDER.index(item[1].mapping["entity"]))
    report = ImportReport()
    handle = rejects_path.open("w", encoding="utf-8", newline="") if rejects_path else None
    rejects = RejectsWriter(handle) if handle else None
    try:
        for path, spec, rows, lines in loaded:
            mapping = parse_mapping({"source": preset.source, **spec.mapping})
            derived = [spec.derive(dict(r)) for r in rows]
            originals = [[json.dumps(r, ensure_ascii=False)] for r in rows]
            raw = RawChunk(["record"], originals, lines, [])
            raw.records = derived
            part = import_chunks(
                uow,
                actor,
                mapping,
                iter([raw] if rows else []),
                dry_run=dry_run,
                atomic=atomic,
                rejects=rejects,
            )
            part.notes.insert(0, f"{path.name}: {spec.name}, {part.read} read")
            report.merge(part)
            if progress:
                progress(path.stat().st_size)
    finally:
        if handle:
            handle.close()
    return report


def import_salesforce(
    uow: UnitOfWork, actor: Actor, paths: list[Path], **options: Any
) -> ImportReport:
    """Salesforce ``sf data export tree`` JSON files (or their CSV twins)."""
    wanted = [p for p in paths if p.stem.casefold() not in ("data-plan", "campaigns")]
    report = run_preset(SALESFORCE, uow, actor, wanted, **options)
    skipped = sorted(p.name for p in paths if p not in wanted)
    if skipped:
        report.notes.append(f"not imported (no salesforce object we store): {', '.join(skipped)}")
    return report


def import_hubspot(
    uow: UnitOfWork, actor: Actor, paths: list[Path], **options: Any
) -> ImportReport:
    from salestrack.capture.crm_layouts import HUBSPOT

    return run_preset(HUBSPOT, uow, actor, paths, **options)


def import_pipedrive(
    uow: UnitOfWork, actor: Actor, paths: list[Path], **options: Any
) -> ImportReport:
    from salestrack.capture.crm_layouts import PIPEDRIVE

    return run_preset(PIPEDRIVE, uow, actor, paths, **options)
