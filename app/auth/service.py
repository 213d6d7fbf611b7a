"""Sign-in and revocation: the decisions, each inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.audit import record_audit
from app.auth import throttle
from app.auth.passwords import verify_password
from app.auth.roles import may
from app.auth.tokens import IssuedToken, issue_token, revoke_tokens
from app.auth.users import find_user
from app.errors import ApiError
from app.models import User
from app.settings import Settings


def sign_in(
    session: Session,
    *,
    username: str,
    password: str,
    device_id: str | None,
    now: datetime,
    settings: Settings,
) -> tuple[User, IssuedToken]:
    """Check the password (after the throttle) and issue a token, or raise ApiError.

    Failures are committed by the caller too: a failed attempt must be remembered.
    """
    name = username.strip().lower()[:64]
    wait = throttle.seconds_to_wait(
        session,
        name,
        now=now,
        free=settings.login_free_failures,
        cap_seconds=settings.login_max_delay_seconds,
    )
    if wait:
        record_audit(
            session,
            action="login.throttled",
            actor=name,
            device_id=device_id,
            details={"retry_after": wait},
        )
        raise ApiError(
            "too_many_attempts",
            f"Too many failed sign-ins for this account: try again in {wait} s.",
            headers={"Retry-After": str(wait)},
        )
    user = find_user(session, name)
    if user is None or not user.active or not verify_password(user.password_hash, password):
        failures = throttle.note_failure(session, name, now=now)
        record_audit(
            session,
            action="login.failed",
            actor=name,
            device_id=device_id,
            details={"consecutive_failures": failures},
        )
        raise ApiError("invalid_credentials")
    throttle.clear_failures(session, name)
    issued = issue_token(
        session, user, device_id=device_id, now=now, ttl=timedelta(hours=settings.token_ttl_hours)
    )
    record_audit(session, action="login.succeeded", actor=user.username, device_id=device_id)
    return user, issued


def revoke(
    session: Session,
    *,
    actor_username: str,
    actor_role: str,
    actor_token_id: int,
    actor_device_id: str | None,
    username: str | None,
    device_id: str | None,
    now: datetime,
) -> int:
    """Revoke the caller's own token, or (admins) every token of a user and/or a device."""
    target_id: str | None
    if username is None and device_id is None:
        count = revoke_tokens(session, now=now, token_id=actor_token_id)
        target_type, target_id = "token", str(actor_token_id)
    else:
        if not may(actor_role, "token.revoke_others"):
            raise ApiError("forbidden", "Only an administrator may revoke other tokens.")
        user_id: int | None = None
        if username is not None:
            user = find_user(session, username)
            if user is None:
                raise ApiError("not_found", f"No user {username}.")
            user_id = user.id
        count = revoke_tokens(session, now=now, user_id=user_id, device_id=device_id)
        target_type = "user" if username else "device"
        target_id = username if username else device_id
    record_audit(
        session,
        action="token.revoke",
        actor=actor_username,
        device_id=actor_device_id,
        target_type=target_type,
        target_id=target_id,
        details={"revoked": count},
    )
    return count
