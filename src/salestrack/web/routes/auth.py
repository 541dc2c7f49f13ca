"""Sign in and out, the home redirect and the user's own settings (language, time zone, the
private calendar feed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from salestrack.automation import calendar_feed
from salestrack.errors import NotAuthenticated, RateLimited, ValidationFailed
from salestrack.services import sessions, users
from salestrack.store.uow import UnitOfWork
from salestrack.web.deps import Page, check_csrf, formatter_for, get_state, page
from salestrack.web.i18n import N_
from salestrack.web.render import render_text
from salestrack.web.session import COOKIE, login_policy

router = APIRouter()
LOCALE_NAMES = (("en", "English"), ("vi", "Tiếng Việt"))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a crafted link cannot bounce the user to another site."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _login_page(request: Request, next_: str, email: str = "", error: str = "") -> HTMLResponse:
    fmt = formatter_for(request, None)
    context = {"fmt": fmt, "page": None, "next": next_, "email": email, "error": error}
    status = 401 if error else 200
    return HTMLResponse(render_text(fmt.locale, "login.html", context), status_code=status)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _login_page(request, _safe_next(next))


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    state = get_state(request)
    fmt = formatter_for(request, None)
    try:
        signed_in = sessions.sign_in(
            UnitOfWork(state.engine, state.clock),
            email,
            password,
            address=request.client.host if request.client else "unknown",
            policy=login_policy(state.settings),
            replaces=request.cookies.get(COOKIE),
        )
    except NotAuthenticated:
        error = fmt._(N_("E-mail or password is wrong."))
        return _login_page(request, _safe_next(next), email, error)
    except RateLimited as exc:
        return _login_page(request, _safe_next(next), email, str(exc))
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        signed_in.token,
        max_age=state.settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=state.settings.cookie_secure or request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        state = get_state(request)
        sessions.sign_out(UnitOfWork(state.engine, state.clock), token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/")
def home(p: Annotated[Page, Depends(page)]) -> Response:
    return RedirectResponse("/team" if p.is_manager else "/day", status_code=303)


def _settings_page(
    p: Page, *, status_code: int = 200, error: str = "", feed_url: str = ""
) -> HTMLResponse:
    return p.render(
        "settings.html",
        status_code=status_code,
        locales=LOCALE_NAMES,
        error=error,
        feed=calendar_feed.active_feed(p.uow(), p.actor),
        feed_url=feed_url,
    )


@router.get("/settings")
def settings_form(p: Annotated[Page, Depends(page)]) -> HTMLResponse:
    return _settings_page(p)


@router.post("/settings", dependencies=[Depends(check_csrf)])
def save_settings(
    p: Annotated[Page, Depends(page)],
    locale: Annotated[str, Form()],
    time_zone: Annotated[str, Form()],
) -> Response:
    try:
        users.update_user(p.uow(), p.actor, p.user.id, locale=locale, time_zone=time_zone)
    except ValidationFailed as exc:
        return _settings_page(p, status_code=400, error=str(exc))
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/calendar-feed", dependencies=[Depends(check_csrf)])
def new_calendar_feed(p: Annotated[Page, Depends(page)]) -> HTMLResponse:
    """Create or replace the user's feed. Its URL is on this answer only, not behind a redirect:
    the store keeps a hash of the token, so the page could not show it again."""
    path = calendar_feed.create_feed(p.uow(), p.actor)
    return _settings_page(p, feed_url=calendar_feed.feed_url(str(p.request.base_url), path))
