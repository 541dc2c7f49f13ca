"""The browser session: a signed, HttpOnly cookie holding the user id and a CSRF token.

Signing (itsdangerous, HMAC-SHA1 over a server secret) means the browser cannot forge another
user id; the embedded CSRF token is echoed by every form and htmx request, so a page on another
site cannot post on the user's behalf (SameSite=Lax stops most of that already). The names of
the CSRF field and header are the API's, so one browser client works against both.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "salestrack_web"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
MAX_AGE_S = 12 * 3600


@dataclass(frozen=True)
class WebSession:
    user_id: int
    csrf: str


class SessionSigner:
    """Turns a :class:`WebSession` into a cookie value and back, refusing tampered or old ones."""

    def __init__(self, secret: str, max_age_s: int = MAX_AGE_S) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="salestrack.web.session")
        self.max_age_s = max_age_s

    def new(self, user_id: int) -> tuple[WebSession, str]:
        """A fresh session (new CSRF token on every sign-in) and its cookie value."""
        session = WebSession(user_id, secrets.token_urlsafe(24))
        return session, self._serializer.dumps({"u": session.user_id, "c": session.csrf})

    def read(self, value: str | None) -> WebSession | None:
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age_s)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), int):
            return None
        return WebSession(int(data["u"]), str(data.get("c", "")))

    @staticmethod
    def csrf_ok(session: WebSession, sent: str | None) -> bool:
        return sent is not None and secrets.compare_digest(sent, session.csrf)
