"""Who is acting: the identity every service call carries, for permission checks and audit."""

from __future__ import annotations

from dataclasses import dataclass

from salestrack.domain.vocab import Role


@dataclass(frozen=True)
class Actor:
    """A user acting (id set) or the system itself (id None, e.g. the CLI on the server)."""

    id: int | None
    role: Role
    team_id: int | None
    label: str

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER


SYSTEM = Actor(id=None, role=Role.ADMIN, team_id=None, label="system")
