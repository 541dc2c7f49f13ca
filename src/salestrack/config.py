"""Settings, read from the environment (``SALESTRACK_*``) when asked for, never at import."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./salestrack.db"


class Settings(BaseSettings):
    """Runtime configuration; build it with ``Settings()`` at an edge and pass it inward."""

    model_config = SettingsConfigDict(env_prefix="SALESTRACK_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    default_time_zone: str = "UTC"
    default_currency: str = "USD"
    # Field check-ins within this distance of the account's location are verified.
    checkin_radius_m: float = 200.0
    # E-mail domains of the team besides users' own addresses (JSON list in the environment,
    # e.g. SALESTRACK_TEAM_DOMAINS='["ours.example"]'): decides a message's direction.
    team_domains: list[str] = []
