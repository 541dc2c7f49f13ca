"""What each request needs: the store, who is calling, and a safe way to run a write.

Authentication happens here once (bearer token or session cookie); authorization stays in the
services and the store's scope. :class:`Write` wraps every write with CSRF and token-scope
checks and the ``Idempotency-Key`` protocol, so no route can forget them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import Engine

from salestrack.analytics.reader import WarehouseReader
from salestrack.api.problems import problem_response
from salestrack.capture.uploads import ImportQueue
from salestrack.config import Settings
from salestrack.domain.actor import Actor
from salestrack.domain.clock import Clock, SystemClock
from salestrack.errors import NotAuthenticated, PermissionDenied, SalestrackError
from salestrack.services import idempotency
from salestrack.services.sessions import LoginPolicy, session_user
from salestrack.services.tokens import authenticate_token
from salestrack.services.users import actor_for
from salestrack.store.models import LoginSession, User
from salestrack.store.uow import UnitOfWork

SESSION_COOKIE = "salestrack_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class ApiState:
    """Everything the app holds for its lifetime; built by ``create_app``."""

    settings: Settings
    engine: Engine
    reader: WarehouseReader
    """The warehouse, shared with the web pages; metrics and insights read it."""
    clock: Clock = field(default_factory=SystemClock)
    imports: ImportQueue = field(init=False)
    """Runs uploaded imports in the background; closed when the app stops."""

    def __post_init__(self) -> None:
        # The metrics and pages show an import's rows as soon as it has run.
        self.imports = ImportQueue(
            self.engine, self.clock, after_write=lambda: self.reader.refresh(force=True)
        )

    @property
    def login_policy(self) -> LoginPolicy:
        s = self.settings
        return LoginPolicy(
            max_per_account=s.login_max_failures_per_account,
            max_per_address=s.login_max_failures_per_address,
            window=timedelta(minutes=s.login_window_minutes),
            session_ttl=timedelta(hours=s.session_hours),
        )


# Dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` dependency on the
# thread pool, a hand-off that cost more than the work on every request.


async def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.salestrack
    return state


async def get_uow(state: Annotated[ApiState, Depends(get_state)]) -> UnitOfWork:
    """A unit of work per request: units of work are not shared between threads."""
    return UnitOfWork(state.engine, state.clock)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: the user, their actor, the scope, and the session if any."""

    user: User
    scope: str
    session: LoginSession | None = None

    @property
    def actor(self) -> Actor:
        return actor_for(self.user)


_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer st_...`")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Set by /auth/login")


def authenticate(
    uow: Annotated[UnitOfWork, Depends(get_uow)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    """Who is calling; a bearer token wins over a cookie. Unknown credentials are a 401."""
    if bearer is not None:
        found = authenticate_token(uow, bearer.credentials)
        if found is None:
            raise NotAuthenticated("the token is unknown, revoked or its user is inactive")
        user, token = found
        return Principal(user=user, scope=token.scope)
    if cookie:
        signed_in = session_user(uow, cookie)
        if signed_in is None:
            raise NotAuthenticated("the session has ended; sign in again")
        return Principal(user=signed_in[0], scope="write", session=signed_in[1])
    raise NotAuthenticated("sign in, or send an API token as 'Authorization: Bearer ...'")


Reader = Annotated[Principal, Depends(authenticate)]


async def _csrf_ok(request: Request, expected: str) -> bool:
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if sent is None and content_type.startswith(FORM_TYPES):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent is not None and secrets.compare_digest(sent, expected)


async def require_writer(request: Request, principal: Reader) -> Principal:
    """A caller allowed to write: a write-scoped token, or a session proving CSRF intent."""
    if principal.scope != "write":
        raise PermissionDenied("write", "this API token is read-only")
    session = principal.session
    if (
        session is not None
        and request.method not in SAFE_METHODS
        and not await _csrf_ok(request, session.csrf_token)
    ):
        raise PermissionDenied(
            "write", f"a signed-in browser must send the {CSRF_HEADER} header or form field"
        )
    return principal


@dataclass
class Reply:
    """What a write produced: a body, its status and extra headers (ETag, Location)."""

    body: BaseModel
    status_code: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    # What a retry with the same Idempotency-Key gets instead, when the body holds a secret
    # that must not be kept in the store (a new token's plaintext).
    replay_body: BaseModel | None = None


class Write:
    """Runs one write for the caller; honours ``Idempotency-Key`` and maps errors to problems."""

    def __init__(
        self, principal: Principal, uow: UnitOfWork, key: str | None, fingerprint: str
    ) -> None:
        self.principal = principal
        self.uow = uow
        self.key = key
        self.fingerprint = fingerprint

    @property
    def actor(self) -> Actor:
        return self.principal.actor

    def run(self, produce: Callable[[], Reply]) -> Response:
        """Run ``produce`` once per ``Idempotency-Key``; without a key, simply run it.

        With a key, ``produce`` runs inside one outer transaction (services join it) that also
        holds the key and the answer, so all three commit together or not at all.
        """
        if self.key is None:
            try:
                return _render(produce())
            except SalestrackError as exc:
                return problem_response(exc)
        idempotency.check_key(self.key)
        user_id = self.principal.user.id
        outcome = self._attempt(produce, user_id, self.key)
        if isinstance(outcome, Response):
            return outcome
        if outcome is None:  # another request holds the key: give its answer
            return _replay(idempotency.stored(self.uow, user_id, self.key, self.fingerprint))
        problem = problem_response(outcome)
        earlier = idempotency.remember(
            self.uow, user_id, self.key, self.fingerprint, _stored(problem)
        )
        return problem if earlier is None else _replay(earlier)

    def _attempt(
        self, produce: Callable[[], Reply], user_id: int, key: str
    ) -> Response | SalestrackError | None:
        """One transaction for the key, the write and its answer; None when the key is taken."""
        with self.uow.batch(self.actor):
            if not idempotency.claim(self.uow, user_id, key, self.fingerprint):
                return None
            try:
                reply = produce()
            except SalestrackError as exc:
                return exc  # leaving the block without commit rolls the write back
            response = _render(reply)
            kept = response
            if reply.replay_body is not None:
                kept = _render(Reply(reply.replay_body, reply.status_code, reply.headers))
            idempotency.answer(self.uow, user_id, key, _stored(kept))
            self.uow.commit()
            return response


def _stored(response: Response) -> idempotency.StoredResponse:
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    return idempotency.StoredResponse(response.status_code, headers, bytes(response.body).decode())


def _replay(stored: idempotency.StoredResponse) -> Response:
    headers = {**stored.headers, "Idempotent-Replayed": "true"}
    return Response(
        stored.body, stored.status_code, headers, media_type=headers.pop("content-type")
    )


def _render(reply: Reply) -> Response:
    return Response(
        reply.body.model_dump_json(),
        reply.status_code,
        dict(reply.headers),
        media_type="application/json",
    )


async def write_context(
    request: Request,
    principal: Annotated[Principal, Depends(require_writer)],
    uow: Annotated[UnitOfWork, Depends(get_uow)],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="Any unique string; a retry with the same key never writes twice.",
        ),
    ] = None,
) -> Write:
    digest = hashlib.sha256()
    for part in (request.method, request.url.path, request.url.query):
        digest.update(part.encode() + b"\0")
    await _digest_body(request, digest)
    return Write(principal, uow, idempotency_key, digest.hexdigest())


async def _digest_body(request: Request, digest: Any) -> None:
    """Add the request body to ``digest``; a form is hashed field by field.

    FastAPI has already consumed the stream of a form upload to parse it, so its raw bytes are
    gone; the parsed fields and each file's name and content say the same thing.
    """
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        digest.update(await request.body())
        return
    form = await request.form()
    for name, value in form.multi_items():
        digest.update(name.encode() + b"\0")
        if isinstance(value, str):
            digest.update(value.encode() + b"\0")
            continue
        digest.update((value.filename or "").encode() + b"\0")
        await value.seek(0)
        while block := await value.read(1 << 16):
            digest.update(block)
        await value.seek(0)
        digest.update(b"\0")


Writer = Annotated[Write, Depends(write_context)]


def etag_of(row: Any) -> str:
    """The entity tag of a row: its change sequence number changes with every change."""
    return f'"{row.change_seq}"'


def parse_if_match(value: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in value.split(",") if part.strip()}
