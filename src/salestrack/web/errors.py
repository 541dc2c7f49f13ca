"""The web edge's one mapping of the error tree to pages.

Not signed in -> redirect to sign-in (htmx: an ``HX-Redirect``); NotFound -> 404 page;
PermissionDenied -> 403 page; ValidationFailed -> 400 page (forms catch it first and show the
reason next to the field). Hidden records look absent: a rep opening another team's deal gets 404.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from salestrack.errors import NotFound, PermissionDenied, SalestrackError, ValidationFailed
from salestrack.web.deps import NotSignedIn, formatter_for
from salestrack.web.i18n import N_, Formatter
from salestrack.web.render import render_text

Handler = Callable[[Request, Any], Any]


def _fmt(request: Request) -> Formatter:
    found = getattr(request.state, "fmt", None)
    return found if isinstance(found, Formatter) else formatter_for(request, None)


def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    fmt = _fmt(request)
    html = render_text(
        fmt.locale,
        "error.html",
        {
            "fmt": fmt,
            "page": None,
            "status": status,
            "title": fmt._(title),
            "detail": fmt._(detail),
        },
    )
    return HTMLResponse(html, status_code=status)


API_PATH = "/api/"


def install(app: FastAPI) -> None:
    """Register the page handlers; handlers already on ``app`` still answer under ``/api/``."""
    earlier = dict(app.exception_handlers)
    _install_pages(app)
    for exc_class, page_handler in list(app.exception_handlers.items()):
        api_handler = earlier.get(exc_class)
        if api_handler is not None and api_handler is not page_handler:
            app.exception_handlers[exc_class] = _by_path(api_handler, page_handler)


def _by_path(api_handler: Handler, page_handler: Handler) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        chosen = api_handler if request.url.path.startswith(API_PATH) else page_handler
        result = chosen(request, exc)
        if inspect.isawaitable(result):
            result = await result
        assert isinstance(result, Response)
        return result

    return handler


def _install_pages(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    def _signed_out(request: Request, exc: NotSignedIn) -> Response:
        target = "/login?next=" + quote(request.url.path)
        if request.headers.get("HX-Request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(SalestrackError)
    def _domain(request: Request, exc: SalestrackError) -> Response:
        if isinstance(exc, NotFound):
            return error_page(request, 404, N_("Not found"), N_("Nothing here, or not yours."))
        if isinstance(exc, PermissionDenied):
            return error_page(request, 403, N_("Not allowed"), exc.reason)
        if isinstance(exc, ValidationFailed):
            return error_page(request, 400, N_("Check the input"), str(exc))
        return error_page(request, 409, N_("Could not do that"), str(exc))

    @app.exception_handler(HTTPException)
    def _http(request: Request, exc: HTTPException) -> Response:
        return error_page(request, exc.status_code, N_("Not found"), str(exc.detail))
