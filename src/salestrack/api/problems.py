"""Errors as ``application/problem+json`` (RFC 9457): the error tree mapped in one place.

Every error the API returns, whether raised by a service, by request parsing or by routing,
leaves through :func:`problem_response`, so clients see one shape naming the field and reason.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException

from salestrack.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    SalestrackError,
    ValidationFailed,
)

MEDIA_TYPE = "application/problem+json"

_STATUS: tuple[tuple[type[SalestrackError], int, str], ...] = (
    (NotAuthenticated, 401, "Not authenticated"),
    (PermissionDenied, 403, "Forbidden"),
    (NotFound, 404, "Not found"),
    (Conflict, 409, "Conflict"),
    (ValidationFailed, 422, "Invalid input"),
    (RateLimited, 429, "Too many requests"),
)


class FieldError(BaseModel):
    field: str
    reason: str


class Problem(BaseModel):
    """The body of every error response."""

    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    reason: str | None = None
    errors: list[FieldError] | None = None


def _make(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    slug = title.lower().replace(" ", "-")
    body = Problem(
        type=f"urn:salestrack:problem:{slug}", title=title, status=status, detail=detail, **extra
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status, headers=headers, media_type=MEDIA_TYPE
    )


def problem_response(exc: SalestrackError) -> JSONResponse:
    """The HTTP answer for an error of the tree."""
    status, title = next(
        ((code, name) for kind, code, name in _STATUS if isinstance(exc, kind)),
        (500, "Server error"),
    )
    detail = str(exc)
    if isinstance(exc, Conflict) and isinstance(exc.__cause__, IntegrityError):
        # The database's own message can quote other rows' values; say what happened instead.
        detail = "the change conflicts with stored data (a duplicate key or a missing reference)"
    headers: dict[str, str] | None = None
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra = {"field": exc.field, "reason": exc.reason}
    elif isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    elif isinstance(exc, NotAuthenticated):
        headers = {"WWW-Authenticate": 'Bearer realm="salestrack"'}
    return _make(status, title, detail, headers, **extra)


def _field(loc: tuple[Any, ...]) -> str:
    parts = (
        [str(p) for p in loc[1:]]
        if loc and loc[0] in ("body", "query", "header", "path")
        else [str(p) for p in loc]
    )
    return ".".join(parts) or str(loc[0] if loc else "request")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a problem response."""

    async def on_salestrack(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SalestrackError)
        return problem_response(exc)

    async def on_request_invalid(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [FieldError(field=_field(tuple(e["loc"])), reason=e["msg"]) for e in exc.errors()]
        first = errors[0] if errors else FieldError(field="request", reason="is invalid")
        return _make(
            422,
            "Invalid input",
            f"{first.field}: {first.reason}",
            field=first.field,
            reason=first.reason,
            errors=errors,
        )

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        return _make(exc.status_code, title, str(exc.detail), dict(exc.headers or {}) or None)

    async def on_busy(_: Request, exc: Exception) -> JSONResponse:
        # The store stayed locked past its busy timeout: a transient state, not a server bug.
        return _make(503, "Store busy", "the store is busy; retry shortly", {"Retry-After": "1"})

    app.add_exception_handler(SalestrackError, on_salestrack)
    app.add_exception_handler(RequestValidationError, on_request_invalid)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(OperationalError, on_busy)


PROBLEM_CONTENT = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": title, "content": PROBLEM_CONTENT}
    for status, title in (
        (401, "Not authenticated"),
        (403, "Forbidden"),
        (404, "Not found"),
        (409, "Conflict"),
        (422, "Invalid input"),
        (429, "Too many requests"),
        (503, "Store busy"),
    )
}
