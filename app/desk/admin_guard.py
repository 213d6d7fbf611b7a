"""The administration pages' gate: a desk session whose role may perform the page's action
(``app.auth.roles.PERMISSIONS``: the admin role), others 403; for a POST the CSRF check first
(the one of app.desk.views)."""

from __future__ import annotations

from collections.abc import Callable

from app.auth.roles import PERMISSIONS
from app.desk.sessions import LiveSession
from app.desk.views import CheckedDep, StaffDep
from app.desk.web import permitted


def _check(live: LiveSession, action: str) -> LiveSession:
    return permitted(live, action, "admin_only")


def allowed(action: str) -> Callable[[LiveSession], LiveSession]:
    """A dependency for a page (GET): the live session, if its role may ``action``."""
    if action not in PERMISSIONS:
        raise KeyError(action)

    def dependency(live: StaffDep) -> LiveSession:
        return _check(live, action)

    return dependency


def allowed_post(action: str) -> Callable[[LiveSession], LiveSession]:
    """The same for a POST, after its CSRF token is checked."""
    if action not in PERMISSIONS:
        raise KeyError(action)

    def dependency(live: CheckedDep) -> LiveSession:
        return _check(live, action)

    return dependency
