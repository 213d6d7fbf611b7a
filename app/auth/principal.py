"""Who is calling: the authorised principal every ``/api/v1`` route depends on.

``require(action)`` is the one gate: it authenticates the bearer token, checks that the
role may perform ``action`` (a verb of ``app.auth.roles.PERMISSIONS``) and returns the
principal whose ``scope`` every query then takes. A test walks every ``/api/v1`` route
and fails when one does not declare it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from app.auth.roles import PERMISSIONS, may
from app.auth.scope import Scope
from app.auth.tokens import LiveToken, resolve_token
from app.auth.users import user_scope
from app.clock import now_utc
from app.db.session import SessionDep
from app.errors import ApiError
from app.models import User

bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    role: str
    scope: Scope
    token_id: int
    device_id: str | None


def authenticate(session: SessionDep, token: Annotated[str | None, Depends(bearer)]) -> Principal:
    if not token:
        raise ApiError("not_authenticated", headers={"WWW-Authenticate": "Bearer"})
    found = resolve_token(session, token, now=now_utc())
    if found is None:
        raise ApiError("invalid_token", headers={"WWW-Authenticate": "Bearer"})
    return principal_of(found)


def principal_of(found: LiveToken) -> Principal:
    """The principal of a live token (``app.auth.tokens.resolve_token``)."""
    return Principal(
        user_id=found.user_id,
        username=found.username,
        role=found.role,
        scope=user_scope(found),
        token_id=found.token_id,
        device_id=found.device_id,
    )


def principal_of_user(user: User, *, device_id: str | None, token_id: int = 0) -> Principal:
    """The principal of a user's row: a Basic sign-in, a desk session's token, the demo's
    own writers (``token_id`` 0: no API token)."""
    assert user.id is not None
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        scope=user_scope(user),
        token_id=token_id,
        device_id=device_id,
    )


def require(action: str) -> Callable[[Principal], Principal]:
    """A dependency that returns the principal if its role may perform ``action``."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}: add it to app.auth.roles.PERMISSIONS")

    def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not may(principal.role, action):
            raise ApiError("forbidden", f"Your role ({principal.role}) may not do this: {action}.")
        return principal

    dependency.__name__ = f"require_{action.replace('.', '_')}"
    dependency.homeward_action = action  # type: ignore[attr-defined]
    return dependency
