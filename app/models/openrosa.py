"""ODK clients: the XForm bytes served for each form version (app.openrosa.xforms)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.models.base import Base, JSONType, UTCDateTime


class FormXForm(Base):
    """The exact XForm bytes of one form version, as formList lists and download serves them:
    ``md5`` is of these bytes (OpenRosa's ``hash``). Written once per version, never changed."""

    __tablename__ = "form_xforms"

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    md5: Mapped[str] = mapped_column(String(32))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class OpenRosaFile(Base):
    """A file an OpenRosa submission sent, by the name its XML gives it: a submission split
    over several POSTs (``*isIncomplete*``) names in its last part files that came earlier,
    and an edit (``deprecatedID``) names files of the instance it replaces without sending
    them again (ODK Web Forms sends only new or changed files)."""

    __tablename__ = "openrosa_files"

    instance_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class OpenRosaInstance(Base):
    """A submitted instance as its client holds it (the data read from its XML) and the
    record revision it made. An edit (``deprecatedID``) starts from this instance: what the
    edit leaves as the instance had it keeps the revision's value (a change the server
    merged in meanwhile is not undone), what it changes is its change (app.openrosa.edits)."""

    __tablename__ = "openrosa_instances"

    instance_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36))
    rev: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
