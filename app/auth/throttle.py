"""Slow down repeated failed sign-ins for one username, across every worker.

After ``free`` consecutive failures, each further attempt must wait
``2 ** (failures - free)`` seconds (capped) after the last failure; an attempt made
sooner is refused with 429 before the password is even checked. A success clears it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import LoginAttempt


def delay_after(failures: int, *, free: int, cap_seconds: int) -> int:
    if failures < free:
        return 0
    return min(2 ** (failures - free), cap_seconds)


def seconds_to_wait(
    session: Session, username: str, *, now: datetime, free: int, cap_seconds: int
) -> int:
    attempt = session.get(LoginAttempt, username)
    if attempt is None:
        return 0
    delay = delay_after(attempt.failures, free=free, cap_seconds=cap_seconds)
    ready_at = attempt.last_failure_at + timedelta(seconds=delay)
    if now >= ready_at:
        return 0
    return max(1, int((ready_at - now).total_seconds() + 0.999))


def note_failure(session: Session, username: str, *, now: datetime) -> int:
    attempt = session.get(LoginAttempt, username, with_for_update=True)
    if attempt is None:
        try:
            with session.begin_nested():
                session.add(LoginAttempt(username=username, failures=1, last_failure_at=now))
            return 1
        except IntegrityError:  # another worker inserted it first: count on its row
            attempt = session.get(
                LoginAttempt, username, with_for_update=True, populate_existing=True
            )
            assert attempt is not None
    attempt.failures += 1
    attempt.last_failure_at = now
    session.flush()
    return attempt.failures


def clear_failures(session: Session, username: str) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
