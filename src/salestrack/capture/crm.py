"""CRM export presets: the shared machinery, and the HubSpot and Pipedrive entry points.

Each preset lists the objects of the export: how a file is recognised, and the mapping that
reads it (the same mapping format as docs/import-mapping.md, so a preset is data, not code).
Files are imported parents first, so a contact's account and a deal's company resolve by their
external ids. The presets themselves live in :mod:`salestrack.capture.salesforce`,
:mod:`salestrack.capture.hubspot` and :mod:`salestrack.capture.pipedrive`; the columns each
reads are listed in docs/import-presets.md.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
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
# The plain outcome of a done activity whose export records none. A call has no such outcome
# (connected? voicemail?): a done call without one is refused with the reason, never guessed.
DONE_OUTCOMES = {"email": "sent", "task": "completed", "social": "sent", "meeting": "held"}


@dataclass
class ExportContext:
    """What a derive step may need beyond its own row, for one run of a preset.

    ``now`` decides planned vs done where the export has only a date (the store's clock, so a
    test's fixed clock holds); ``users`` maps the export's user ids to e-mails when the export
    carries its user list; ``notes`` counts what was noticed, for the report.
    """

    now: datetime
    users: dict[str, str] | None = None
    notes: Counter[str] = field(default_factory=Counter)


Derive = Callable[[Record, ExportContext], Record]


def _as_is(record: Record, context: ExportContext) -> Record:
    return record


def with_note(notes: str | None, label: str, value: str | None) -> str | None:
    """``notes`` with a ``label: value`` paragraph added, for what the activity has no field for."""
    if not value or not value.strip():
        return notes or None
    return "\n\n".join(filter(None, [(notes or "").strip(), f"{label}: {value.strip()}"]))


@dataclass(frozen=True)
class ObjectSpec:
    """One object of an export: how its file is recognised and the mapping that reads it.

    ``derive`` turns a row as exported into the columns the mapping reads; it raises
    :class:`~salestrack.errors.ValidationFailed` for a problem of that row, which becomes the
    row's reject (line, field, reason) while the other rows go on.
    """

    name: str
    stems: tuple[str, ...]  # file names (without suffix, case-folded) that hold this object
    marker: str  # a column only this object's export has (case-folded)
    mapping: dict[str, Any]
    derive: Derive = _as_is


@dataclass(frozen=True)
class Preset:
    name: str
    source: str
    objects: tuple[ObjectSpec, ...]

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


@dataclass
class Loaded:
    """One export file as read: its object, its rows (case-folded keys) and their lines."""

    path: Path
    spec: ObjectSpec
    rows: list[Record]
    lines: list[int]


def csv_records(path: Path, encoding: str = "utf-8") -> tuple[list[str], list[Record], list[int]]:
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


def load_csv(preset: Preset, path: Path) -> Loaded:
    header, rows, lines = csv_records(path)
    return Loaded(path, preset.classify(path, header), rows, lines)


def _derived(loaded: Loaded, context: ExportContext) -> RawChunk:
    """The rows after the object's derive step; a row it refuses carries its problem."""
    originals = [[json.dumps(r, ensure_ascii=False)] for r in loaded.rows]
    raw = RawChunk(["record"], originals, loaded.lines, [])
    records: list[Record] = []
    for position, row in enumerate(loaded.rows):
        try:
            records.append(loaded.spec.derive(dict(row), context))
        except ValidationFailed as exc:
            records.append(dict(row))
            raw.problems.append((position, exc.field, exc.reason))
    raw.records = records
    return raw


def run_preset(
    preset: Preset,
    uow: UnitOfWork,
    actor: Actor,
    files: list[Loaded],
    *,
    context: ExportContext | None = None,
    dry_run: bool = False,
    atomic: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the files of an export, parents first; one report for all of them."""
    context = context or ExportContext(now=uow.clock.now())
    files = sorted(files, key=lambda f: ORDER.index(f.spec.mapping["entity"]))
    report = ImportReport()
    handle = rejects_path.open("w", encoding="utf-8", newline="") if rejects_path else None
    rejects = RejectsWriter(handle) if handle else None
    try:
        for loaded in files:
            spec = loaded.spec
            mapping = parse_mapping({"source": preset.source, **spec.mapping})
            raw = _derived(loaded, context)
            part = import_chunks(
                uow,
                actor,
                mapping,
                iter([raw] if loaded.rows else []),
                dry_run=dry_run,
                atomic=atomic,
                rejects=rejects,
            )
            part.notes.insert(0, f"{loaded.path.name}: {spec.name}, {part.read} read")
            report.merge(part)
            if progress:
                progress(loaded.path.stat().st_size)
    finally:
        if handle:
            handle.close()
    report.notes.extend(f"{count:,} {what}" for what, count in context.notes.items())
    return report


def import_hubspot(
    uow: UnitOfWork, actor: Actor, paths: list[Path], **options: Any
) -> ImportReport:
    from salestrack.capture.hubspot import HUBSPOT

    return run_preset(HUBSPOT, uow, actor, [load_csv(HUBSPOT, p) for p in paths], **options)


def import_pipedrive(
    uow: UnitOfWork, actor: Actor, paths: list[Path], **options: Any
) -> ImportReport:
    from salestrack.capture.pipedrive import PIPEDRIVE

    return run_preset(PIPEDRIVE, uow, actor, [load_csv(PIPEDRIVE, p) for p in paths], **options)
