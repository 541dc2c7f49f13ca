"""Imports of uploaded files: the one path the API and the web imports page share.

An upload is staged in a private temporary folder (file names made safe but kept, since a
preset tells an export's files apart by name), recorded as an import
(:mod:`salestrack.services.import_jobs`, which also decides who may import), run with
:func:`run_preset_or_mapping` exactly as ``salestrack import`` runs it, and its counts and
rejected rows recorded. The web page runs it while the browser waits; the API hands it to an
:class:`ImportQueue` and answers at once, and the caller follows the import's status.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine

from salestrack.capture.heartbeat import Heartbeat, beating
from salestrack.capture.importer import ImportReport, read_rejects
from salestrack.capture.mapping import load_mapping
from salestrack.capture.presets import preset_names, run_preset_or_mapping
from salestrack.domain.actor import Actor
from salestrack.domain.clock import Clock
from salestrack.errors import SalestrackError, ValidationFailed
from salestrack.services import import_jobs
from salestrack.services.import_jobs import Outcome, RejectedRow
from salestrack.store.models import ImportJob
from salestrack.store.uow import UnitOfWork

log = logging.getLogger(__name__)
IMPORT_WORKERS = 2  # imports at once per server process; the store takes one writer at a time
UNEXPECTED = "the import stopped on an unexpected error; the server log has the details"


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the client gave and its content."""

    filename: str | None
    content: BinaryIO


@dataclass(frozen=True)
class StagedImport:
    """Uploaded files on disk, ready to import; :meth:`cleanup` removes them."""

    folder: Path
    paths: list[Path]
    preset: str | None = None
    mapping: Path | None = None
    mapping_name: str | None = None

    @property
    def preset_or_mapping(self) -> str:
        """What :func:`run_preset_or_mapping` takes: a preset name or a mapping file's path."""
        return self.preset if self.preset else str(self.mapping)

    @property
    def file_names(self) -> list[str]:
        return [p.name for p in self.paths]

    @property
    def rejects_dir(self) -> Path:
        return self.folder / "rejects"

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def safe_name(name: str | None, default: str) -> str:
    """A file name without folders or odd characters (the client chose it)."""
    base = Path(name or "").name
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", base)[:120].lstrip(".")
    return cleaned or default


def stage(files: Sequence[Upload], *, preset: str | None, mapping: Upload | None) -> StagedImport:
    """Write the uploads to a private folder and check the choice of preset or mapping.

    A mapping is read here, so a bad one is refused before anything is recorded or run.
    """
    if not files:
        raise ValidationFailed("file", "upload at least one file")
    if preset and mapping is not None:
        raise ValidationFailed("preset", "give a preset or a mapping file, not both")
    if not preset and mapping is None:
        raise ValidationFailed("preset", "pick a preset or upload a mapping file")
    if preset and preset not in preset_names():
        raise ValidationFailed("preset", f"{preset!r} is not one of {', '.join(preset_names())}")
    folder = Path(tempfile.mkdtemp(prefix="salestrack-import-"))
    try:
        (folder / "files").mkdir()
        (folder / "rejects").mkdir()
        paths = [_save(upload, folder / "files", i) for i, upload in enumerate(files, start=1)]
        if mapping is None:
            return StagedImport(folder, paths, preset=preset)
        mapping_path = folder / "mapping.toml"
        _copy(mapping.content, mapping_path)
        _check_mapping(mapping_path)
        name = safe_name(mapping.filename, "mapping.toml")
        return StagedImport(folder, paths, mapping=mapping_path, mapping_name=name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _save(upload: Upload, into: Path, number: int) -> Path:
    name = safe_name(upload.filename, f"upload-{number}.csv")
    target = into / name
    if target.exists():  # two uploads of the same name: keep both
        target = into / f"{target.stem}-{number}{target.suffix}"
    _copy(upload.content, target)
    return target


def _copy(content: BinaryIO, target: Path) -> None:
    content.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(content, out)


def _check_mapping(path: Path) -> None:
    """Refuse a mapping that cannot be read, naming the setting (never the server's folder)."""
    try:
        load_mapping(path)
    except UnicodeDecodeError as exc:
        raise ValidationFailed("mapping", "is not UTF-8 text") from exc
    except ValidationFailed as exc:
        where = "" if exc.field == str(path) else f"{exc.field} "
        raise ValidationFailed("mapping", f"{where}{exc.reason}") from exc


def open_staged(
    uow: UnitOfWork, actor: Actor, staged: StagedImport, *, dry_run: bool, all_or_nothing: bool
) -> ImportJob:
    """Record the staged upload as a pending import of ``actor`` (who must be allowed to)."""
    return import_jobs.open_import(
        uow,
        actor,
        preset=staged.preset,
        mapping=staged.mapping_name,
        files=staged.file_names,
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
    )


def run_staged(uow: UnitOfWork, actor: Actor, job: ImportJob, staged: StagedImport) -> ImportReport:
    """Run a recorded import and record how it went; the report is returned for a preview.

    A failure is recorded on the import (status failed, its reason) and raised again.
    """
    import_jobs.mark_running(uow, actor, job.id)
    try:
        with beating(uow.engine, uow.clock, job.id):
            report = run_preset_or_mapping(
                uow,
                actor,
                staged.preset_or_mapping,
                staged.paths,
                dry_run=job.dry_run,
                atomic=job.all_or_nothing,
                rejects_path=staged.rejects_dir / "rejects.csv",
            )
        import_jobs.finish(uow, actor, job.id, _outcome(report), _rejects(staged))
    except SalestrackError as exc:
        # Errors name the file by its path; the caller knows it by its name.
        message = str(exc).replace(f"{staged.folder}/files/", "")
        import_jobs.fail(uow, actor, job.id, message)
        raise
    except Exception:
        import_jobs.fail(uow, actor, job.id, UNEXPECTED)
        raise
    return report


def _outcome(report: ImportReport) -> Outcome:
    return Outcome(
        read=report.read,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
        reasons=dict(report.reasons.most_common()),
        notes=report.notes,
        committed=report.committed,
    )


def _rejects(staged: StagedImport) -> Iterator[RejectedRow]:
    """Every rejects file of the run, in the order of the files (``rejects-2`` after ``-1``)."""

    def order(path: Path) -> int:
        _, _, number = path.stem.rpartition("-")
        return int(number) if number.isdigit() else 0

    for path in sorted(staged.rejects_dir.glob("*.csv"), key=order):
        yield from read_rejects(path)


def rejects_csv(rows: Callable[[], Iterable[RejectedRow]]) -> Iterator[str]:
    """The rejects as CSV: line, field, reason, then the original row's columns (as the
    CLI's ``--rejects`` file). ``rows`` is read twice: first for the columns, then the rows."""
    columns = list(dict.fromkeys(key for row in rows() for key in row.row))
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(["line", "field", "reason", *columns])
    for row in rows():
        writer.writerow([row.line, row.field, row.reason, *(row.row.get(c, "") for c in columns)])
        if buffer.tell() > 1 << 16:
            yield flush()
    yield flush()


class ImportQueue:
    """Runs recorded imports on a few background threads, so an upload answers at once.

    Each import gets its own unit of work (they are not shared between threads). :meth:`close`
    lets running imports finish and records those still waiting as failed.
    """

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        workers: int = IMPORT_WORKERS,
        *,
        after_write: Callable[[], object] | None = None,
    ) -> None:
        """``after_write`` runs after an import that wrote rows (the app syncs its warehouse)."""
        self._engine = engine
        self._clock = clock
        self._after_write = after_write
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="salestrack-import")
        self._waiting = Heartbeat(engine, clock)  # queued imports beat until they start

    def submit(self, actor: Actor, job: ImportJob, staged: StagedImport) -> None:
        """Queue ``job``; the staged files are removed once it has run (or never will)."""
        self._waiting.hold(job.id)
        try:
            future = self._executor.submit(self._run, actor, job, staged)
        except RuntimeError:  # the app is stopping: the import is recorded as never run
            self._never_ran(actor, job, staged)
            return

        def if_cancelled(done: Future[None]) -> None:
            if done.cancelled():
                self._never_ran(actor, job, staged)

        future.add_done_callback(if_cancelled)

    def _never_ran(self, actor: Actor, job: ImportJob, staged: StagedImport) -> None:
        self._fail(actor, job, "the server stopped before the import ran; upload again")
        self._waiting.release(job.id)
        staged.cleanup()

    def _run(self, actor: Actor, job: ImportJob, staged: StagedImport) -> None:
        self._waiting.release(job.id)  # from here run_staged beats for it
        try:
            report = run_staged(self._uow(), actor, job, staged)
            if report.wrote and self._after_write is not None:
                self._after_write()
        except SalestrackError:
            pass  # recorded on the import: the caller reads it there
        except Exception:
            log.exception("import %s failed", job.id)
        finally:
            staged.cleanup()

    def _fail(self, actor: Actor, job: ImportJob, reason: str) -> None:
        try:
            import_jobs.fail(self._uow(), actor, job.id, reason)
        except Exception:
            log.exception("could not record import %s as failed", job.id)

    def _uow(self) -> UnitOfWork:
        return UnitOfWork(self._engine, self._clock)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._waiting.close()
