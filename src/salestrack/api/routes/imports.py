"""Imports: upload files with a preset or a mapping, follow the import, read its rejects.

An upload is recorded and queued, and the answer (``202``) comes at once; the import runs in
the background as its caller, the same import as ``salestrack import`` and the web page's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from fastapi.responses import StreamingResponse

from salestrack.api.context import ApiState, Reader, Reply, Writer, get_state, get_uow
from salestrack.api.problems import PROBLEM_RESPONSES
from salestrack.api.resource import API_PREFIX, RowId
from salestrack.api.schemas.imports import (
    ImportOut,
    ImportPage,
    ImportQuery,
    RejectOut,
    RejectPage,
    RejectQuery,
)
from salestrack.capture.uploads import Upload, open_staged, rejects_csv, stage
from salestrack.services import import_jobs
from salestrack.services.reads import PageRequest
from salestrack.store.uow import UnitOfWork

router = APIRouter(prefix="/imports", tags=["imports"], responses=PROBLEM_RESPONSES)
Uow = Annotated[UnitOfWork, Depends(get_uow)]
State = Annotated[ApiState, Depends(get_state)]
CSV_CONTENT = {"text/csv": {"schema": {"type": "string"}}}


@router.post(
    "",
    status_code=202,
    response_model=ImportOut,
    summary="Upload files to import (managers and admins)",
    response_description="Recorded and queued: follow it at the Location.",
)
def create(
    write: Writer,
    state: State,
    file: Annotated[
        list[UploadFile],
        File(description="CSV or JSON Lines; for a preset, the files of the export."),
    ],
    preset: Annotated[
        str | None,
        Form(max_length=64, description="salesforce, hubspot, pipedrive or orders."),
    ] = None,
    mapping: Annotated[
        UploadFile | None, File(description="A .toml mapping (docs/import-mapping.md).")
    ] = None,
    dry_run: Annotated[bool, Form(description="Check every row; write nothing.")] = False,
    all_or_nothing: Annotated[
        bool, Form(description="Write nothing unless every row is valid.")
    ] = False,
) -> Response:
    def produce() -> Reply:
        staged = stage(
            [Upload(f.filename, f.file) for f in file],
            preset=preset or None,
            mapping=Upload(mapping.filename, mapping.file) if mapping is not None else None,
        )
        try:
            job = open_staged(
                write.uow, write.actor, staged, dry_run=dry_run, all_or_nothing=all_or_nothing
            )
        except BaseException:
            staged.cleanup()
            raise
        state.imports.submit(write.actor, job, staged)
        location = {"Location": f"{API_PREFIX}/imports/{job.id}"}
        return Reply(ImportOut.model_validate(job), 202, location)

    return write.run(produce)


@router.get("", response_model=ImportPage, summary="Imports you may see, newest first")
def list_all(query: Annotated[ImportQuery, Query()], principal: Reader, uow: Uow) -> ImportPage:
    request = PageRequest(
        filters=query.model_dump(exclude_none=True, include={"status"}),
        sort=query.sort,
        limit=query.limit,
        cursor=query.cursor,
    )
    found = import_jobs.list_imports(uow, principal.actor, request)
    return ImportPage(
        items=[ImportOut.model_validate(j) for j in found.items], next_cursor=found.next_cursor
    )


@router.get("/{row_id}", response_model=ImportOut, summary="One import: its status and counts")
def get_one(row_id: RowId, principal: Reader, uow: Uow) -> ImportOut:
    return ImportOut.model_validate(import_jobs.get_import(uow, principal.actor, row_id))


@router.get(
    "/{row_id}/rejects",
    response_model=RejectPage,
    summary="An import's rejected rows (JSON pages, or all as CSV)",
    responses={200: {"content": CSV_CONTENT}},
)
def rejects(
    row_id: RowId, query: Annotated[RejectQuery, Query()], principal: Reader, uow: Uow
) -> Response | RejectPage:
    actor = principal.actor
    if query.format == "csv":
        import_jobs.get_import(uow, actor, row_id)  # a 404 before the answer starts
        return StreamingResponse(
            rejects_csv(lambda: import_jobs.iter_rejects(uow, actor, row_id)),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="import-{row_id}-rejects.csv"'},
        )
    request = PageRequest(limit=query.limit, cursor=query.cursor)
    found = import_jobs.list_rejects(uow, actor, row_id, request)
    return RejectPage(
        items=[RejectOut.model_validate(r) for r in found.items], next_cursor=found.next_cursor
    )
