"""Imports from the browser: upload a file, pick a preset or a mapping, preview, run.

The page runs the same import as ``salestrack import`` (:func:`run_preset_or_mapping`) as the
signed-in manager, then syncs the warehouse as the CLI does. A dry run checks every row and
previews what would be stored, writing nothing. Rejected rows (line, field, reason, row) are
kept for download in a folder of the user's own; the token naming the file is random.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import FileResponse, HTMLResponse

from salestrack.capture.presets import preset_names, run_preset_or_mapping
from salestrack.errors import NotFound, SalestrackError
from salestrack.web.deps import Page, check_csrf, manager_page
from salestrack.web.i18n import N_

router = APIRouter()
ManagerDep = Annotated[Page, Depends(manager_page)]
REJECTS_ROOT = Path(tempfile.gettempdir()) / "salestrack-import-rejects"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SHOWN_REJECTS = 200


def _rejects_dir(user_id: int) -> Path:
    return REJECTS_ROOT / str(user_id)


def _safe_name(name: str | None, default: str) -> str:
    base = Path(name or "").name
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", base)[:120].lstrip(".")
    return cleaned or default


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
    with tempfile.TemporaryDirectory(prefix="salestrack-web-import-") as folder:
        work = Path(folder)
        data = work / _safe_name(file.filename, "upload.csv")
        data.write_bytes(file.file.read())
        name = preset
        if mapping is not None and mapping.filename:
            mapping_path = work / "mapping.toml"
            mapping_path.write_bytes(mapping.file.read())
            name = str(mapping_path)
        if not name:
            return _form(p, 400, error=p.fmt._(N_("Pick a preset or upload a mapping.")))
        rejects = work / "rejects.csv"
        try:
            report = run_preset_or_mapping(
                p.uow(), p.actor, name, [data], dry_run=dry_run, rejects_path=rejects
            )
        except SalestrackError as exc:
            return _form(p, 400, error=str(exc), preset=preset)
        if report.wrote:
            p.state.reader.refresh(force=True)  # the dashboards show the rows at once
        token = None
        if report.rejected and rejects.is_file():
            token = secrets.token_urlsafe(18)
            target = _rejects_dir(p.user.id)
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(rejects, target / f"{token}.csv")
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
        rejects_token=token,
    )


@router.get("/imports/rejects/{token}.csv")
def download_rejects(p: ManagerDep, token: str) -> FileResponse:
    path = _rejects_dir(p.user.id) / f"{token}.csv"
    if not TOKEN.match(token) or not path.is_file():
        raise NotFound("rejects", token)
    return FileResponse(path, media_type="text/csv", filename="rejects.csv")
