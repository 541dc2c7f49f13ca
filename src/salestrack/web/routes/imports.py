"""Imports from the browser: upload a file, pick a preset or a mapping, preview, run.

The page runs the same recorded import as the API (:mod:`salestrack.capture.uploads`), which
runs it as ``salestrack import`` does, as the signed-in manager. A dry run checks every row and
previews what would be stored, writing nothing. Rejected rows (line, field, reason, row) are
kept with the import in the store, so the download link serves them to whoever may see it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import HTMLResponse, StreamingResponse

from salestrack.capture.presets import preset_names
from salestrack.capture.uploads import Upload, open_staged, rejects_csv, run_staged, stage
from salestrack.errors import SalestrackError
from salestrack.services import import_jobs
from salestrack.web.deps import Page, check_csrf, manager_page
from salestrack.web.i18n import N_

router = APIRouter()
ManagerDep = Annotated[Page, Depends(manager_page)]
SHOWN_REJECTS = 200


def _form(p: Page, status_code: int = 200, **context: object) -> HTMLResponse:
    return p.render(
        "imports.html",
        status_code=status_code,
        presets=preset_names(),
        back_url="/",
        **context,
    )


@router.get("/imports")
def imports_form(p: ManagerDep) -> HTMLResponse:
    return _form(p)


@router.post("/imports", dependencies=[Depends(check_csrf)])
def run_import(
    p: ManagerDep,
    file: Annotated[UploadFile, File()],
    preset: Annotated[str, Form()] = "",
    mapping: Annotated[UploadFile | None, File()] = None,
    action: Annotated[str, Form()] = "preview",
) -> HTMLResponse:
    dry_run = action != "run"
    given = mapping is not None and bool(mapping.filename)
    if not preset and not given:
        return _form(p, 400, error=p.fmt._(N_("Pick a preset or upload a mapping.")))
    try:
        staged = stage(
            [Upload(file.filename, file.file)],
            preset=preset or None,
            mapping=Upload(mapping.filename, mapping.file) if mapping and given else None,
        )
    except SalestrackError as exc:
        return _form(p, 400, error=str(exc), preset=preset)
    try:
        job = open_staged(p.uow(), p.actor, staged, dry_run=dry_run, all_or_nothing=False)
        report = run_staged(p.uow(), p.actor, job, staged)
    except SalestrackError as exc:
        return _form(p, 400, error=str(exc), preset=preset)
    finally:
        staged.cleanup()
    if report.wrote:
        p.state.reader.refresh(force=True)  # the dashboards show the rows at once
    preview = report.preview[0].head(20) if report.preview else None
    return _form(
        p,
        report=report,
        dry_run=dry_run,
        preset=preset,
        rejects=report.rejects[:SHOWN_REJECTS],
        reasons=report.reasons.most_common(),
        preview_columns=[str(c) for c in preview.columns] if preview is not None else [],
        preview_rows=preview.astype(str).values.tolist() if preview is not None else [],
        rejects_url=f"/imports/{job.id}/rejects.csv" if report.rejected else None,
    )


@router.get("/imports/{import_id}/rejects.csv")
def download_rejects(p: ManagerDep, import_id: int) -> StreamingResponse:
    import_jobs.get_import(p.uow(), p.actor, import_id)  # NotFound before the answer starts
    return StreamingResponse(
        rejects_csv(lambda: import_jobs.iter_rejects(p.uow(), p.actor, import_id)),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="rejects.csv"'},
    )
