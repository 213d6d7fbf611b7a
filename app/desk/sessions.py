"""Desk sessions: start at sign-in, look up on every request, end at sign-out, on idle expiry
or when the API token issued with them is revoked or expires."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.auth.principal import Principal, principal_of_user
from app.auth.tokens import hash_token
from app.models import AuthToken, DeskSession, User

COOKIE = "homeward_desk"
DEVICE_PREFIX = "desk:"


@dataclass(frozen=True)
class LiveSession:
    id_hash: str
    csrf_token: str
    principal: Principal
    must_change_password: bool = False  # an admin reset it: the desk asks for a new one first


def hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def device_for(session_id: str) -> str:
    """The device id of the session's API token: names the session without revealing it."""
    return DEVICE_PREFIX + hash_id(session_id)[:16]


def start_session(
    session: Session, *, session_id: str, user: User, token_id: int, now: datetime
) -> str:
    """Store a new session; returns its CSRF token. The caller commits."""
    csrf = secrets.token_urlsafe(32)
    session.add(
        DeskSession(
            id_hash=hash_id(session_id),
            token_id=token_id,
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
        )
    )
    return csrf


def token_id_of(session: Session, token: str) -> int:
    """The id of a token issued in this transaction (the session's own token)."""
    token_id = session.scalar(select(AuthToken.id).where(AuthToken.token_hash == hash_token(token)))
    if token_id is None:
        raise LookupError("no such token")
    return int(token_id)


def live_session(
    session: Session, session_id: str, *, now: datetime, idle: timedelta
) -> LiveSession | None:
    """The session behind a cookie, or None when unknown, ended, idle too long, its token
    revoked or expired, or its user inactive. A live one is touched (idle clock restarts)."""
    row = session.execute(
        select(DeskSession, AuthToken, User)
        .join(AuthToken, AuthToken.id == DeskSession.token_id)
        .join(User, User.id == DeskSession.user_id)
        .where(DeskSession.id_hash == hash_id(session_id))
    ).first()
    if row is None:
        return None
    desk, token, user = row.tuple()
    if (
        desk.ended_at is not None
        or desk.last_seen_at + idle <= now
        or token.revoked_at is not None
        or token.expires_at <= now
        or not user.active
    ):
        return None
    desk.last_seen_at = now
    return LiveSession(
        id_hash=desk.id_hash,
        csrf_token=desk.csrf_token,
        principal=principal_of_user(user, device_id=token.device_id, token_id=token.id),
        must_change_password=bool(user.must_change_password),
    )


def end_session(session: Session, live: LiveSession, *, now: datetime) -> None:
    """End the session and revoke its token. The caller commits."""
    session.execute(
        update(DeskSession).where(DeskSession.id_hash == live.id_hash).values(ended_at=now)
    )
    session.execute(
        update(AuthToken)
        .where(AuthToken.id == live.principal.token_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
