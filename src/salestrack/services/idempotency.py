"""Idempotency keys: the same key from the same user never performs a write twice.

The key is reserved (a row with no answer yet) in its own transaction before the write runs;
the unique (user, key) index makes a concurrent duplicate wait and then fail to reserve. After
the write, the answer is stored, and a retry gets it back byte for byte. A retry while the first
request still runs gets a Conflict (409) and should simply retry later.
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


def reserve(uow: UnitOfWork, user_id: int, key: str, fingerprint: str) -> StoredResponse | None:
    """Claim ``key`` for this request (returns None), or return the answer already given."""
    if not key or len(key) > MAX_KEY:
        raise ValidationFailed("Idempotency-Key", f"must be 1 to {MAX_KEY} characters")
    try:
        with uow(SYSTEM):
            uow.session.add(
                IdempotencyKey(
                    user_id=user_id, key=key, fingerprint=fingerprint, created_at=uow.clock.now()
                )
            )
            uow.commit()
        return None
    except Conflict:
        pass
    with uow(SYSTEM):
        found = uow.session.scalars(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
            )
        ).one()
    if found.fingerprint != fingerprint:
        raise ValidationFailed("Idempotency-Key", "was already used for a different request")
    if found.status_code is None:
        raise Conflict("a request with this Idempotency-Key is still running; retry shortly")
    return StoredResponse(found.status_code, dict(found.headers or {}), found.body or "")


def finish(uow: UnitOfWork, user_id: int, key: str, response: StoredResponse) -> None:
    """Store the answer under the reserved key, for retries to replay."""
    with uow(SYSTEM):
        uow.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
            .values(status_code=response.status_code, headers=response.headers, body=response.body)
        )
        uow.commit()


def release(uow: UnitOfWork, user_id: int, key: str) -> None:
    """Give the key back after an unexpected failure, so a retry can run the write."""
    with uow(SYSTEM):
        uow.session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
            )
        )
        uow.commit()


def purge(uow: UnitOfWork, older_than: datetime) -> int:
    """Forget keys reserved before ``older_than`` (clients retry within hours, not weeks)."""
    with uow(SYSTEM):
        result = uow.session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at < older_than)
        )
        uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)
