"""API tokens: shown once, stored as a SHA-256 hash, scoped read or write, revocable.

A token is 32 random bytes, so a fast hash is enough (no dictionary to guess from) and keeps
the per-request check cheap; passwords, being guessable, get Argon2 in :mod:`users`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from salestrack.domain import rules
from salestrack.domain.actor import SYSTEM, Actor
from salestrack.errors import PermissionDenied, ValidationFailed
from salestrack.store.models import ApiToken, User
from salestrack.store.uow import UnitOfWork

PREFIX = "st_"
SCOPES = ("read", "write")
# last_used_at is written at most this often per token: a write per request would cost more
# than the information is worth.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A new token with its plaintext, which is never stored and never shown again."""

    token: ApiToken
    plaintext: str


def create_token(
    uow: UnitOfWork, actor: Actor, *, name: str, scope: str, user_id: int | None = None
) -> IssuedToken:
    """Issue a token to the actor (or, for an admin, to ``user_id``)."""
    owner = user_id if user_id is not None else actor.id
    if owner is None:
        raise ValidationFailed("user_id", "the system actor must name the user")
    plaintext = PREFIX + secrets.token_urlsafe(32)
    with uow(actor, "api_token.created"):
        if owner != actor.id and not actor.is_admin:
            raise PermissionDenied("issue a token", "only an admin issues tokens to others")
        if uow.users.get_any(owner) is None:
            raise ValidationFailed("user_id", f"user {owner} does not exist")
        token = uow.tokens.add(
            ApiToken(
                user_id=owner,
                name=rules.require_text("name", name, max_len=120),
                scope=rules.choice("scope", scope, SCOPES),
                token_hash=hash_token(plaintext),
            )
        )
        uow.commit()
    return IssuedToken(token, plaintext)


def revoke_token(uow: UnitOfWork, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token for good; its holder is refused from the next request on."""
    with uow(actor, "api_token.revoked"):
        token = uow.tokens.get_visible(token_id)
        if token.revoked_at is None:
            token.revoked_at = uow.clock.now()
        uow.commit()
    return token


def list_tokens(uow: UnitOfWork, actor: Actor) -> list[ApiToken]:
    """The actor's tokens (an admin sees every user's)."""
    with uow(actor):
        return list(uow.tokens.list(limit=1000))


def authenticate_token(uow: UnitOfWork, plaintext: str) -> tuple[User, ApiToken] | None:
    """The active user and live token for this plaintext, or None; stamps last use."""
    if not plaintext.startswith(PREFIX):
        return None
    digest = hash_token(plaintext)
    with uow(SYSTEM, "api_token.used"):
        found = uow.session.execute(
            select(User, ApiToken)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == digest)
        ).first()
        if found is None:
            return None
        user, token = found._tuple()
        if token.revoked_at is not None or not user.is_active:
            return None
        now = uow.clock.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            # A plain UPDATE: last use is bookkeeping, not a change worth an audit row.
            uow.session.execute(
                update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
            )
            set_committed_value(token, "last_used_at", now)
            uow.commit()
    return user, token
