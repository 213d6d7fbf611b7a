"""The supervisors' desk: server-side sessions (app.desk.sessions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.models.base import Base, UTCDateTime


class DeskSession(Base):
    """One signed-in browser. The cookie carries an opaque random id; only its SHA-256 is
    stored here. The session lives as long as the API token issued at sign-in (device
    ``desk:<id>``), so revoking the user's or that device's tokens ends it too."""

    __tablename__ = "desk_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("auth_tokens.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
