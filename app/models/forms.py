"""Form versions: immutable once published, identified by (form_id, version) and a content hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.models.base import Base, JSONType, UTCDateTime


class FormVersion(Base):
    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    form_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(71))
    schema_json: Mapped[dict[str, Any]] = mapped_column(JSONType)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RetiredForm(Base):
    """A form retired from the field: no longer listed to fill, no new record accepted; its
    versions, its records and edits of them stay (docs/desk.md, "Administration")."""

    __tablename__ = "retired_forms"

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    retired_by: Mapped[str | None] = mapped_column(String(64))
