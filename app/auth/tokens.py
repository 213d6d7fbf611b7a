"""Opaque bearer tokens: issued at sign-in, looked up by hash, revocable one by one,
per device, or per user."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

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


def resolve_token(session: Session, token: str, *, now: datetime) -> tuple[AuthToken, User] | None:
    """The live token and its active user, or None when unknown, expired or revoked."""
    row = session.execute(
        select(AuthToken, User)
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    auth_token, user = row.tuple()
    if auth_token.revoked_at is not None or auth_token.expires_at <= now or not user.active:
        return None
    return auth_token, user


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
