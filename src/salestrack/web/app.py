"""Build the web app: its state (store, warehouse, secret), its router and a standalone app.

``create_web_router`` holds the pages; ``create_web_app`` wraps them with static files and the
error pages so the web app can run and be tested on its own. The API's app factory serves the
same pages beside the API through ``install_pages``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Engine

from salestrack.analytics.reader import WarehouseReader
from salestrack.analytics.warehouse import Warehouse
from salestrack.config import Settings, warehouse_path_for
from salestrack.domain.clock import Clock, SystemClock
from salestrack.web import errors
from salestrack.web.routes import (
    auth,
    board,
    day,
    field_routes,
    imports,
    insights,
    maps,
    records,
    team,
)

STATIC = Path(__file__).parent / "static"


class WebSettings(BaseSettings):
    """Settings only the web pages need (``SALESTRACK_WEB_*``, ``SALESTRACK_MAP_*``)."""

    model_config = SettingsConfigDict(env_prefix="SALESTRACK_", extra="ignore")

    map_tile_url: str = ""
    """e.g. ``https://tile.openstreetmap.org/{z}/{x}/{y}.png``; empty: the map has no tiles."""
    map_attribution: str = ""
    analytics_path: str | None = None
    warehouse_max_age_s: float = 60.0
    """Manager pages re-sync the warehouse when its last sync is older than this."""


@dataclass
class WebState:
    """What the pages need for the app's lifetime."""

    settings: Settings
    engine: Engine
    web: WebSettings
    reader: WarehouseReader
    clock: Clock = field(default_factory=SystemClock)


def create_web_router() -> APIRouter:
    """Every page; they find the :class:`WebState` on ``request.app.state.web``."""
    router = APIRouter(include_in_schema=False)
    for module in (auth, day, records, board, team, insights, maps, field_routes, imports):
        router.include_router(module.router)
    return router


def create_reader(settings: Settings, engine: Engine, web: WebSettings) -> WarehouseReader:
    """The warehouse reader of an app over ``engine``: the configured file, else the one beside
    the store the engine really opens (not the settings' default store)."""
    path = Path(web.analytics_path) if web.analytics_path else None
    configured = Path(settings.analytics_path) if settings.analytics_path else None
    store_url = engine.url.render_as_string(hide_password=False)
    warehouse = Warehouse(path or configured or warehouse_path_for(store_url))
    return WarehouseReader(engine, warehouse, max_age_s=web.warehouse_max_age_s)


def create_web_state(
    settings: Settings,
    engine: Engine,
    *,
    web: WebSettings | None = None,
    clock: Clock | None = None,
    reader: WarehouseReader | None = None,
) -> WebState:
    """The pages' state; ``reader`` shares the app's warehouse reader (one is made otherwise)."""
    web = web or WebSettings()
    reader = reader or create_reader(settings, engine, web)
    return WebState(settings, engine, web, reader, clock or SystemClock())


def create_web_app(
    settings: Settings,
    engine: Engine,
    *,
    web: WebSettings | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """A standalone app serving only the pages and their static files (``create_app`` serves
    them beside the API)."""
    app = FastAPI(title="salestrack web", docs_url=None, redoc_url=None, openapi_url=None)
    install_pages(app, settings, engine, web=web, clock=clock)
    return app


def install_pages(
    app: FastAPI,
    settings: Settings,
    engine: Engine,
    *,
    web: WebSettings | None = None,
    clock: Clock | None = None,
    reader: WarehouseReader | None = None,
) -> None:
    """Serve the pages, ``/static`` and the error pages on ``app``.

    Error handlers already on the app (the API's problem responses) keep answering requests
    under ``/api/``; everything else gets the error pages.
    """
    app.state.web = create_web_state(settings, engine, web=web, clock=clock, reader=reader)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(create_web_router())
    errors.install(app)
