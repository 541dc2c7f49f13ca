"""The caller's private calendar feed: create or replace it, and serve it to calendar apps.

``router`` lives under ``/api/v1`` like every API route. ``feed_router`` is public on purpose:
calendar apps cannot send a token or a cookie, so the random token in the URL is the secret
(only its hash is stored), an unknown or replaced one is a plain 404, and it is left out of the
API schema, whose every route needs credentials.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from salestrack.api.context import Reader, Reply, Writer, get_uow
from salestrack.api.problems import PROBLEM_RESPONSES
from salestrack.api.schemas.automation import CalendarFeedOut
from salestrack.automation import calendar_feed
from salestrack.store.uow import UnitOfWork

router = APIRouter(prefix="/calendar-feed", tags=["calendar feed"], responses=PROBLEM_RESPONSES)
feed_router = APIRouter(include_in_schema=False)
Uow = Annotated[UnitOfWork, Depends(get_uow)]
MEDIA_TYPE = "text/calendar; charset=utf-8"


@router.get("", response_model=CalendarFeedOut, summary="Whether you have a live calendar feed")
def status(principal: Reader, uow: Uow) -> CalendarFeedOut:
    feed = calendar_feed.active_feed(uow, principal.actor)
    return CalendarFeedOut(active=feed is not None, created_at=feed.created_at if feed else None)


@router.post(
    "",
    status_code=201,
    response_model=CalendarFeedOut,
    summary="Create your private calendar feed URL, replacing the one you had",
)
def create(request: Request, write: Writer) -> Response:
    def produce() -> Reply:
        path = calendar_feed.create_feed(write.uow, write.actor)
        feed = calendar_feed.active_feed(write.uow, write.actor)
        created = feed.created_at if feed else None
        return Reply(
            CalendarFeedOut(
                active=True,
                created_at=created,
                url=calendar_feed.feed_url(str(request.base_url), path),
            ),
            201,
            # The URL is a secret: a retry with the same key is told the feed exists, not it.
            replay_body=CalendarFeedOut(active=True, created_at=created),
        )

    return write.run(produce)


@feed_router.api_route(calendar_feed.FEED_PATH, methods=["GET", "HEAD"])
def feed(token: str, uow: Uow) -> Response:
    """The ``.ics`` of the token's owner; subscribed to, so nobody caches a copy on the way."""
    return Response(
        calendar_feed.render_feed(uow, token),
        media_type=MEDIA_TYPE,
        headers={"Cache-Control": "private, no-store"},
    )
