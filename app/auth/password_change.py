"""A user chooses their own password after an administrator reset it (the desk asks for it
before any page: ``users.must_change_password``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit import record_audit
from app.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from app.models import User


def password_errors(user: User, password: str, again: str) -> list[tuple[str, str]]:
    """(field, message key) for each reason the new password is refused; none: it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [("new_password", "password_change_too_short")]
    if password != again:
        return [("new_password_again", "password_change_mismatch")]
    if verify_password(user.password_hash, password):
        return [("new_password", "password_change_same")]
    return []


def change_password(session: Session, user: User, password: str, *, device_id: str | None) -> None:
    """Set the user's own new password and lift the demand; an audit line. The caller commits."""
    user.password_hash = hash_password(password)
    user.must_change_password = False
    record_audit(
        session,
        action="user.password_change",
        actor=user.username,
        device_id=device_id,
        target_type="user",
        target_id=user.username,
    )
