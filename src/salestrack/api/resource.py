"""A resource is declared once; its list, read, create, bulk, update and action routes follow.

Like NetBox's model views: ``Resource`` names the table, the schemas and the service functions,
and :func:`router_for` builds routes that all share paging, ETags, idempotency and problem
responses. (No ``from __future__ import annotations`` here: FastAPI reads the closures' types.)
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from pydantic import BaseModel

from salestrack.api.context import Reader, Reply, Write, Writer, etag_of, get_uow, parse_if_match
from salestrack.api.problems import PROBLEM_RESPONSES
from salestrack.api.schemas.common import (
    LIST_FIELDS,
    MAX_ID,
    BulkIn,
    BulkOut,
    In,
    ListQuery,
    Out,
    PageOut,
)
from salestrack.domain.actor import Actor
from salestrack.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    SalestrackError,
    ValidationFailed,
)
from salestrack.services import reads
from salestrack.store.models import Base
from salestrack.store.uow import UnitOfWork

API_PREFIX = "/api/v1"
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="The record's id.")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description="The ETag you read; the write is refused with 409 if the record changed since.",
    ),
]
CreateFn = Callable[..., Any]  # (uow, actor, **fields) -> row
UpdateFn = Callable[..., Any]  # (uow, actor, row_id, **fields) -> row
PresentFn = Callable[[UnitOfWork, Actor, Sequence[Any]], list[Any]]  # rows -> out models
COMMON_SORT = ("id", "created_at", "updated_at", "change_seq")
NAMED_SORT = (*COMMON_SORT, "name")


@dataclass(frozen=True)
class Action:
    """A state change that is not a field edit, e.g. completing an activity or moving a deal."""

    verb: str
    body: type[In]
    run: UpdateFn
    summary: str


@dataclass(frozen=True)
class Resource:
    path: str  # URL segment, e.g. "activity-types"
    repo: str  # unit-of-work repository, e.g. "activity_types"
    model: type[Base]
    out: type[Out]
    query: type[ListQuery]
    create: type[In] | None = None
    create_fn: CreateFn | None = None
    update: type[In] | None = None
    update_fn: UpdateFn | None = None
    sortable: tuple[str, ...] = COMMON_SORT
    actions: tuple[Action, ...] = field(default_factory=tuple)
    # When the answer holds more than the row's columns (a cadence's steps, the tasks an event
    # planned): shapes a whole page at once, so related rows are read in one query, not per row.
    present: PresentFn | None = None

    @property
    def label(self) -> str:
        return self.path.replace("-", " ")

    def shape(self, uow: UnitOfWork, actor: Actor, rows: Sequence[Any]) -> list[Any]:
        """The rows as answered, in order."""
        if self.present is not None:
            return self.present(uow, actor, rows)
        return [self.out.model_validate(row) for row in rows]


def _at_item(index: int, exc: SalestrackError) -> SalestrackError:
    """The same error, saying which item of a bulk body caused it."""
    where = f"items.{index}"
    if isinstance(exc, ValidationFailed):
        return ValidationFailed(f"{where}.{exc.field}", exc.reason)
    if isinstance(exc, PermissionDenied):
        return PermissionDenied(exc.action, f"{where}: {exc.reason}")
    if isinstance(exc, NotFound):
        return NotFound(f"{where}: {exc.entity}", exc.key)
    return Conflict(f"{where}: {exc}")


def refuse_nulls(model: type[Base], changes: dict[str, Any]) -> None:
    """An update may clear optional fields with null, never required ones."""
    columns = model.__table__.columns
    for key, value in changes.items():
        if value is None and key in columns and not columns[key].nullable:
            raise ValidationFailed(key, "must not be null")


def _check_version(uow: UnitOfWork, res: Resource, row_id: int, if_match: str) -> None:
    """Refuse a lost update: lock the row (PostgreSQL; SQLite's write lock is already held)."""
    repo = getattr(uow, res.repo)
    model: Any = res.model
    stmt = repo.scoped(model.id == row_id).with_for_update(of=model)
    row = uow.session.scalars(stmt).first()
    if row is None:
        raise NotFound(res.repo, row_id)
    wanted = parse_if_match(if_match)
    if "*" not in wanted and etag_of(row) not in wanted:
        raise Conflict(
            f"{res.label} {row_id} changed since it was read (now {etag_of(row)}); "
            "fetch it again and reapply your change"
        )


def _as_model(body: object) -> BaseModel:
    """The parsed body, typed for the checker (route bodies are declared with runtime types)."""
    assert isinstance(body, BaseModel)
    return body


def _row_reply(res: Resource, write: Write, row: Any, status_code: int = 200) -> Reply:
    headers = {"ETag": etag_of(row)}
    if status_code == 201:
        headers["Location"] = f"{API_PREFIX}/{res.path}/{row.id}"
    [body] = res.shape(write.uow, write.actor, [row])
    return Reply(body, status_code, headers)


def _guarded_change(
    res: Resource, write: Write, row_id: int, if_match: str | None, change: Callable[[], Any]
) -> Reply:
    """Run one change, after the If-Match check, in one transaction."""
    with write.uow.batch(write.actor, f"{res.repo}.updated"):
        if if_match is not None:
            _check_version(write.uow, res, row_id, if_match)
        row = change()
        write.uow.commit()
    return _row_reply(res, write, row)


def router_for(res: Resource) -> APIRouter:
    """The routes of one resource, all documented in the OpenAPI schema."""
    router = APIRouter(prefix=f"/{res.path}", tags=[res.label], responses=PROBLEM_RESPONSES)
    page_out: Any = PageOut[res.out]  # type: ignore[name-defined]

    @router.get("", response_model=page_out, summary=f"List {res.label}")
    def list_rows(
        query: Annotated[res.query, Query()],  # type: ignore[name-defined]
        principal: Reader,
        uow: Annotated[UnitOfWork, Depends(get_uow)],
    ) -> Any:
        request = reads.PageRequest(
            filters=query.model_dump(exclude_none=True, exclude=set(LIST_FIELDS)),
            sort=query.sort,
            limit=query.limit,
            cursor=query.cursor,
            created_after=query.created_after,
            created_before=query.created_before,
        )
        found = reads.page(uow, principal.actor, res.repo, request, sortable=res.sortable)
        return page_out(
            items=res.shape(uow, principal.actor, found.items), next_cursor=found.next_cursor
        )

    @router.get("/{row_id}", response_model=res.out, summary=f"Read one of the {res.label}")
    def get_row(
        row_id: RowId,
        principal: Reader,
        uow: Annotated[UnitOfWork, Depends(get_uow)],
        response: Response,
    ) -> Any:
        row = reads.get(uow, principal.actor, res.repo, row_id)
        response.headers["ETag"] = etag_of(row)
        [body] = res.shape(uow, principal.actor, [row])
        return body

    if res.create is not None and res.create_fn is not None:
        _add_create_routes(router, res, res.create, res.create_fn)
    if res.update is not None and res.update_fn is not None:
        _add_update_route(router, res, res.update, res.update_fn)
    for action in res.actions:
        _add_action_route(router, res, action)
    return router


def _add_create_routes(router: APIRouter, res: Resource, body_type: type[In], fn: CreateFn) -> None:
    bulk_in: Any = BulkIn[body_type]  # type: ignore[valid-type]
    bulk_out: Any = BulkOut[res.out]  # type: ignore[name-defined]

    def create_one(uow: UnitOfWork, actor: Actor, body: BaseModel) -> Any:
        return fn(uow, actor, **body.model_dump(exclude_none=True))

    @router.post("", status_code=201, response_model=res.out, summary=f"Create one of {res.label}")
    def create(body: body_type, write: Writer) -> Response:  # type: ignore[valid-type]
        return write.run(
            lambda: _row_reply(res, write, create_one(write.uow, write.actor, body), 201)
        )

    @router.post(
        "/bulk",
        status_code=201,
        response_model=bulk_out,
        summary=f"Create up to 10,000 {res.label} at once; all or none are written",
    )
    def create_bulk(body: bulk_in, write: Writer) -> Response:
        def produce() -> Reply:
            rows = []
            with write.uow.batch(write.actor, f"{res.repo}.bulk_created", defer_flush=True):
                for index, item in enumerate(body.items):
                    try:
                        rows.append(create_one(write.uow, write.actor, item))
                    except SalestrackError as exc:
                        raise _at_item(index, exc) from exc
                write.uow.flush()  # all new rows at once: ids, change numbers, audit rows
                write.uow.commit()
            return Reply(bulk_out(items=res.shape(write.uow, write.actor, rows)), 201)

        return write.run(produce)


def _add_update_route(router: APIRouter, res: Resource, body_type: type[In], fn: UpdateFn) -> None:
    @router.patch("/{row_id}", response_model=res.out, summary=f"Change one of {res.label}")
    def update(
        row_id: RowId,
        body: body_type,  # type: ignore[valid-type]
        write: Writer,
        if_match: IfMatch = None,
    ) -> Response:
        def produce() -> Reply:
            changes = _as_model(body).model_dump(exclude_unset=True)
            refuse_nulls(res.model, changes)
            return _guarded_change(
                res, write, row_id, if_match, lambda: fn(write.uow, write.actor, row_id, **changes)
            )

        return write.run(produce)


def _add_action_route(router: APIRouter, res: Resource, action: Action) -> None:
    body_type = action.body

    @router.post(f"/{{row_id}}/{action.verb}", response_model=res.out, summary=action.summary)
    def act(
        row_id: RowId,
        body: body_type,  # type: ignore[valid-type]
        write: Writer,
        if_match: IfMatch = None,
    ) -> Response:
        values = _as_model(body).model_dump(exclude_none=True)
        return write.run(
            lambda: _guarded_change(
                res,
                write,
                row_id,
                if_match,
                lambda: action.run(write.uow, write.actor, row_id, **values),
            )
        )
