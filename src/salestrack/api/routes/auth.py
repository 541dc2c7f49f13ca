"""Sign in and out with a session cookie; issue, list and revoke API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from salestrack.api.context import (
    SESSION_COOKIE,
    ApiState,
    Principal,
    Reader,
    Reply,
    Writer,
    get_state,
    get_uow,
    require_writer,
)
from salestrack.api.problems import PROBLEM_RESPONSES
from salestrack.api.resource import RowId
from salestrack.api.schemas.auth import IssuedTokenOut, Login, Me, TokenCreate, TokenList, TokenOut
from salestrack.api.schemas.people import UserOut
from salestrack.services import sessions, tokens
from salestrack.store.uow import UnitOfWork

router = APIRouter(prefix="/auth", tags=["auth"], responses=PROBLEM_RESPONSES)


def _me(principal: Principal) -> Me:
    return Me(
        user=UserOut.model_validate(principal.user),
        via="session" if principal.session is not None else "token",
        scope=principal.scope,
        csrf_token=principal.session.csrf_token if principal.session is not None else None,
    )


@router.post("/login", response_model=Me, summary="Sign in; sets the session cookie")
def login(
    body: Login,
    request: Request,
    response: Response,
    state: Annotated[ApiState, Depends(get_state)],
    uow: Annotated[UnitOfWork, Depends(get_uow)],
) -> Me:
    signed_in = sessions.sign_in(
        uow,
        body.email,
        body.password,
        address=request.client.host if request.client else "unknown",
        policy=state.login_policy,
        replaces=request.cookies.get(SESSION_COOKIE),
    )
    response.set_cookie(
        SESSION_COOKIE,
        signed_in.token,
        max_age=state.settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=state.settings.cookie_secure,
        path="/",
    )
    return _me(Principal(user=signed_in.user, scope="write", session=signed_in.session))


@router.post("/logout", status_code=204, summary="End the session")
def logout(
    request: Request,
    principal: Annotated[Principal, Depends(require_writer)],
    uow: Annotated[UnitOfWork, Depends(get_uow)],
) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if principal.session is not None and cookie:
        sessions.sign_out(uow, cookie)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=Me, summary="Who is calling, and the CSRF token of a session")
def me(principal: Reader) -> Me:
    return _me(principal)


@router.post("/tokens", status_code=201, response_model=IssuedTokenOut, summary="Issue a token")
def create_token(body: TokenCreate, write: Writer) -> Response:
    def produce() -> Reply:
        issued = tokens.create_token(
            write.uow, write.actor, name=body.name, scope=body.scope, user_id=body.user_id
        )
        out = TokenOut.model_validate(issued.token)
        return Reply(
            IssuedTokenOut(token=out, secret=issued.plaintext),
            201,
            replay_body=IssuedTokenOut(token=out, secret=None),
        )

    return write.run(produce)


@router.get("/tokens", response_model=TokenList, summary="Your tokens (an admin sees all)")
def list_tokens(principal: Reader, uow: Annotated[UnitOfWork, Depends(get_uow)]) -> TokenList:
    found = tokens.list_tokens(uow, principal.actor)
    return TokenList(items=[TokenOut.model_validate(t) for t in found])


@router.delete("/tokens/{row_id}", response_model=TokenOut, summary="Revoke a token")
def revoke_token(row_id: RowId, write: Writer) -> Response:
    return write.run(
        lambda: Reply(TokenOut.model_validate(tokens.revoke_token(write.uow, write.actor, row_id)))
    )
