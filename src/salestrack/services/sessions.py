"""Signing in through a browser: server-side sessions and rate-limited password checks.

The cookie carries a random token minted here at sign-in; the store keeps only its SHA-256, so a
stolen database does not yield live sessions. A token the client made up is never accepted
(there is no row for it), and every sign-in mints a fresh one: no session fixation.
Failed sign-ins are counted per account and per client address over a sliding window.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select

from salestrack.domain.actor import SYSTEM
from salestrack.errors import NotAuthenticated, RateLimited
from salestrack.services.tokens import hash_token
from salestrack.services.users import authenticate
from salestrack.store.models import LoginFailure, LoginSession, User
from salestrack.store.uow import UnitOfWork


@dataclass(frozen=True)
class LoginPolicy:
    """How many failed sign-ins are tolerated, over which window, and how long a session lives."""

    max_per_account: int = 5
    max_per_address: int = 50
    window: timedelta = timedelta(minutes=15)
    session_ttl: timedelta = timedelta(hours=12)


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: LoginSession
    token: str  # plaintext for the cookie; not stored


def _subjects(email: str, address: str) -> tuple[str, str]:
    return f"account:{email.strip().lower()}"[:300], f"address:{address}"[:300]


def _check_limits(uow: UnitOfWork, policy: LoginPolicy, email: str, address: str) -> None:
    account, addr = _subjects(email, address)
    with uow(SYSTEM):
        since = uow.clock.now() - policy.window
        counts = dict(
            uow.session.execute(
                select(LoginFailure.subject, func.count())
                .where(LoginFailure.subject.in_((account, addr)), LoginFailure.at >= since)
                .group_by(LoginFailure.subject)
            )
            .tuples()
            .all()
        )
    retry = int(policy.window.total_seconds())
    if counts.get(account, 0) >= policy.max_per_account:
        raise RateLimited("too many failed sign-ins for this account", retry)
    if counts.get(addr, 0) >= policy.max_per_address:
        raise RateLimited("too many failed sign-ins from this address", retry)


def sign_in(
    uow: UnitOfWork,
    email: str,
    password: str,
    *,
    address: str,
    policy: LoginPolicy,
    replaces: str | None = None,
) -> SignedIn:
    """Check the password (unless rate-limited) and open a new session.

    ``replaces`` is the session token the browser already held; it is ended, so a token planted
    before sign-in never becomes an authenticated one.
    """
    _check_limits(uow, policy, email, address)
    user = authenticate(uow, email, password)
    account, addr = _subjects(email, address)
    with uow(SYSTEM, "user.signed_in"):
        now = uow.clock.now()
        if replaces:
            uow.session.execute(
                delete(LoginSession).where(LoginSession.token_hash == hash_token(replaces))
            )
        if user is None:
            uow.session.add_all([LoginFailure(subject=s, at=now) for s in (account, addr)])
            uow.commit()
            raise NotAuthenticated("e-mail or password is wrong")
        uow.session.execute(delete(LoginFailure).where(LoginFailure.subject == account))
        token = secrets.token_urlsafe(32)
        session = LoginSession(
            token_hash=hash_token(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + policy.session_ttl,
        )
        uow.session.add(session)
        uow.commit()
    return SignedIn(user, session, token)


def session_user(uow: UnitOfWork, token: str) -> tuple[User, LoginSession] | None:
    """The active user of a live session, or None for an unknown, expired or ended one."""
    with uow(SYSTEM):
        found = uow.session.execute(
            select(User, LoginSession)
            .join(LoginSession, LoginSession.user_id == User.id)
            .where(
                LoginSession.token_hash == hash_token(token),
                LoginSession.expires_at > uow.clock.now(),
                User.is_active.is_(True),
            )
        ).first()
    return None if found is None else found._tuple()


def sign_out(uow: UnitOfWork, token: str) -> None:
    """End the session; the cookie is worthless afterwards even if kept."""
    with uow(SYSTEM, "user.signed_out"):
        uow.session.execute(
            delete(LoginSession).where(LoginSession.token_hash == hash_token(token))
        )
        uow.commit()
