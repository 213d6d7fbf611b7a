"""Signed-in devices: every user's tokens grouped by ``device_id``, with the device's last
push and last pull (``device_syncs``: app/admin/device_syncs.py). Revoking a lost tablet is
``app.auth.service.revoke`` (the API's own revocation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.desk.sessions import DEVICE_PREFIX
from app.models import AuthToken, DeviceSync, User


@dataclass(frozen=True)
class DeviceView:
    device_id: str
    username: str
    role: str
    first_sign_in_at: datetime
    last_sign_in_at: datetime
    live_tokens: int  # neither revoked nor expired: the device can sync now
    revoked_at: datetime | None  # the last revocation of one of its tokens
    last_push_at: datetime | None  # the last push this user made from it
    last_pull_at: datetime | None  # its last pull (noted at most once a minute)

    @property
    def last_sync_at(self) -> datetime | None:
        """The later of the last push and the last pull: a tablet that only pulls is alive."""
        return later(self.last_push_at, self.last_pull_at)


def later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


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
    synced: dict[tuple[str, str], tuple[datetime | None, datetime | None]] = {
        (device_id, username): (pushed, pulled)
        for device_id, username, pushed, pulled in session.execute(
            select(
                DeviceSync.device_id,
                DeviceSync.username,
                DeviceSync.last_push_at,
                DeviceSync.last_pull_at,
            )
        ).tuples()
    }
    views = [
        DeviceView(
            device_id=str(device_id),
            username=username,
            role=role,
            first_sign_in_at=first,
            last_sign_in_at=last,
            live_tokens=int(live_count or 0),
            revoked_at=revoked,
            last_push_at=synced.get((str(device_id), username), (None, None))[0],
            last_pull_at=synced.get((str(device_id), username), (None, None))[1],
        )
        for device_id, username, role, first, last, live_count, revoked in rows
    ]
    views.sort(key=lambda v: (v.last_sign_in_at, v.device_id, v.username), reverse=True)
    return views
