"""Which desk pages a role sees in the header, in order."""

from __future__ import annotations

from typing import NamedTuple

from app.auth.roles import FIELD_ROLES

_STAFF = frozenset({"dosvy_supervisor", "mosvy", "admin"})
_REVIEWERS = frozenset({"dosvy_supervisor", "mosvy"})
_FIELD = frozenset(FIELD_ROLES)


class NavItem(NamedTuple):
    key: str  # message key of the label
    href: str
    roles: frozenset[str]


NAV: tuple[NavItem, ...] = (
    NavItem("nav_queue", "/review", _STAFF),
    NavItem("nav_placements", "/review/placements", _STAFF),
    NavItem("nav_conflicts", "/review/conflicts", _STAFF),
    NavItem("nav_coverage", "/review/coverage", _STAFF),
    NavItem("nav_indicators", "/review/indicators", _STAFF),
    NavItem("nav_exports", "/review/exports", _STAFF),
    NavItem("nav_audit", "/review/audit", frozenset({"mosvy", "admin"})),
    NavItem("nav_users", "/review/users", frozenset({"admin"})),
    NavItem("nav_devices", "/review/devices", frozenset({"admin"})),
    NavItem("nav_forms", "/review/forms", frozenset({"admin"})),
    NavItem("nav_collect", "/review/collect", _FIELD),
)


def nav_for(role: str, path: str) -> list[tuple[str, str, bool]]:
    """``(label key, href, current)`` for each page ``role`` may open; current = longest match."""
    items = [item for item in NAV if role in item.roles]
    current = max(
        (i.href for i in items if path == i.href or path.startswith(i.href + "/")),
        key=len,
        default=None,
    )
    return [(i.key, i.href, i.href == current) for i in items]
