"""Users as an administrator sees them, and what an administrator does to them: create (the
same rules as ``homeward create-user``), disable, enable, reset a password. Each function
works inside the caller's transaction and writes its audit line."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.admin.devices import later
from app.audit import record_audit
from app.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from app.auth.roles import ROLE_SCOPE_LEVELS, ROLES
from app.auth.scope import Scope
from app.auth.tokens import revoke_tokens
from app.auth.users import USERNAME, create_user, find_user, user_scope
from app.geography.queries import unknown_codes
from app.models import AuthToken, DeskSession, DeviceSync, User

# no look-alike characters (0/o, 1/l/i): read aloud or copied by hand from the screen
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class UnknownUser(LookupError):
    pass


class OwnAccount(ValueError):
    """An administrator may not disable their own account (nobody could enable it again)."""


@dataclass(frozen=True)
class UserView:
    username: str
    role: str
    scope: Scope
    active: bool
    created_at: datetime
    last_sign_in_at: datetime | None
    last_sync_at: datetime | None


@dataclass(frozen=True)
class PasswordReset:
    username: str
    temporary_password: str | None  # set when the server made it: shown once, stored nowhere
    revoked: int


def list_users(session: Session) -> list[UserView]:
    """Every user, by username, with their last sign-in (API or desk) and last sync (push or
    pull, from any device)."""
    signed_in = {
        user_id: at
        for user_id, at in session.execute(
            select(AuthToken.user_id, func.max(AuthToken.created_at)).group_by(AuthToken.user_id)
        )
    }
    synced: dict[str, datetime | None] = {}
    for username, pushed, pulled in session.execute(
        select(DeviceSync.username, DeviceSync.last_push_at, DeviceSync.last_pull_at)
    ).tuples():
        synced[username] = later(synced.get(username), later(pushed, pulled))
    return [
        UserView(
            username=user.username,
            role=user.role,
            scope=user_scope(user),
            active=user.active,
            created_at=user.created_at,
            last_sign_in_at=signed_in.get(user.id),
            last_sync_at=synced.get(user.username),
        )
        for user in session.scalars(select(User).order_by(User.username))
    ]


def view_of(session: Session, username: str) -> UserView:
    for found in list_users(session):
        if found.username == username:
            return found
    raise UnknownUser(username)


def scope_codes(code: str | None) -> dict[str, str | None]:
    """A location code as the scope's keyword arguments: 2 digits a province, 4 a district,
    6 a commune, empty national. ValueError for anything else."""
    code = (code or "").strip()
    if not code:
        return {"province": None, "district": None, "commune": None}
    level = {2: "province", 4: "district", 6: "commune"}.get(len(code))
    if level is None or not code.isdigit():
        raise ValueError(
            "the scope is a location code of 2 (province), 4 (district) or 6 (commune) digits, "
            "or empty for national"
        )
    return {"province": None, "district": None, "commune": None, level: code}


def add_user(
    session: Session,
    *,
    actor: str,
    username: str,
    password: str,
    role: str,
    province: str | None,
    district: str | None,
    commune: str | None,
) -> User:
    """``create_user`` with the administrator as its author: ValueError (UserExists) explains
    a refusal; the scope's codes must be known locations."""
    return create_user(
        session,
        username=username,
        password=password,
        role=role,
        province=province,
        district=district,
        commune=commune,
        created_by=actor,
    )


def _user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise UnknownUser(username)
    return user


def _end_sign_ins(session: Session, user: User, now: datetime) -> int:
    """Revoke every token of the user and end their desk sessions: at once, everywhere."""
    revoked = revoke_tokens(session, now=now, user_id=user.id)
    session.execute(
        update(DeskSession)
        .where(DeskSession.user_id == user.id, DeskSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    return revoked


def disable_user(session: Session, *, actor: str, username: str, now: datetime) -> User:
    """Disable the account: it can no longer sign in, and its tokens and sessions end now."""
    user = _user(session, username)
    if user.username == actor:
        raise OwnAccount("you cannot disable your own account")
    was_active = user.active
    user.active = False
    revoked = _end_sign_ins(session, user, now)
    record_audit(
        session,
        action="user.disable",
        actor=actor,
        target_type="user",
        target_id=user.username,
        details={"changed": was_active, "revoked": revoked},
    )
    return user


def enable_user(session: Session, *, actor: str, username: str) -> User:
    user = _user(session, username)
    was_active = user.active
    user.active = True
    record_audit(
        session,
        action="user.enable",
        actor=actor,
        target_type="user",
        target_id=user.username,
        details={"changed": not was_active},
    )
    return user


def temporary_password() -> str:
    """Twelve random characters in three groups: ``k7mq-2xrt-p9aw`` (about 59 bits)."""
    chars = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def reset_password(
    session: Session, *, actor: str, username: str, password: str | None, now: datetime
) -> PasswordReset:
    """Set a new password (the one given, or a temporary one made here and returned once).
    Every token and desk session of the user ends: whoever knew the old password is out.
    ValueError when the given password is too short."""
    user = _user(session, username)
    made = temporary_password() if password is None else None
    user.password_hash = hash_password(password if password is not None else str(made))
    user.must_change_password = True  # known to the admin: the user chooses their own next
    revoked = _end_sign_ins(session, user, now)
    record_audit(
        session,
        action="user.password_reset",
        actor=actor,
        target_type="user",
        target_id=user.username,
        details={"generated": made is not None, "revoked": revoked},
    )
    return PasswordReset(username=user.username, temporary_password=made, revoked=revoked)


# (field, problem code, parameters): what a form shows next to the field, in either language
Problem = tuple[str, str, dict[str, str]]


def new_user_problems(
    session: Session, *, username: str, password: str, role: str, scope_code: str
) -> list[Problem]:
    """Why a new user cannot be made from these form values (empty when it can): the checks
    of ``create_user``, one code per field, so that the desk can say each in Khmer too."""
    problems: list[Problem] = []
    name = username.strip().lower()
    if not USERNAME.match(name):
        problems.append(("username", "admin_username_invalid", {}))
    elif find_user(session, name) is not None:
        problems.append(("username", "admin_user_exists", {"username": name}))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(("password", "admin_password_short", {"n": str(MIN_PASSWORD_LENGTH)}))
    if role not in ROLES:
        problems.append(("role", "admin_role_required", {}))
    try:
        codes = scope_codes(scope_code)
    except ValueError:
        problems.append(("scope", "admin_scope_invalid", {}))
        return problems
    scope = Scope(**codes)
    if role in ROLES and scope.level not in ROLE_SCOPE_LEVELS[role]:
        levels = sorted(ROLE_SCOPE_LEVELS[role])
        problems.append(("scope", "admin_scope_level", {"levels": "/".join(levels)}))
    elif scope.code is not None and unknown_codes(session, [scope.code]):
        problems.append(("scope", "admin_scope_unknown", {"code": scope.code}))
    return problems
