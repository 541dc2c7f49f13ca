"""Webhook subscriptions (admins): add, change, list, and read the delivery log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from salestrack.api.context import Reader, Reply, Writer, get_uow
from salestrack.api.problems import PROBLEM_RESPONSES
from salestrack.api.resource import RowId, refuse_nulls
from salestrack.api.schemas.webhooks import (
    DeliveryList,
    DeliveryOut,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookOut,
    WebhookUpdate,
)
from salestrack.services import webhooks
from salestrack.store.models import WebhookSubscription
from salestrack.store.uow import UnitOfWork

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=PROBLEM_RESPONSES)
Uow = Annotated[UnitOfWork, Depends(get_uow)]


@router.post("", status_code=201, response_model=WebhookCreated, summary="Subscribe an endpoint")
def create(body: WebhookCreate, write: Writer) -> Response:
    def produce() -> Reply:
        sub = webhooks.create_subscription(write.uow, write.actor, **body.model_dump())
        out = WebhookOut.model_validate(sub)
        return Reply(
            WebhookCreated(webhook=out, secret=sub.secret),
            201,
            replay_body=WebhookCreated(webhook=out, secret=None),
        )

    return write.run(produce)


@router.get("", response_model=WebhookList, summary="All subscriptions")
def list_all(principal: Reader, uow: Uow) -> WebhookList:
    found = webhooks.list_subscriptions(uow, principal.actor)
    return WebhookList(items=[WebhookOut.model_validate(s) for s in found])


@router.get("/{row_id}", response_model=WebhookOut, summary="One subscription")
def get_one(row_id: RowId, principal: Reader, uow: Uow) -> WebhookOut:
    return WebhookOut.model_validate(webhooks.get_subscription(uow, principal.actor, row_id))


@router.patch("/{row_id}", response_model=WebhookOut, summary="Change or re-enable")
def update(row_id: RowId, body: WebhookUpdate, write: Writer) -> Response:
    changes = body.model_dump(exclude_unset=True)
    refuse_nulls(WebhookSubscription, changes)
    return write.run(
        lambda: Reply(
            WebhookOut.model_validate(
                webhooks.update_subscription(write.uow, write.actor, row_id, **changes)
            )
        )
    )


@router.get("/{row_id}/deliveries", response_model=DeliveryList, summary="Delivery log")
def deliveries(row_id: RowId, principal: Reader, uow: Uow) -> DeliveryList:
    found = webhooks.list_deliveries(uow, principal.actor, row_id)
    return DeliveryList(items=[DeliveryOut.model_validate(d) for d in found])
