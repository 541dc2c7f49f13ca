"""Deals and their stage moves: every move is a StageChange row, never inferred from diffs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from salestrack.domain import rules
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import DEFAULT_PIPELINE, AccountStatus, StageKind
from salestrack.errors import ValidationFailed
from salestrack.services.fields import Rules, apply, ensure_link, validate
from salestrack.services.permissions import check_assign, check_change
from salestrack.store.models import Deal, Order, Pipeline, Stage, StageChange
from salestrack.store.uow import UnitOfWork

DEAL_FIELDS: Rules = {
    "name": lambda v: rules.require_text("name", v),
    "account_id": lambda v: v,
    "contact_id": lambda v: v,
    "lead_id": lambda v: v,
    "owner_id": lambda v: v,
    "amount": lambda v: rules.money("amount", v if v is not None else _none("amount")),
    "currency": lambda v: rules.currency("currency", v),
    "expected_close": lambda v: rules.utc("expected_close", v),
    "lost_reason": lambda v: rules.optional_text("lost_reason", v, max_len=255),
    "source": lambda v: rules.require_text("source", v, max_len=16),
    "external_id": lambda v: rules.optional_text("external_id", v, max_len=255),
}


def _none(field: str) -> Any:
    raise ValidationFailed(field, "is required")


def _pipeline(uow: UnitOfWork, name: str | None) -> Pipeline:
    pipeline = uow.pipelines.find_one(name=name or DEFAULT_PIPELINE)
    if pipeline is None:
        raise ValidationFailed("pipeline", f"{name!r} is not a pipeline")
    return pipeline


def _stage(uow: UnitOfWork, pipeline: Pipeline, stage: str | None) -> Stage:
    """A stage of the pipeline by name (case-insensitive); the first open stage when None."""
    stages = list(
        uow.session.scalars(
            select(Stage).where(Stage.pipeline_id == pipeline.id).order_by(Stage.position)
        )
    )
    if stage is None:
        return next(s for s in stages if s.kind == StageKind.OPEN)
    for candidate in stages:
        if candidate.name.casefold() == stage.strip().casefold():
            return candidate
    names = ", ".join(s.name for s in stages)
    raise ValidationFailed("stage", f"{stage!r} is not a stage of {pipeline.name} ({names})")


def _had_won_deal(uow: UnitOfWork, account_id: int | None, other_than: int | None) -> bool:
    if account_id is None:
        return False
    stmt = (
        select(Deal.id)
        .join(Stage, Deal.stage_id == Stage.id)
        .where(Deal.account_id == account_id, Stage.kind == StageKind.WON)
    )
    if other_than is not None:
        stmt = stmt.where(Deal.id != other_than)
    return uow.session.scalar(stmt.limit(1)) is not None


def create_deal(
    uow: UnitOfWork,
    actor: Actor,
    *,
    name: str,
    amount: Any,
    stage: str | None = None,
    pipeline: str | None = None,
    **fields: Any,
) -> Deal:
    """Open a deal in a stage (the first open one by default) and record its entry."""
    with uow(actor, "deal.created"):
        values = validate(DEAL_FIELDS, {"name": name, "amount": amount, **fields})
        values.setdefault("owner_id", actor.id)
        check_assign(uow, actor, values["owner_id"], "create a deal")
        ensure_link(uow.users, values["owner_id"], "owner_id")
        ensure_link(uow.accounts, values.get("account_id"), "account_id")
        ensure_link(uow.contacts, values.get("contact_id"), "contact_id")
        ensure_link(uow.leads, values.get("lead_id"), "lead_id")
        chosen = _pipeline(uow, pipeline)
        deal = add_deal(uow, actor, values, chosen, _stage(uow, chosen, stage))
        uow.commit()
    return deal


def add_deal(
    uow: UnitOfWork,
    actor: Actor,
    values: dict[str, Any],
    pipeline: Pipeline,
    stage: Stage,
    at: datetime | None = None,
) -> Deal:
    """Add a checked deal in the caller's transaction: its entry row and what the stage implies.

    Shared by :func:`create_deal` and the import service, so an imported deal that arrives won
    gets its order and the repeat flag exactly like one created by hand.
    """
    now = at or uow.clock.now()
    deal = Deal(
        **values,
        pipeline_id=pipeline.id,
        stage_id=stage.id,
        is_repeat=_had_won_deal(uow, values.get("account_id"), None),
    )
    uow.deals.add(deal)
    uow.stage_changes.add(
        StageChange(
            deal_id=deal.id, from_stage_id=None, to_stage_id=stage.id, at=now, by_user_id=actor.id
        )
    )
    _enter(uow, deal, stage, now)
    return deal


def update_deal(uow: UnitOfWork, actor: Actor, deal_id: int, **changes: Any) -> Deal:
    """Change a deal's fields; its stage only moves through :func:`move_deal_stage`."""
    with uow(actor, "deal.updated"):
        deal = uow.deals.get_visible(deal_id)
        check_change(uow, actor, deal.owner_id, "change this deal")
        values = validate(DEAL_FIELDS, changes)
        if "owner_id" in values:
            check_assign(uow, actor, values["owner_id"], "reassign this deal")
        ensure_link(uow.accounts, values.get("account_id"), "account_id")
        ensure_link(uow.contacts, values.get("contact_id"), "contact_id")
        apply(deal, values)
        uow.commit()
    return deal


def move_deal_stage(
    uow: UnitOfWork,
    actor: Actor,
    deal_id: int,
    stage: str,
    *,
    lost_reason: str | None = None,
    at: datetime | None = None,
) -> Deal:
    """Move a deal; won or lost closes it, reopening clears the close, each move is a row."""
    with uow(actor, "deal.stage_moved"):
        deal = uow.deals.get_visible(deal_id)
        check_change(uow, actor, deal.owner_id, "move this deal")
        pipeline = uow.pipelines.get_visible(deal.pipeline_id)
        target = _stage(uow, pipeline, stage)
        if target.id == deal.stage_id:
            return deal
        moved_at = rules.utc("at", at) if at is not None else uow.clock.now()
        if moved_at < deal.created_at:
            raise ValidationFailed("at", "is before the deal was created")
        if lost_reason is not None:
            deal.lost_reason = rules.optional_text("lost_reason", lost_reason, max_len=255)
        change_stage(uow, actor, deal, target, moved_at)
        uow.commit()
    return deal


def change_stage(uow: UnitOfWork, actor: Actor, deal: Deal, target: Stage, at: datetime) -> None:
    """Record a move in the caller's transaction (shared by moves and imports)."""
    uow.stage_changes.add(
        StageChange(
            deal_id=deal.id,
            from_stage_id=deal.stage_id,
            to_stage_id=target.id,
            at=at,
            by_user_id=actor.id,
        )
    )
    deal.stage_id = target.id
    _enter(uow, deal, target, at)


def _enter(uow: UnitOfWork, deal: Deal, stage: Stage, at: datetime) -> None:
    """What entering a stage implies: closing, the repeat flag, the order a win stands for."""
    order = uow.orders.find_any(source="deal", external_id=f"deal-{deal.id}")
    if stage.kind == StageKind.OPEN:
        deal.closed_at = None
        if order is not None:
            uow.orders.delete(order)
        return
    deal.closed_at = at
    if stage.kind == StageKind.WON:
        deal.lost_reason = None
        deal.is_repeat = _had_won_deal(uow, deal.account_id, deal.id)
        if deal.account_id is not None:
            account = uow.accounts.get_any(deal.account_id)
            if account is not None:
                account.status = AccountStatus.CUSTOMER.value
            if order is None:
                uow.orders.add(
                    Order(
                        account_id=deal.account_id,
                        deal_id=deal.id,
                        amount=deal.amount,
                        currency=deal.currency,
                        ordered_at=at,
                        source="deal",
                        external_id=f"deal-{deal.id}",
                    )
                )
    elif order is not None:
        uow.orders.delete(order)


__all__ = ["add_deal", "change_stage", "create_deal", "move_deal_stage", "update_deal"]
