"""The FastAPI application factory: nothing is built until ``create_app`` is called."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

from salestrack import __version__
from salestrack.api import problems
from salestrack.api.context import ApiState
from salestrack.api.resource import API_PREFIX, router_for
from salestrack.api.resources import RESOURCES
from salestrack.api.routes import (
    audit,
    auth,
    calendar,
    experiments,
    hooks,
    imports,
    insights,
    metrics,
    webhooks,
)
from salestrack.automation.runner import start_scheduler
from salestrack.config import Settings
from salestrack.domain.clock import Clock, SystemClock
from salestrack.store.engine import make_engine
from salestrack.store.uow import UnitOfWork
from salestrack.web.app import WebSettings, create_reader, install_pages
from salestrack.webhooks.dispatcher import Dispatcher, policy_from

DESCRIPTION = """\
Capture sales activities with their outcomes, and the records around them.

Authenticate with `Authorization: Bearer <token>` (tokens from `POST /api/v1/auth/tokens`) or
with the session cookie from `POST /api/v1/auth/login` plus the `X-CSRF-Token` header on writes.
Every write accepts `Idempotency-Key`; updates accept `If-Match` with the record's `ETag`.
Errors are `application/problem+json` naming the field and the reason.
"""


def create_app(
    settings: Settings,
    engine: Engine | None = None,
    *,
    clock: Clock | None = None,
    pages: bool = True,
    web: WebSettings | None = None,
) -> FastAPI:
    """Build the one app over ``engine`` (or one made from the settings, disposed at shutdown).

    The API lives under ``/api/v1``; unless ``pages`` is false the web pages and ``/static`` are
    served beside it. With ``settings.scheduler_enabled`` the automation scheduler runs for the
    app's lifetime, and with it the warehouse sync every ``settings.sync_every_seconds``.
    """
    owns_engine = engine is None
    engine = engine if engine is not None else make_engine(settings.database_url)
    web = web or WebSettings()
    state = ApiState(
        settings=settings,
        engine=engine,
        reader=create_reader(settings, engine, web),
        clock=clock or SystemClock(),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        dispatcher = None
        if settings.webhooks_enabled:
            dispatcher = Dispatcher(
                UnitOfWork(state.engine, state.clock),
                policy_from(settings),
                timeout=settings.webhook_timeout_seconds,
                poll_seconds=settings.webhook_poll_seconds,
            )
            dispatcher.start()
        scheduler = None
        if settings.scheduler_enabled:
            # The timer syncs the warehouse the pages, metrics and insights read, through its
            # lock; each worker takes its warehouse file before the timer first syncs it.
            state.reader.open()
            scheduler = start_scheduler(
                state.engine, settings, state.clock, warehouse=state.reader.syncs
            )
        try:
            yield
        finally:
            state.imports.close()  # running imports finish; waiting ones are marked failed
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            if dispatcher is not None:
                dispatcher.stop()
            state.reader.close()  # the DuckDB connection of the pages, metrics and insights
            if owns_engine:
                state.engine.dispose()

    app = FastAPI(
        title="salestrack API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.salestrack = state
    problems.install(app)
    if pages:
        install_pages(
            app, state.settings, state.engine, web=web, clock=state.clock, reader=state.reader
        )
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(auth.router)
    for resource in RESOURCES:
        api.include_router(router_for(resource))
    api.include_router(audit.router)
    api.include_router(webhooks.router)
    api.include_router(imports.router)
    api.include_router(metrics.router)
    api.include_router(insights.router)
    api.include_router(experiments.router)
    api.include_router(calendar.router)
    api.include_router(hooks.router)
    app.include_router(api)
    app.include_router(calendar.feed_router)  # public: the token in its URL is the secret
    return app


def app_from_env() -> FastAPI:
    """The app for ``uvicorn --factory``: settings from ``SALESTRACK_*`` in each worker."""
    return create_app(Settings())
