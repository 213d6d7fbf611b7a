"""Roles, the scope each may hold, and the one table of what each may do."""

from __future__ import annotations

from app.auth.scope import Scope

ROLES = ("inspector", "ccwc", "social_worker", "dosvy_supervisor", "mosvy", "admin")

# The scope levels a role may be given (DOMAIN.md, "Who uses it").
ROLE_SCOPE_LEVELS: dict[str, frozenset[str]] = {
    "inspector": frozenset({"province", "district"}),
    "ccwc": frozenset({"commune"}),
    "social_worker": frozenset({"province", "district"}),
    "dosvy_supervisor": frozenset({"province"}),
    "mosvy": frozenset({"national"}),
    "admin": frozenset({"national"}),
}

_ALL = frozenset(ROLES)
_FIELD = frozenset({"inspector", "ccwc", "social_worker"})

# Every action a route may require. A route names exactly one.
PERMISSIONS: dict[str, frozenset[str]] = {
    "me.read": _ALL,
    "token.revoke": _ALL,
    "token.revoke_others": frozenset({"admin"}),
    "user.manage": frozenset({"admin"}),
    "location.read": _ALL,
    "form.read": _ALL,
    "form.publish": frozenset({"admin"}),
    "record.read": _ALL,
    "sync.push": _FIELD | {"dosvy_supervisor"},
    "sync.pull": _ALL,
    "attachment.write": _FIELD | {"dosvy_supervisor"},
    "attachment.read": _ALL,
    "record.review": frozenset({"dosvy_supervisor", "mosvy"}),
    "placement.act": frozenset({"dosvy_supervisor", "mosvy"}),
    "placement.authorize": frozenset({"dosvy_supervisor"}),
    "placement.certify": frozenset({"mosvy"}),
    "placement.decline": frozenset({"dosvy_supervisor", "mosvy"}),
    "conflict.resolve": frozenset({"dosvy_supervisor", "mosvy"}),
    "indicator.read": frozenset({"dosvy_supervisor", "mosvy", "admin"}),
    "audit.read": frozenset({"mosvy", "admin"}),
}


def may(role: str, action: str) -> bool:
    return role in PERMISSIONS[action]


def check_role_scope(role: str, scope: Scope) -> None:
    """Raise ValueError when ``scope`` is not one this role may hold."""
    if role not in ROLE_SCOPE_LEVELS:
        raise ValueError(f"unknown role {role!r}; roles are: {', '.join(ROLES)}")
    allowed = ROLE_SCOPE_LEVELS[role]
    if scope.level not in allowed:
        raise ValueError(
            f"role {role} needs a scope of level {' or '.join(sorted(allowed))}, got {scope.level}"
        )
