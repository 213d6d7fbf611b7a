"""Roles, the scope each may hold, and the one table of what each may do."""

from __future__ import annotations

from typing import Literal, get_args

from app.auth.scope import Scope

# The one list of roles (DOMAIN.md, "Who uses it"); form schemas and XLSForm import use it.
Role = Literal["inspector", "ccwc", "social_worker", "dosvy_supervisor", "mosvy", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
FIELD_ROLES: tuple[Role, ...] = ("inspector", "ccwc", "social_worker")

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
_FIELD = frozenset(FIELD_ROLES)

# Every action the server checks: a route names exactly one in ``require``; a service checks a
# finer one with ``may`` (placement steps, revoking others' tokens, reading a draft form). A
# test fails when a verb here is used nowhere.
PERMISSIONS: dict[str, frozenset[str]] = {
    "me.read": _ALL,
    "token.revoke": _ALL,
    "token.revoke_others": frozenset({"admin"}),
    "location.read": _ALL,
    "form.read": _ALL,
    "form.publish": frozenset({"admin"}),
    "form.read_draft": frozenset({"admin"}),
    "form.retire": frozenset({"admin"}),
    "user.manage": frozenset({"admin"}),
    "device.manage": frozenset({"admin"}),
    "collect.configure": _FIELD,  # the desk's "Configure ODK Collect", for one's own device
    "record.read": _ALL,
    "sync.push": _FIELD | {"dosvy_supervisor"},
    "sync.pull": _ALL,
    "attachment.write": _FIELD | {"dosvy_supervisor"},
    "attachment.read": _ALL,
    "record.review": frozenset({"dosvy_supervisor", "mosvy"}),
    "placement.act": frozenset({"dosvy_supervisor", "mosvy"}),
    "placement.authorize": frozenset({"dosvy_supervisor"}),
    "placement.certify": frozenset({"mosvy"}),
    "placement.decline_recommended": frozenset({"dosvy_supervisor"}),
    "placement.decline_authorized": frozenset({"mosvy"}),
    "conflict.resolve": frozenset({"dosvy_supervisor", "mosvy"}),
    "export.read": frozenset({"dosvy_supervisor", "mosvy", "admin"}),
    "audit.read": frozenset({"mosvy", "admin"}),
    "indicators.read": frozenset({"dosvy_supervisor", "mosvy", "admin"}),
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
