"""Users and teams: who sells, who manages, and how they sign in."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from salestrack.domain import rules
from salestrack.domain.actor import SYSTEM, Actor
from salestrack.domain.vocab import Role
from salestrack.errors import Conflict, PermissionDenied, ValidationFailed
from salestrack.services.fields import Rules, apply, ensure_link, validate
from salestrack.services.permissions import require_admin
from salestrack.store.models import Team, User
from salestrack.store.uow import UnitOfWork

MIN_PASSWORD = 10

USER_FIELDS: Rules = {
    "email": lambda v: rules.normalize_email("email", v) or _missing("email"),
    "name": lambda v: rules.require_text("name", v, max_len=200),
    "role": lambda v: rules.choice("role", v, [r.value for r in Role]),
    "team_id": lambda v: v,
    "time_zone": lambda v: rules.time_zone("time_zone", v),
    "locale": lambda v: rules.choice("locale", v, ("en", "vi")),
    "is_active": bool,
}

TEAM_FIELDS: Rules = {
    "name": lambda v: rules.require_text("name", v, max_len=120),
    "manager_id": lambda v: v,
    "time_zone": lambda v: rules.time_zone("time_zone", v),
    "holidays": lambda v: [str(d) for d in v],
}


def _missing(field: str) -> str:
    raise ValidationFailed(field, "is required")


def actor_for(user: User) -> Actor:
    """The identity a signed-in user acts under."""
    return Actor(id=user.id, role=Role(user.role), team_id=user.team_id, label=user.email)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed("password", f"must be at least {MIN_PASSWORD} characters")
    return PasswordHasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def _add_team(uow: UnitOfWork, values: dict[str, Any]) -> Team:
    ensure_link(uow.users, values.get("manager_id"), "manager_id")
    if uow.teams.find_one(name=values["name"]):
        raise Conflict(f"a team named {values['name']!r} already exists")
    return uow.teams.add(Team(**values))


def create_team(uow: UnitOfWork, actor: Actor, *, name: str, **fields: Any) -> Team:
    require_admin(actor, "create a team")
    with uow(actor, "team.created"):
        team = _add_team(uow, validate(TEAM_FIELDS, {"name": name, **fields}))
        uow.commit()
    return team


def update_team(uow: UnitOfWork, actor: Actor, team_id: int, **changes: Any) -> Team:
    require_admin(actor, "change a team")
    with uow(actor, "team.updated"):
        team = uow.teams.get_visible(team_id)
        values = validate(TEAM_FIELDS, changes)
        ensure_link(uow.users, values.get("manager_id"), "manager_id")
        apply(team, values)
        uow.commit()
    return team


def _add_user(uow: UnitOfWork, values: dict[str, Any], password: str | None) -> User:
    ensure_link(uow.teams, values.get("team_id"), "team_id")
    if uow.users.find_one(email=values["email"]):
        raise Conflict(f"a user with e-mail {values['email']} already exists")
    user = User(**values)
    user.password_hash = hash_password(password) if password is not None else None
    return uow.users.add(user)


def create_user(
    uow: UnitOfWork,
    actor: Actor,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    **fields: Any,
) -> User:
    """Add a user; only admins may, and e-mail addresses are unique regardless of case."""
    require_admin(actor, "add a user")
    with uow(actor, "user.created"):
        values = validate(USER_FIELDS, {"email": email, "name": name, "role": role, **fields})
        user = _add_user(uow, values, password)
        uow.commit()
    return user


def add_user_to_team(
    uow: UnitOfWork,
    actor: Actor,
    *,
    email: str,
    name: str,
    role: str,
    team: str,
    password: str | None = None,
) -> User:
    """Add a user to a team by name, creating the team when missing; a manager leads it.

    One transaction: when anything is wrong, neither the team nor the user is written.
    """
    require_admin(actor, "add a user")
    with uow(actor, "user.created"):
        values = validate(USER_FIELDS, {"email": email, "name": name, "role": role})
        team_name = validate(TEAM_FIELDS, {"name": team})["name"]
        found = uow.teams.find_one(name=team_name) or _add_team(uow, {"name": team_name})
        user = _add_user(uow, {**values, "team_id": found.id}, password)
        if user.role == Role.MANAGER:
            found.manager_id = user.id
        uow.commit()
    return user


def update_user(uow: UnitOfWork, actor: Actor, user_id: int, **changes: Any) -> User:
    """Change a user; people may edit their own name, zone and locale, admins anything."""
    self_editable = {"name", "time_zone", "locale"}
    if not actor.is_admin and not (actor.id == user_id and set(changes) <= self_editable):
        raise PermissionDenied("change this user", "only an admin may")
    with uow(actor, "user.updated"):
        user = uow.users.get_visible(user_id)
        values = validate(USER_FIELDS, changes)
        ensure_link(uow.teams, values.get("team_id"), "team_id")
        apply(user, values)
        uow.commit()
    return user


def set_password(uow: UnitOfWork, actor: Actor, user_id: int, password: str) -> None:
    if not (actor.is_admin or actor.id == user_id):
        raise PermissionDenied("set this password", "only the user or an admin may")
    with uow(actor, "user.password_set"):
        user = uow.users.get_visible(user_id)
        user.password_hash = hash_password(password)
        uow.commit()


def authenticate(uow: UnitOfWork, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (never says which was wrong)."""
    with uow(SYSTEM, "user.authenticate"):
        user = uow.users.find_one(email=email.strip().lower(), is_active=True)
    if user is None or not verify_password(user.password_hash, password):
        return None
    return user
