"""Inbound webhook: systems that cannot hold an API token post customer events, signed.

Signed as the outbound webhooks are (``webhooks/signing.py``): ``Salestrack-Signature:
t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` with ``SALESTRACK_EVENTS_WEBHOOK_SECRET``,
refused five minutes after ``t``. The check comes before the body is even parsed. The sender's
own id (``external_id``) is required, so a retried or replayed delivery gets the event already
posted (200) instead of a second one and a second task.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import Field

from salestrack.api.automation import present_events
from salestrack.api.context import ApiState, get_state, get_uow
from salestrack.api.problems import PROBLEM_RESPONSES
from salestrack.api.schemas.automation import CustomerEventCreate, CustomerEventOut
from salestrack.automation import events
from salestrack.domain.actor import SYSTEM
from salestrack.errors import Conflict, NotAuthenticated
from salestrack.store.uow import UnitOfWork
from salestrack.webhooks import signing

router = APIRouter(prefix="/hooks", tags=["customer events"], responses=PROBLEM_RESPONSES)
HOOK_SOURCE = "webhook"


class SignedEvent(CustomerEventCreate):
    external_id: str = Field(
        min_length=1, max_length=255, description="Your id of the event: a repeat is a no-op."
    )


async def signed(
    request: Request,
    state: Annotated[ApiState, Depends(get_state)],
    signature: Annotated[
        str | None,
        Header(alias=signing.HEADER, max_length=500, description="t=<unix>,v1=<hex HMAC>"),
    ] = None,
) -> None:
    """Only a body signed with the hook's secret, recently; one answer whatever was wrong."""
    secret = state.settings.events_webhook_secret
    now = int(state.clock.now().timestamp())
    body = await request.body()
    if not secret or signature is None or not signing.verify(secret, body, signature, now):
        raise NotAuthenticated(f"sign the body with the hook's secret in {signing.HEADER}")


@router.post(
    "/customer-events",
    status_code=201,
    response_model=CustomerEventOut,
    dependencies=[Depends(signed)],
    responses={200: {"model": CustomerEventOut, "description": "Posted before: that event"}},
    summary="Post a customer event from another system, signed instead of a token",
)
def post_signed_event(body: SignedEvent, uow: Annotated[UnitOfWork, Depends(get_uow)]) -> Response:
    fields = {"source": HOOK_SOURCE, **body.model_dump(exclude_none=True)}
    status = 201
    try:
        event, _ = events.post_customer_event(uow, SYSTEM, **fields)
    except Conflict:
        earlier = events.posted_event(uow, fields["source"], fields["external_id"])
        if earlier is None:
            raise
        event, status = earlier, 200
    [out] = present_events(uow, SYSTEM, [event])
    return Response(out.model_dump_json(), status, media_type="application/json")
