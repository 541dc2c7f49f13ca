"""Run a mapped import end to end: read, check, write chunk by chunk, report, write rejects.

The report counts every row (read = created + updated + unchanged + rejected), so no row is
lost silently; rejects go to a CSV with the original line, the field, the reason and the row.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pandas as pd

from salestrack.capture.mapping import Mapping
from salestrack.capture.reader import RawChunk, check_encoding, read_csv, read_jsonl
from salestrack.capture.transform import check_header, to_chunk
from salestrack.domain.actor import Actor
from salestrack.services.import_jobs import RejectedRow
from salestrack.services.imports import Chunk, ChunkResult, ImportOptions, import_records
from salestrack.store.uow import UnitOfWork

MAX_LISTED = 1_000  # rejects kept in the report; the rejects file has all of them
Progress = Callable[[int], None]


@dataclass
class ImportReport:
    """What an import did, in numbers and reasons."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[tuple[int, str, str]] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    preview: list[pd.DataFrame] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    committed: bool = True

    def add(self, result: ChunkResult) -> None:
        self.read += result.read
        self.created += result.created
        self.updated += result.updated
        self.unchanged += result.unchanged
        self.rejected += len(result.rejects)
        for line, name, reason in result.rejects:
            self.reasons[f"{name}: {reason.split(' (')[0]}"] += 1
            if len(self.rejects) < MAX_LISTED:
                self.rejects.append((line, name, reason))
        if result.preview is not None and len(self.preview) < 1:
            self.preview.append(result.preview)

    def merge(self, other: ImportReport) -> None:
        for name in ("read", "created", "updated", "unchanged", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejects.extend(other.rejects[: MAX_LISTED - len(self.rejects)])
        self.reasons.update(other.reasons)
        self.preview.extend(other.preview)
        self.notes.extend(other.notes)
        self.committed = self.committed and other.committed

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def wrote(self) -> bool:
        """Whether the store changed: rows created or updated, and committed."""
        return self.committed and self.created + self.updated > 0


class RejectsWriter:
    """The rejects file: line, field, reason, then the original row's columns."""

    def __init__(self, handle: IO[str]) -> None:
        self._writer = csv.writer(handle)
        self._header_written = False

    def write(self, raw: RawChunk, result: ChunkResult) -> None:
        if not self._header_written:
            self._writer.writerow(["line", "field", "reason", *raw.header])
            self._header_written = True
        for (line, name, reason), position in zip(
            result.rejects, result.rejected_positions, strict=True
        ):
            self._writer.writerow([line, name, reason, *raw.originals[position]])


def read_rejects(path: Path) -> Iterator[RejectedRow]:
    """The rows of a rejects file that :class:`RejectsWriter` wrote, to keep them in the store.

    Each original row becomes ``{column: value}`` by the file's header; values past the header
    (a ragged CSV row) are kept as ``column_<n>``.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        columns = header[3:]
        for line, name, reason, *values in reader:
            keys = [*columns, *(f"column_{n}" for n in range(len(columns) + 1, len(values) + 1))]
            yield RejectedRow(int(line), name, reason, dict(zip(keys, values, strict=False)))


def raw_chunks(
    mapping: Mapping, path: Path, chunk_rows: int, progress: Progress | None
) -> Iterator[RawChunk]:
    """The file's rows in chunks, after the encoding and header checks."""
    check_encoding(path, mapping.encoding)
    if mapping.format == "jsonl":
        yield from read_jsonl(
            path, encoding=mapping.encoding, chunk_rows=chunk_rows, progress=progress
        )
        return
    for raw in read_csv(
        path,
        encoding=mapping.encoding,
        delimiter=mapping.delimiter,
        chunk_rows=chunk_rows,
        progress=progress,
    ):
        check_header(mapping, raw.header)
        yield raw


def import_chunks(
    uow: UnitOfWork,
    actor: Actor,
    mapping: Mapping,
    raws: Iterator[RawChunk],
    *,
    dry_run: bool = False,
    atomic: bool = False,
    rejects: RejectsWriter | None = None,
) -> ImportReport:
    """Import raw chunks through the mapping; the shared loop of files and presets."""
    report = ImportReport()
    pending: list[RawChunk] = []

    def chunks() -> Iterator[Chunk]:
        for raw in raws:
            pending.append(raw)
            yield to_chunk(mapping, raw)

    options = ImportOptions(
        entity=mapping.entity,
        source=mapping.source,
        link_source=mapping.link_source,
        owner_by=mapping.owner_by,
        automation=mapping.automation,
    )
    results = import_records(
        uow,
        actor,
        options,
        chunks(),
        atomic=atomic,
        dry_run=dry_run,
    )
    for result in results:
        raw = pending.pop(0)
        report.add(result)
        if rejects is not None:
            rejects.write(raw, result)
    report.committed = not dry_run and not (atomic and report.rejected)
    return report


def import_file(
    uow: UnitOfWork,
    actor: Actor,
    mapping: Mapping,
    path: Path,
    *,
    dry_run: bool = False,
    atomic: bool = False,
    rejects_path: Path | None = None,
    chunk_rows: int = 20_000,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one CSV or JSON Lines file with a mapping (see docs/import-mapping.md)."""
    raws = raw_chunks(mapping, path, chunk_rows, progress)
    if rejects_path is None:
        return import_chunks(uow, actor, mapping, raws, dry_run=dry_run, atomic=atomic)
    with rejects_path.open("w", encoding="utf-8", newline="") as handle:
        return import_chunks(
            uow,
            actor,
            mapping,
            raws,
            dry_run=dry_run,
            atomic=atomic,
            rejects=RejectsWriter(handle),
        )
