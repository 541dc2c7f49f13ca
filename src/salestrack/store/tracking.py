"""Session hooks that give every change a change sequence number, timestamps and an audit row.

They live on the session, not in each service, so no write path can forget them: whatever the
entry point, a flushed insert, update or delete is numbered and audited in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Mapper, Session, UOWTransaction, sessionmaker

from salestrack.domain.actor import SYSTEM, Actor
from salestrack.domain.clock import Clock
from salestrack.store import change_seq, ids
from salestrack.store.models import AuditEvent, Deletion, Tracked

ACTOR_KEY = "salestrack.actor"
ACTION_KEY = "salestrack.action"
CLOCK_KEY = "salestrack.clock"
_PENDING_KEY = "salestrack.pending_audit"
MEMO_KEY = "salestrack.memo"


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


_SECRETS = frozenset({"password_hash", "token_hash"})


_COLUMNS: dict[type, tuple[str, ...]] = {}


def _columns(model: type) -> tuple[str, ...]:
    """The column attributes of a model, looked up once: every audited row needs them."""
    found = _COLUMNS.get(model)
    if found is None:
        mapper: Mapper[Any] = inspect(model, raiseerr=True)
        found = _COLUMNS[model] = tuple(col.key for col in mapper.column_attrs)
    return found


def row_dict(obj: Tracked, *, only: set[str] | None = None) -> dict[str, Any]:
    return {
        key: "***" if key in _SECRETS else jsonable(getattr(obj, key))
        for key in _columns(type(obj))
        if only is None or key in only
    }


def _before_values(obj: Tracked) -> dict[str, Any]:
    """The old values of the columns whose value really changed (setting the same is no change)."""
    state = inspect(obj, raiseerr=True)
    before: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in ("updated_at", "change_seq"):
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if old != new:
            before[attr.key] = "***" if attr.key in _SECRETS else jsonable(old)
    return before


def _forget_memos(session: Session) -> None:
    """Drop what ``UnitOfWork.memo`` kept about a model this flush changes."""
    memo: dict[tuple[type, Any], Any] | None = session.info.get(MEMO_KEY)
    if not memo:
        return
    touched = {type(o) for o in (*session.new, *session.dirty, *session.deleted)}
    for key in [k for k in memo if k[0] in touched]:
        del memo[key]


def before_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    _forget_memos(session)
    clock: Clock = session.info[CLOCK_KEY]
    now = clock.now()
    new = [o for o in session.new if isinstance(o, Tracked)]
    changed = {id(o): _before_values(o) for o in session.dirty if isinstance(o, Tracked)}
    dirty = [o for o in session.dirty if changed.get(id(o))]
    deleted = [o for o in session.deleted if isinstance(o, Tracked)]
    total = len(new) + len(dirty) + len(deleted)
    if total == 0:
        return
    numbers = iter(change_seq.reserve(session, total))
    ids.assign(session, new)
    pending: list[tuple[str, Tracked, dict[str, Any] | None]] = []
    for obj in new:
        obj.created_at = obj.created_at or now
        obj.updated_at = now
        obj.change_seq = next(numbers)
        pending.append(("created", obj, None))
    for obj in dirty:
        before = changed[id(obj)]
        obj.updated_at = now
        obj.change_seq = next(numbers)
        pending.append(("updated", obj, before))
    for obj in deleted:
        session.add(
            Deletion(
                table_name=obj.__tablename__,
                row_id=obj.id,
                deleted_at=now,
                change_seq=next(numbers),
            )
        )
        pending.append(("deleted", obj, row_dict(obj)))
    session.info.setdefault(_PENDING_KEY, []).extend(pending)


def after_flush(session: Session, _flush: UOWTransaction) -> None:
    pending = session.info.pop(_PENDING_KEY, [])
    if not pending:
        return
    actor: Actor = session.info.get(ACTOR_KEY, SYSTEM)
    action: str | None = session.info.get(ACTION_KEY)
    now = session.info[CLOCK_KEY].now()
    rows = []
    for verb, obj, before in pending:
        entity = obj.__tablename__
        if verb == "created":
            after: dict[str, Any] | None = row_dict(obj)
        elif verb == "updated":
            after = row_dict(obj, only=set(before or {}))
        else:
            after = None
        rows.append(
            {
                "at": now,
                "actor_id": actor.id,
                "actor_label": actor.label,
                "action": action or f"{entity}.{verb}",
                "entity": entity,
                "entity_id": obj.id,
                "before": before if verb != "created" else None,
                "after": after,
            }
        )
    session.connection().execute(insert(AuditEvent), rows)


def install(factory: sessionmaker[Session]) -> None:
    """Attach the hooks to every session the factory makes."""
    event.listen(factory, "before_flush", before_flush)
    event.listen(factory, "after_flush", after_flush)
