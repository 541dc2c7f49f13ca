"""The browser session: the API's server-side session (:mod:`salestrack.services.sessions`).

Signing in on the sign-in page opens the same kind of session as ``POST /api/v1/auth/login``
(rate-limited, a random token in an HttpOnly cookie, only its hash stored) and sets the same
cookie, so a browser signed in on the pages is signed in to the API, and signing out on either
ends it for both. The session's CSRF token is echoed by every form and htmx request; the names
of the CSRF field and header are the API's, so one browser client works against both.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from salestrack.config import Settings
from salestrack.services.sessions import LoginPolicy, session_user
from salestrack.store.models import User
from salestrack.store.uow import UnitOfWork

COOKIE = "salestrack_session"  # the API's SESSION_COOKIE (tests check they agree)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class WebSession:
    user_id: int
    csrf: str


def read(uow: UnitOfWork, token: str | None) -> tuple[User, WebSession] | None:
    """The active user and session behind the cookie ``token``; None if unknown or ended."""
    if not token:
        return None
    found = session_user(uow, token)
    if found is None:
        return None
    user, login = found
    return user, WebSession(user.id, login.csrf_token)


def csrf_ok(session: WebSession, sent: str | None) -> bool:
    return sent is not None and secrets.compare_digest(sent, session.csrf)


def login_policy(settings: Settings) -> LoginPolicy:
    return LoginPolicy(
        max_per_account=settings.login_max_failures_per_account,
        max_per_address=settings.login_max_failures_per_address,
        window=timedelta(minutes=settings.login_window_minutes),
        session_ttl=timedelta(hours=settings.session_hours),
    )
