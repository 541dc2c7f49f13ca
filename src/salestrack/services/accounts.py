"""Accounts (companies) and their contacts (people)."""

from __future__ import annotations

from typing import Any

from salestrack.domain import rules
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import AccountStatus
from salestrack.errors import ValidationFailed
from salestrack.services.fields import Rules, apply, ensure_link, validate
from salestrack.services.permissions import check_assign, check_change
from salestrack.store.models import Account, Contact
from salestrack.store.uow import UnitOfWork


def _float(field: str) -> Any:
    def rule(value: Any) -> float:
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(field, f"{value!r} is not a number") from exc

    return rule


def _count(field: str) -> Any:
    def rule(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationFailed(field, "must be a whole number, zero or more")
        return value

    return rule


ACCOUNT_FIELDS: Rules = {
    "name": lambda v: rules.require_text("name", v),
    "status": lambda v: rules.choice("status", v, [s.value for s in AccountStatus]),
    "tier": lambda v: rules.choice("tier", v, ("A", "B", "C")),
    "industry": lambda v: rules.optional_text("industry", v, max_len=120),
    "segment": lambda v: rules.optional_text("segment", v, max_len=32),
    "employees": _count("employees"),
    "region": lambda v: rules.optional_text("region", v, max_len=120),
    "address": lambda v: rules.optional_text("address", v, max_len=500),
    "country": lambda v: rules.require_text("country", v, max_len=2).upper(),
    "latitude": _float("latitude"),
    "longitude": _float("longitude"),
    "time_zone": lambda v: rules.time_zone("time_zone", v),
    "opening_hours": lambda v: rules.optional_text("opening_hours", v, max_len=64),
    "owner_id": lambda v: v,
    "source": lambda v: rules.require_text("source", v, max_len=16),
    "external_id": lambda v: rules.optional_text("external_id", v, max_len=255),
}

CONTACT_FIELDS: Rules = {
    "name": lambda v: rules.require_text("name", v, max_len=200),
    "account_id": lambda v: v,
    "email": lambda v: rules.normalize_email("email", v),
    "phone": lambda v: rules.optional_text("phone", v, max_len=64),
    "title": lambda v: rules.optional_text("title", v, max_len=200),
    "time_zone": lambda v: rules.time_zone("time_zone", v),
    "owner_id": lambda v: v,
    "source": lambda v: rules.require_text("source", v, max_len=16),
    "external_id": lambda v: rules.optional_text("external_id", v, max_len=255),
}


def _check_location(values: dict[str, Any], row: Account | None = None) -> None:
    lat = values.get("latitude", row.latitude if row else None)
    lon = values.get("longitude", row.longitude if row else None)
    rules.coordinates(lat, lon)


def create_account(uow: UnitOfWork, actor: Actor, *, name: str, **fields: Any) -> Account:
    """Add a company; it belongs to the actor unless another owner is given and allowed."""
    with uow(actor, "account.created"):
        values = validate(ACCOUNT_FIELDS, {"name": name, **fields})
        values.setdefault("owner_id", actor.id)
        check_assign(uow, actor, values["owner_id"], "create an account")
        ensure_link(uow.users, values["owner_id"], "owner_id")
        _check_location(values)
        account = uow.accounts.add(Account(**values))
        uow.commit()
    return account


def update_account(uow: UnitOfWork, actor: Actor, account_id: int, **changes: Any) -> Account:
    with uow(actor, "account.updated"):
        account = uow.accounts.get_visible(account_id)
        check_change(uow, actor, account.owner_id, "change this account")
        values = validate(ACCOUNT_FIELDS, changes)
        if "owner_id" in values:
            check_assign(uow, actor, values["owner_id"], "reassign this account")
            ensure_link(uow.users, values["owner_id"], "owner_id")
        _check_location(values, account)
        apply(account, values)
        uow.commit()
    return account


def create_contact(uow: UnitOfWork, actor: Actor, *, name: str, **fields: Any) -> Contact:
    """Add a person, usually at an account the actor can see."""
    with uow(actor, "contact.created"):
        values = validate(CONTACT_FIELDS, {"name": name, **fields})
        ensure_link(uow.accounts, values.get("account_id"), "account_id")
        values.setdefault("owner_id", actor.id)
        check_assign(uow, actor, values["owner_id"], "create a contact")
        contact = uow.contacts.add(Contact(**values))
        uow.commit()
    return contact


def update_contact(uow: UnitOfWork, actor: Actor, contact_id: int, **changes: Any) -> Contact:
    with uow(actor, "contact.updated"):
        contact = uow.contacts.get_visible(contact_id)
        check_change(uow, actor, contact.owner_id, "change this contact")
        values = validate(CONTACT_FIELDS, changes)
        ensure_link(uow.accounts, values.get("account_id"), "account_id")
        if "owner_id" in values:
            check_assign(uow, actor, values["owner_id"], "reassign this contact")
        apply(contact, values)
        uow.commit()
    return contact
