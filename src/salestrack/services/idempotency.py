"""Idempotency keys: the same key from the same user never performs a write twice.

The key, the write and the answer commit in one transaction: the key's row is inserted first,
so a concurrent request with the same key waits on the unique (user, key) index until the
first one ends, and then either finds the answer (it committed) or claims the key itself (it
rolled back). A crash can therefore never leave a write without its answer, or a key without
its write. A write refused with a problem (422, 403...) changes nothing, and its answer is kept
in a transaction of its own, so a retry gets the same problem back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from salestrack.domain.actor import SYSTEM
from salestrack.errors import Conflict, ValidationFailed
from salestrack.store.models import IdempotencyKey
from salestrack.store.uow import UnitOfWork

MAX_KEY = 255


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    headers: dict[str, str]
    body: str


def check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY:
        raise ValidationFailed("Idempotency-Key", f"must be 1 to {MAX_KEY} characters")


def claim(uow: UnitOfWork, user_id: int, key: str, fingerprint: str) -> bool:
    """Insert the key inside the caller's open transaction; False when another request has it.

    After False the transaction is unusable (the insert failed) and must be rolled back.
    """
    uow.session.add(
        IdempotencyKey(
            user_id=user_id, key=key, fingerprint=fingerprint, created_at=uow.clock.now()
        )
    )
    try:
        uow.flush()
    except Conflict:
        return False
    return True


def answer(uow: UnitOfWork, user_id: int, key: str, response: StoredResponse) -> None:
    """Store the answer under a key claimed in the same, still open, transaction."""
    uow.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .values(status_code=response.status_code, headers=response.headers, body=response.body)
    )


def remember(
    uow: UnitOfWork, user_id: int, key: str, fingerprint: str, response: StoredResponse
) -> StoredResponse | None:
    """Keep the answer of a refused write; returns the earlier answer if the key was taken."""
    with uow(SYSTEM):
        claimed = claim(uow, user_id, key, fingerprint)
        if claimed:
            answer(uow, user_id, key, response)
            uow.commit()
    return None if claimed else stored(uow, user_id, key, fingerprint)


def stored(uow: UnitOfWork, user_id: int, key: str, fingerprint: str) -> StoredResponse:
    """The answer given to the request that claimed ``key``, for a retry to replay."""
    with uow(SYSTEM):
        found = uow.session.scalars(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
            )
        ).one_or_none()
    if found is None:  # the claimant rolled back after our insert failed: try again
        raise Conflict("a request with this Idempotency-Key was just abandoned; retry")
    if found.fingerprint != fingerprint:
        raise ValidationFailed("Idempotency-Key", "was already used for a different request")
    if found.status_code is None:
        raise Conflict("a request with this Idempotency-Key is still running; retry shortly")
    return StoredResponse(found.status_code, dict(found.headers or {}), found.body or "")


def purge(uow: UnitOfWork, older_than: datetime) -> int:
    """Forget keys reserved before ``older_than`` (clients retry within hours, not weeks)."""
    with uow(SYSTEM):
        result = uow.session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at < older_than)
        )
        uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)
