"""Settings, read from the environment (``SALESTRACK_*``) when asked for, never at import."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite:///./salestrack.db"
DEFAULT_ANALYTICS_FILE = "salestrack.duckdb"


class Settings(BaseSettings):
    """Runtime configuration; build it with ``Settings()`` at an edge and pass it inward."""

    model_config = SettingsConfigDict(env_prefix="SALESTRACK_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    default_time_zone: str = "UTC"
    default_currency: str = "USD"

    # API and sign-in (issue 5). Cookies are marked Secure when served over HTTPS.
    cookie_secure: bool = False
    session_hours: int = 12
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 50
    login_window_minutes: int = 15
    # Webhooks: a background loop in each API process delivers; retries back off exponentially.
    webhooks_enabled: bool = True
    webhook_poll_seconds: float = 1.0
    webhook_timeout_seconds: float = 5.0
    webhook_max_attempts: int = 8
    webhook_backoff_seconds: float = 30.0
    webhook_disable_after_failures: int = 20
    events_webhook_secret: str | None = None
    """Signs customer events posted to ``/api/v1/hooks/customer-events``; unset: hook closed."""
    # Automation: the agenda e-mail and the in-process scheduler.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "salestrack@localhost"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    agenda_hour: int = 7
    rules_every_minutes: int = 15
    scheduler_enabled: bool = False
    """Run the automation scheduler inside the app (``salestrack serve`` turns it on)."""
    # Field check-ins within this distance of the account's location are verified.
    checkin_radius_m: float = 200.0
    # E-mail domains of the team besides users' own addresses (JSON list in the environment,
    # e.g. SALESTRACK_TEAM_DOMAINS='["ours.example"]'): decides a message's direction.
    team_domains: list[str] = []
    analytics_path: str | None = None
    """The DuckDB warehouse file; by default next to a SQLite store, else in the working dir."""
    sync_every_seconds: float = 30.0
    """The server brings the warehouse up to date this often (0: only on demand)."""

    def warehouse_path(self, database_url: str | None = None) -> Path:
        """Where the analytics warehouse lives for this store (see :func:`warehouse_path_for`)."""
        if self.analytics_path:
            return Path(self.analytics_path)
        return warehouse_path_for(database_url or self.database_url)

    def currency(self, given: str | None) -> str:
        """The currency money is added up in: the one asked for, else the default, in capitals
        (``check_currency`` in the metrics and insights refuses anything else)."""
        return (given or self.default_currency).upper()

    def configured_warehouse(self, database_url: str | None = None) -> Path | None:
        """The warehouse to sync after every import and capture, if there is one.

        ``analytics_path`` when set, else the file beside a SQLite store. A server store names no
        place of its own: syncing it into ``./salestrack.duckdb`` of whatever directory a command
        runs in would scatter stale copies, so it is synced only once a path is configured.
        """
        if self.analytics_path:
            return Path(self.analytics_path)
        store = _sqlite_file(database_url or self.database_url)
        return store.with_suffix(".duckdb") if store is not None else None


def _sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite store; None for a server database or an in-memory one."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database)
    return None


def warehouse_path_for(database_url: str) -> Path:
    """``/x/crm.db`` gets ``/x/crm.duckdb``; a server database gets ``./salestrack.duckdb``.

    Keeping the warehouse beside a SQLite file means two stores never share one warehouse.
    """
    store = _sqlite_file(database_url)
    return store.with_suffix(".duckdb") if store is not None else Path(DEFAULT_ANALYTICS_FILE)
