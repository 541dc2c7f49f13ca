"""Orders (purchases, also from shop or ERP exports) and satisfaction responses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from salestrack.domain import rules
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import SurveyKind
from salestrack.errors import ValidationFailed
from salestrack.services.fields import Rules, ensure_link, validate
from salestrack.services.permissions import check_change
from salestrack.store.models import Order, SatisfactionResponse
from salestrack.store.uow import UnitOfWork

ORDER_FIELDS: Rules = {
    "account_id": lambda v: v,
    "deal_id": lambda v: v,
    "amount": lambda v: rules.money(
        "amount", v if v is not None else _none("amount"), allow_negative=True
    ),
    "currency": lambda v: rules.currency("currency", v),
    "ordered_at": lambda v: rules.utc("ordered_at", v) if v is not None else _none("ordered_at"),
    "source": lambda v: rules.require_text("source", v, max_len=16),
    "external_id": lambda v: rules.optional_text("external_id", v, max_len=255),
}


def _none(field: str) -> Any:
    raise ValidationFailed(field, "is required")


def create_order(
    uow: UnitOfWork,
    actor: Actor,
    *,
    account_id: int,
    amount: Decimal | str,
    ordered_at: datetime,
    **fields: Any,
) -> Order:
    """Record a purchase by an account; credit notes (negative amounts) are allowed."""
    with uow(actor, "order.created"):
        values = validate(
            ORDER_FIELDS,
            {"account_id": account_id, "amount": amount, "ordered_at": ordered_at, **fields},
        )
        account = ensure_link(uow.accounts, account_id, "account_id")
        assert account is not None
        check_change(uow, actor, account.owner_id, "record an order for this account")
        ensure_link(uow.deals, values.get("deal_id"), "deal_id")
        order = uow.orders.add(Order(**values))
        uow.commit()
    return order


def record_satisfaction(
    uow: UnitOfWork,
    actor: Actor,
    *,
    kind: str,
    score: int,
    responded_at: datetime,
    account_id: int | None = None,
    contact_id: int | None = None,
    rep_id: int | None = None,
    activity_id: int | None = None,
    comment: str | None = None,
    source: str = "manual",
    external_id: str | None = None,
) -> SatisfactionResponse:
    """Store a CSAT (1-5) or NPS (0-10) answer, linked to the rep and activity it rates."""
    with uow(actor, "satisfaction.recorded"):
        chosen = rules.choice("kind", kind, [k.value for k in SurveyKind])
        if isinstance(score, bool) or not isinstance(score, int):
            raise ValidationFailed("score", f"{score!r} is not a whole number")
        if account_id is None and contact_id is None:
            raise ValidationFailed("account_id", "an account or a contact is required")
        ensure_link(uow.accounts, account_id, "account_id")
        ensure_link(uow.contacts, contact_id, "contact_id")
        ensure_link(uow.users, rep_id, "rep_id")
        ensure_link(uow.activities, activity_id, "activity_id")
        response = uow.satisfaction.add(
            SatisfactionResponse(
                kind=chosen,
                score=rules.score(chosen, score),
                responded_at=rules.utc("responded_at", responded_at),
                account_id=account_id,
                contact_id=contact_id,
                rep_id=rep_id,
                activity_id=activity_id,
                comment=rules.optional_text("comment", comment),
                source=source,
                external_id=external_id,
            )
        )
        uow.commit()
    return response
