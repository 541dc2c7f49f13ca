"""Request dependencies: who is signed in (one ``current_user``), the CSRF check, the page.

Pages declare ``page: Page = Depends(page)`` (any signed-in user) or ``Depends(manager_page)``;
forms and htmx posts add ``Depends(check_csrf)``. Records are read and written only through
services and the scoped repositories the :class:`Page` hands out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from salestrack.domain.actor import Actor
from salestrack.errors import PermissionDenied
from salestrack.services.users import actor_for
from salestrack.store.models import User
from salestrack.store.uow import UnitOfWork
from salestrack.web import session as web_session
from salestrack.web.i18n import Formatter
from salestrack.web.labels import label
from salestrack.web.render import environment
from salestrack.web.session import COOKIE, CSRF_FIELD, CSRF_HEADER, WebSession

if TYPE_CHECKING:
    from salestrack.web.app import WebState


class NotSignedIn(Exception):
    """No valid session: pages answer with a redirect to the sign-in page."""


def get_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def read_session(request: Request) -> tuple[User, WebSession] | None:
    """The user and session behind the session cookie (the API's), if it is live."""
    state = get_state(request)
    return web_session.read(UnitOfWork(state.engine, state.clock), request.cookies.get(COOKIE))


def current_user(request: Request) -> User:
    """The signed-in, active user behind the session cookie; NotSignedIn otherwise."""
    found = read_session(request)
    if found is None:
        raise NotSignedIn
    user, session = found
    request.state.session = session
    return user


def formatter_for(request: Request, user: User | None) -> Formatter:
    state = get_state(request)
    if user is None:
        return Formatter("en", state.settings.default_time_zone, state.settings.default_currency)
    return Formatter(user.locale, user.time_zone, state.settings.default_currency)


@dataclass
class Page:
    """One request of a signed-in user: their identity, formatter and a unit of work."""

    request: Request
    state: WebState
    user: User
    session: WebSession
    fmt: Formatter

    @property
    def actor(self) -> Actor:
        return actor_for(self.user)

    @property
    def is_manager(self) -> bool:
        return self.actor.is_manager or self.actor.is_admin

    @property
    def is_htmx(self) -> bool:
        return self.request.headers.get("HX-Request") == "true"

    def uow(self) -> UnitOfWork:
        """A fresh unit of work: they are not shared between requests or threads."""
        return UnitOfWork(self.state.engine, self.state.clock)

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = (
            environment(self.fmt.locale)
            .get_template(template)
            .render(
                page=self,
                fmt=self.fmt,
                csrf=self.session.csrf,
                label=lambda key: label(self.fmt, key),
                **context,
            )
        )
        return HTMLResponse(html, status_code=status_code)


def page(request: Request, user: User = Depends(current_user)) -> Page:  # noqa: B008
    fmt = formatter_for(request, user)
    request.state.fmt = fmt
    return Page(request, get_state(request), user, request.state.session, fmt)


def manager_page(p: Page = Depends(page)) -> Page:  # noqa: B008
    """A page only managers and admins may open; a rep gets a 403."""
    if not p.is_manager:
        raise PermissionDenied("open this page", "it is for managers")
    return p


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request that does not echo the session's CSRF token."""
    found = read_session(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if found is not None and not web_session.csrf_ok(found[1], sent):
        raise PermissionDenied("send this form", "the page expired; reload it and try again")
