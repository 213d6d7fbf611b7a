"""What sync keeps: every revision, the outcome of every change_id, open conflicts,
the commit-ordered sequence counter, and content-addressed attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.models.base import Base, JSONType, UTCDateTime


class RecordRevision(Base):
    """One revision of one record; (record_id, rev) is unique, so no revision is written twice.

    ``data`` is NULL for a record's current revision when a push wrote it: the record's own row
    holds the same data, and a push writes each record's data once. A writer that replaces a
    record's data first copies it into that revision (``app.sync.revisions``), so every earlier
    revision has its data; readers take NULL as the record's current data."""

    __tablename__ = "record_revisions"
    __table_args__ = (UniqueConstraint("record_id", "rev"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(36))
    rev: Mapped[int] = mapped_column(Integer)
    form_version: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    change_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str | None] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(128))
    captured_at: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class SyncChange(Base):
    """The first result of every processed change_id: a retry gets it back (``duplicate``)."""

    __tablename__ = "sync_changes"

    change_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36))
    digest: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSONType)
    actor: Mapped[str | None] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class Conflict(Base):
    """A field altered on the server and by a change, to different values: the server's value
    stayed; the client's waits here for a supervisor."""

    __tablename__ = "conflicts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    rev: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(512))
    server_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    client_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    change_id: Mapped[str] = mapped_column(String(36))
    actor: Mapped[str | None] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_rev: Mapped[int | None] = mapped_column(Integer)


class SyncCounter(Base):
    """One row. Writers take it (UPDATE … RETURNING) right before writing records and hold its
    lock until they commit, so sequence numbers become visible in commit order."""

    __tablename__ = "sync_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class Attachment(Base):
    """A file stored once under its SHA-256; ``size`` is known when complete."""

    __tablename__ = "attachments"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(String(128))
    uploaded_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class AttachmentHolder(Base):
    """Who has shown they hold a file: its first uploader, and everyone who later uploaded the
    same bytes. A holder may read the file and name it in a record (issue #14, item 1)."""

    __tablename__ = "attachment_holders"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


def sha_key(sha256: str) -> int:
    """The first 8 bytes of a SHA-256 (hex) as a signed 64-bit integer: the lookup key of
    ``record_attachments`` by file.

    Files are looked up by hash, and hashes are random, so every link inserted lands on a
    random page of that index. An index of 8-byte integers is about 7 times smaller than one
    of the 64-character hex text, so a push dirties (and writes to the WAL) that many times
    fewer pages. A lookup names the full hash too, so a shared prefix is harmless.
    """
    return int.from_bytes(bytes.fromhex(sha256[:16]), "big", signed=True)


class RecordAttachment(Base):
    """Which records name which attachments (for scope checks and the incomplete mark).
    Look a file up by ``sha_key`` and ``sha256`` together (see ``sha_key``)."""

    __tablename__ = "record_attachments"

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha_key: Mapped[int] = mapped_column(BigInteger, index=True)
    present: Mapped[bool] = mapped_column(Boolean, default=False)


class RecordDeparture(Base):
    """A record that left a place: its former location and the sequence of the write that
    moved it. Pull tells the devices of that place to drop it (``app.sync.pull``)."""

    __tablename__ = "record_departures"
    __table_args__ = (Index("ix_record_departures_seq_record_id", "seq", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(BigInteger)
    province: Mapped[str | None] = mapped_column(String(2))
    district: Mapped[str | None] = mapped_column(String(4))
    commune: Mapped[str | None] = mapped_column(String(6))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class PlacementStep(Base):
    """The placement chain of a recommendation: who moved it, when and why."""

    __tablename__ = "placement_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    rev: Mapped[int | None] = mapped_column(Integer)  # the revision the step acted on


# The counter's one row exists from the moment the table does (create_all in tests; the
# migration inserts it explicitly).
event.listen(
    SyncCounter.__table__, "after_create", DDL("INSERT INTO sync_counter (id, value) VALUES (1, 0)")
)
