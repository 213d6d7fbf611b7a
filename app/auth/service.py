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
    client_address: str,
    now: datetime,
    settings: Settings,
) -> tuple[User, IssuedToken]:
    """Count the attempt (the throttle), check the password and issue a token, or raise
    ApiError. The attempt is committed here, before the slow check, so that no parallel
    attempt slips past the throttle; failures are committed by the caller too.

    An unknown or inactive user is checked against a dummy Argon2 hash, so that the answer
    takes as long as for a real one and tells no username apart."""
    name = username.strip().lower()[:64]
    user = find_user(session, name)
    account = user if user is not None and user.active else None
    known_device = (
        device_id
        if account is not None
        and device_id
        and throttle.device_has_signed_in(session, user_id=account.id, device_id=device_id)
        else None
    )
    sources = throttle.sources_for(address=client_address, known_device=known_device)
    limits = throttle.Limits(
        free=settings.login_free_failures,
        account_free=settings.login_free_failures_per_account,
        cap_seconds=settings.login_max_delay_seconds,
    )
    claim = throttle.claim(session, name, sources, now=now, limits=limits)
    if claim.wait:
        session.rollback()  # refused: this attempt counts nowhere
        record_audit(
            session,
            action="login.throttled",
            actor=name,
            device_id=device_id,
            details={"retry_after": claim.wait, "client": client_address},
        )
        raise ApiError(
            "too_many_attempts",
            f"Too many failed sign-ins for this account: try again in {claim.wait} s.",
            headers={"Retry-After": str(claim.wait)},
        )
    session.commit()  # counted as a failure until the password proves otherwise
    if not verify_password(account.password_hash if account else None, password):
        record_audit(
            session,
            action="login.failed",
            actor=name,
            device_id=device_id,
            details={"consecutive_failures": claim.failures, "client": client_address},
        )
        raise ApiError("invalid_credentials")
    assert account is not None  # verify_password is False without a hash
    throttle.clear_failures(session, name, sources)
    issued = issue_token(
        session,
        account,
        device_id=device_id,
        now=now,
        ttl=timedelta(hours=settings.token_ttl_hours),
    )
    record_audit(
        session,
        action="login.succeeded",
        actor=account.username,
        device_id=device_id,
        details={"client": client_address},
    )
    return account, issued


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
