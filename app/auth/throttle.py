"""Slow down repeated failed sign-ins, across every worker, without locking out the owner.

Failures are counted per username *and source* (``docs/security.md``, "Sign-in"):

- ``addr:<client address>``: attempts from one address (``free`` failures, then waits);
- ``account``: attempts from every address together, with a far higher ``account_free``:
  a guesser spread over many addresses is slowed too;
- ``device:<device id>``: a device that has signed in as this user before (a token of this
  user on it is not revoked) is counted on its own, instead of the two above: the owner's
  tablet signs in while strangers are throttled.

After ``free`` consecutive failures from one source, each further attempt must wait
``2 ** (failures - free)`` seconds (capped) after the last failure; an attempt made sooner is
refused with 429 before the password is even checked. A success clears its sources.

An attempt is counted *before* its password is checked, in one conditional
``UPDATE … RETURNING`` per source (``claim``): the row is locked (PostgreSQL) or the database
write lock held (SQLite) from the check to the count, so parallel attempts cannot all pass
the check first; the caller commits the claim before the slow Argon2 check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db.writer_lock import hold_writer_lock
from app.models import AuthToken, LoginAttempt
from app.models.base import UTCDateTime

ACCOUNT = "account"


@dataclass(frozen=True)
class Limits:
    free: int  # failures from one address or known device before attempts must wait
    account_free: int  # failures from every address together before attempts must wait
    cap_seconds: int

    def free_for(self, source: str) -> int:
        return self.account_free if source == ACCOUNT else self.free


@dataclass(frozen=True)
class Claim:
    wait: int  # > 0: refused, nothing was counted (the caller rolls back), retry after this
    failures: int  # this attempt's number among consecutive failures from its first source


def delay_after(failures: int, *, free: int, cap_seconds: int) -> int:
    if failures < free:
        return 0
    return min(2 ** (failures - free), cap_seconds)


def device_has_signed_in(session: Session, *, user_id: int, device_id: str) -> bool:
    """Whether ``device_id`` holds a token of this user that was not revoked (expired counts:
    a tablet a week offline is still the owner's; a lost one an admin revoked is not)."""
    found = session.scalar(
        select(AuthToken.id)
        .where(
            AuthToken.user_id == user_id,
            AuthToken.device_id == device_id,
            AuthToken.revoked_at.is_(None),
        )
        .limit(1)
    )
    return found is not None


def sources_for(*, address: str, known_device: str | None) -> list[str]:
    """Where an attempt is counted: its known device alone, or its address and the account."""
    if known_device is not None:
        return [f"device:{known_device}"[:160]]
    return [f"addr:{address}"[:160], ACCOUNT]


def _blocked_until(now: datetime, *, free: int, cap_seconds: int) -> ColumnElement[Any]:
    """``now + delay_after(failures + 1)`` as SQL: the wait if this attempt fails."""

    def at(seconds: int) -> ColumnElement[Any]:
        return literal(now + timedelta(seconds=seconds), UTCDateTime())

    after = LoginAttempt.failures + 1
    whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = [(after < free, at(0))]
    failures = free
    while delay_after(failures, free=free, cap_seconds=cap_seconds) < cap_seconds:
        whens.append((after == failures, at(2 ** (failures - free))))
        failures += 1
    return case(*whens, else_=at(cap_seconds))


def _insert_missing(session: Session, username: str, sources: Sequence[str]) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for source in sources:
        session.execute(
            insert(LoginAttempt)
            .values(username=username, source=source, failures=0)
            .on_conflict_do_nothing()
        )


def claim(
    session: Session, username: str, sources: Sequence[str], *, now: datetime, limits: Limits
) -> Claim:
    """Count this attempt as a failure in every source, or (some source must still wait)
    return the wait; then the caller rolls back, and nothing of this attempt is counted.

    Call it before any other write of the transaction, and commit right after."""
    hold_writer_lock(session)  # SQLite: queue on an OS lock, not SQLite's busy handler
    _insert_missing(session, username, sources)
    counted: list[int] = []
    for source in sources:  # always in the same order: no deadlock between two attempts
        free = limits.free_for(source)
        failures = session.scalar(
            update(LoginAttempt)
            .where(
                LoginAttempt.username == username,
                LoginAttempt.source == source,
                or_(LoginAttempt.blocked_until.is_(None), LoginAttempt.blocked_until <= now),
            )
            .values(
                failures=LoginAttempt.failures + 1,
                last_failure_at=now,
                blocked_until=_blocked_until(now, free=free, cap_seconds=limits.cap_seconds),
            )
            .returning(LoginAttempt.failures)
        )
        if failures is None:
            return Claim(wait=seconds_to_wait(session, username, sources, now=now), failures=0)
        counted.append(failures)
    return Claim(wait=0, failures=counted[0])


def seconds_to_wait(
    session: Session, username: str, sources: Sequence[str], *, now: datetime
) -> int:
    ready_at = session.scalar(
        select(func.max(LoginAttempt.blocked_until)).where(
            LoginAttempt.username == username, LoginAttempt.source.in_(sources)
        )
    )
    if ready_at is None or now >= ready_at:
        return 1  # it was refused a moment ago: the retry is worth a second
    return max(1, int((ready_at - now).total_seconds() + 0.999))


def clear_failures(session: Session, username: str, sources: Sequence[str]) -> None:
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.username == username, LoginAttempt.source.in_(sources)
        )
    )
