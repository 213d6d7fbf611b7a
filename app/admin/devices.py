"""Signed-in devices: every user's tokens grouped by ``device_id``, with the device's last
upload. Revoking a lost tablet is ``app.auth.service.revoke`` (the API's own revocation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.desk.sessions import DEVICE_PREFIX
from app.models import AuthToken, SyncChange, User


@dataclass(frozen=True)
class DeviceView:
    device_id: str
    username: str
    role: str
    first_sign_in_at: datetime
    last_sign_in_at: datetime
    live_tokens: int  # neither revoked nor expired: the device can sync now
    revoked_at: datetime | None  # the last revocation of one of its tokens
    last_sync_at: datetime | None  # the last change this user pushed from it


def list_devices(session: Session, *, now: datetime) -> list[DeviceView]:
    """One row per (user, device) that ever signed in with a ``device_id``; the desk's own
    browser sessions (``desk:…``) are not tablets and are left out. Newest sign-in first."""
    live = case(
        (and_(AuthToken.revoked_at.is_(None), AuthToken.expires_at > now), 1),
        else_=0,
    )
    rows = session.execute(
        select(
            AuthToken.device_id,
            User.username,
            User.role,
            func.min(AuthToken.created_at),
            func.max(AuthToken.created_at),
            func.sum(live),
            func.max(AuthToken.revoked_at),
        )
        .join(User, User.id == AuthToken.user_id)
        .where(
            AuthToken.device_id.is_not(None),
            ~AuthToken.device_id.startswith(DEVICE_PREFIX, autoescape=True),
        )
        .group_by(AuthToken.device_id, User.username, User.role)
    ).all()
    device_ids = sorted({str(r[0]) for r in rows})
    synced: dict[tuple[str, str], datetime] = {}
    if device_ids:
        for device_id, actor, at in session.execute(
            select(SyncChange.device_id, SyncChange.actor, func.max(SyncChange.received_at))
            .where(SyncChange.device_id.in_(device_ids))
            .group_by(SyncChange.device_id, SyncChange.actor)
        ).tuples():
            if device_id is not None and actor is not None:
                synced[(device_id, actor)] = at
    views = [
        DeviceView(
            device_id=str(device_id),
            username=username,
            role=role,
            first_sign_in_at=first,
            last_sign_in_at=last,
            live_tokens=int(live_count or 0),
            revoked_at=revoked,
            last_sync_at=synced.get((str(device_id), username)),
        )
        for device_id, username, role, first, last, live_count, revoked in rows
    ]
    views.sort(key=lambda v: (v.last_sign_in_at, v.device_id, v.username), reverse=True)
    return views
