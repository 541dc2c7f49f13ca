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
    # Automation: the agenda e-mail and the in-process scheduler.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "salestrack@localhost"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    agenda_hour: int = 7
    rules_every_minutes: int = 15
