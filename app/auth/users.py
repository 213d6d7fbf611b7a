"""Creating users and reading their scope."""

from __future__ import annotations

import re
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import record_audit
from app.auth.passwords import hash_password
from app.auth.roles import check_role_scope
from app.auth.scope import Scope, scope_from_codes
from app.geography.queries import unknown_codes
from app.models import User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class UserExists(ValueError):
    pass


class Placed(Protocol):
    """A user's row, or a token's view of it (``app.auth.tokens.LiveToken``)."""

    @property
    def province(self) -> str | None: ...
    @property
    def district(self) -> str | None: ...
    @property
    def commune(self) -> str | None: ...


def user_scope(user: Placed) -> Scope:
    return Scope(province=user.province, district=user.district, commune=user.commune)


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.lower()))


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    province: str | None = None,
    district: str | None = None,
    commune: str | None = None,
    created_by: str | None = None,
    check_locations: bool = True,
) -> User:
    """Create a user; ValueError explains any bad argument. The caller commits.

    The scope's codes must be locations the database has (``check_locations``), so that a typo
    never makes a user who sees nothing."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ValueError(
            "username must be 2-64 characters: lowercase letters, digits, '.', '_', '-'"
        )
    scope = scope_from_codes(province, district, commune)
    check_role_scope(role, scope)
    levels = {scope.province: "province", scope.district: "district", scope.commune: "commune"}
    unknown = unknown_codes(session, [scope.province, scope.district, scope.commune])
    if unknown and check_locations:
        raise ValueError(
            f"unknown {levels[unknown[0]]} {unknown[0]}: no location has this code "
            "(GET /api/v1/locations lists them)"
        )
    if find_user(session, username) is not None:
        raise UserExists(f"user {username} already exists")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        province=scope.province,
        district=scope.district,
        commune=scope.commune,
    )
    session.add(user)
    session.flush()
    record_audit(
        session,
        action="user.create",
        actor=created_by,
        target_type="user",
        target_id=username,
        details={"role": role, "scope": scope.as_dict()},
    )
    return user
