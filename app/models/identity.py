"""Users, their tokens and the sign-in throttle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.models.base import Base, UTCDateTime


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    province: Mapped[str | None] = mapped_column(String(2))
    district: Mapped[str | None] = mapped_column(String(4))
    commune: Mapped[str | None] = mapped_column(String(6))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # set when an administrator resets the password: the desk asks for a new one first
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class AuthToken(Base):
    """An opaque bearer token; only its SHA-256 is stored, so a database leak leaks no token."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(String(128), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginAttempt(Base):
    """Consecutive failed sign-ins for one username (known or not) from one source, shared by
    every worker. ``source`` is ``addr:<client address>``, ``device:<device id>`` (a device
    that has signed in as this user before) or ``account`` (every source together): see
    ``app.auth.throttle``. An attempt is counted here before its password is checked."""

    __tablename__ = "login_attempts"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the next attempt from this source is refused (429) before this moment
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeviceSync(Base):
    """A (user, device)'s last push and last pull, so the users' and devices' pages read one
    row per device instead of every change (app/admin/device_syncs.py writes it). A push with
    no ``device_id`` (an OpenRosa submission) is kept under ``""``."""

    __tablename__ = "device_syncs"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    last_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
