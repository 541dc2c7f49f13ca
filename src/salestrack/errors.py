"""The one exception tree of salestrack.

Every error the project raises on purpose derives from :class:`SalestrackError`. The edges map
it in one place each (CLI exit code and a red line; later HTTP status and problem+json):

    SalestrackError
    ├── NotFound                 a record does not exist or is not visible to the actor
    ├── PermissionDenied         the actor may see the record but not do this to it
    ├── Conflict                 the change collides with the current state (duplicate key, ...)
    ├── ValidationFailed         one field of the input is wrong: ``field`` and ``reason``
    │   └── ImportRowError       the same, for one row of an imported file: plus ``line``
    ├── NotAuthenticated         no valid credentials (wrong password, unknown or revoked token)
    ├── RateLimited              too many attempts; try again after ``retry_after`` seconds
    └── ConfigurationError       settings or environment are unusable
"""

from __future__ import annotations


class SalestrackError(Exception):
    """Base of every error salestrack raises on purpose."""

    exit_code = 1


class NotFound(SalestrackError):
    """The record does not exist, or the actor may not see it (the two are not told apart)."""

    exit_code = 4

    def __init__(self, entity: str, key: object) -> None:
        self.entity = entity
        self.key = key
        super().__init__(f"{entity} {key!r} not found")


class PermissionDenied(SalestrackError):
    """The actor may not perform this action."""

    exit_code = 3

    def __init__(self, action: str, reason: str) -> None:
        self.action = action
        self.reason = reason
        super().__init__(f"not allowed to {action}: {reason}")


class Conflict(SalestrackError):
    """The change collides with the stored state, e.g. a duplicate natural key."""

    exit_code = 5


class WarehouseBusy(Conflict):
    """Another process holds the DuckDB warehouse file; DuckDB lets one process open it."""

    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(
            f"the warehouse {path} is held by another process (a running server syncs it on "
            "its timer); try again when it is free"
        )


class ValidationFailed(SalestrackError):
    """One input field is invalid; names the field and the reason."""

    exit_code = 2

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class ImportRowError(ValidationFailed):
    """A row of an imported file is invalid; names the line, the field and the reason."""

    def __init__(self, line: int, field: str, reason: str) -> None:
        self.line = line
        super().__init__(field, reason)
        self.args = (f"line {line}: {field}: {reason}",)


class NotAuthenticated(SalestrackError):
    """The caller did not prove who they are; never says which part of the proof was wrong."""

    exit_code = 8


class RateLimited(SalestrackError):
    """Too many attempts in a short time (e.g. failed sign-ins); retry after a while."""

    exit_code = 9

    def __init__(self, reason: str, retry_after: int) -> None:
        self.reason = reason
        self.retry_after = retry_after
        super().__init__(f"{reason}; try again in {retry_after} s")


class ConfigurationError(SalestrackError):
    """Settings or the environment cannot be used."""

    exit_code = 6
