"""Opaque bearer tokens: issued at sign-in, looked up by hash, revocable one by one,
per device, or per user."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.db.prepared import Prepared
from app.models import AuthToken, User


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, user: User, *, device_id: str | None, now: datetime, ttl: timedelta
) -> IssuedToken:
    token = "hw_" + secrets.token_urlsafe(32)
    expires_at = now + ttl
    session.add(
        AuthToken(
            token_hash=hash_token(token),
            user_id=user.id,
            device_id=device_id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return IssuedToken(token=token, expires_at=expires_at)


class LiveToken(NamedTuple):
    """A live token and what a principal needs of its user."""

    token_id: int
    device_id: str | None
    user_id: int
    username: str
    role: str
    province: str | None
    district: str | None
    commune: str | None


_RESOLVE = Prepared(
    select(
        AuthToken.id,
        AuthToken.device_id,
        User.id,
        User.username,
        User.role,
        User.province,
        User.district,
        User.commune,
        AuthToken.revoked_at,
        AuthToken.expires_at,
        User.active,
    )
    .join(User, User.id == AuthToken.user_id)
    .where(AuthToken.token_hash == bindparam("token_hash"))
)


def resolve_token(session: Session, token: str, *, now: datetime) -> LiveToken | None:
    """The live token and its active user, or None when unknown, expired or revoked.
    (Every authenticated request asks: one statement compiled once, ``app.db.prepared``.)"""
    row = _RESOLVE.first(session, token_hash=hash_token(token))
    if row is None:
        return None
    *live, revoked_at, expires_at, active = row
    if revoked_at is not None or expires_at <= now or not active:
        return None
    return LiveToken._make(live)


def revoke_tokens(
    session: Session,
    *,
    now: datetime,
    token_id: int | None = None,
    user_id: int | None = None,
    device_id: str | None = None,
) -> int:
    """Revoke the live tokens matching every given criterion; returns how many."""
    if token_id is None and user_id is None and device_id is None:
        raise ValueError("name a token, a user or a device")
    stmt = update(AuthToken).where(AuthToken.revoked_at.is_(None)).values(revoked_at=now)
    if token_id is not None:
        stmt = stmt.where(AuthToken.id == token_id)
    if user_id is not None:
        stmt = stmt.where(AuthToken.user_id == user_id)
    if device_id is not None:
        stmt = stmt.where(AuthToken.device_id == device_id)
    result = session.execute(stmt)
    return int(result.rowcount)  # type: ignore[attr-defined]
