"""Administrative units: province (2 digits) > district (4) > commune (6) > village (8)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Location(Base):
    __tablename__ = "locations"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("locations.code"), index=True)
    name_en: Mapped[str] = mapped_column(String(128))
    name_km: Mapped[str] = mapped_column(String(128))
