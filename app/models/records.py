"""Records: every submission (and registry entry) with its latest state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from app.clock import now_utc
from app.models.base import Base, JSONType, UTCDateTime


class Record(Base):
    __tablename__ = "records"
    # Pull pages by (seq, record_id) inside a scope: one index per scope level, so a page is
    # an index range scan, never a sort.
    __table_args__ = (
        Index("ix_records_seq_record_id", "seq", "record_id"),
        Index("ix_records_province_seq", "province", "seq", "record_id"),
        Index("ix_records_district_seq", "district", "seq", "record_id"),
        Index("ix_records_commune_seq", "commune", "seq", "record_id"),
        # The desk's queue: (queue_priority, seq, record_id) descending, per scope level; the
        # review state last, so the counts per state and the state filter read the index alone.
        Index("ix_records_queue", "queue_priority", "seq", "record_id", "review_state"),
        Index(
            "ix_records_province_queue",
            "province",
            "queue_priority",
            "seq",
            "record_id",
            "review_state",
        ),
        Index(
            "ix_records_district_queue",
            "district",
            "queue_priority",
            "seq",
            "record_id",
            "review_state",
        ),
        # A form's records in a province or district (the coverage page's institutions and
        # inspections): without it, a province filter reads every record of the province.
        Index("ix_records_form_place", "form_id", "province", "district"),
        Index(
            "ix_records_commune_queue",
            "commune",
            "queue_priority",
            "seq",
            "record_id",
            "review_state",
        ),
        # exports read a form's records in keyset batches by record_id
        Index("ix_records_form_id_record_id", "form_id", "record_id"),
    )

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64), index=True)
    form_version: Mapped[str] = mapped_column(String(32))
    rev: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    province: Mapped[str | None] = mapped_column(String(2))
    district: Mapped[str | None] = mapped_column(String(4))
    commune: Mapped[str | None] = mapped_column(String(6))
    # Commit-ordered sync sequence (see app/sync/sequence.py); pull pages by (seq, record_id).
    seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    incomplete: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    flags: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, default=list)
    # The desk queue's order (app.records.priority): 2 abuse, 1 flagged, 0 the rest.
    queue_priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    placement_state: Mapped[str | None] = mapped_column(String(16))
    review_state: Mapped[str] = mapped_column(String(16), default="received")
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class Meta(Base):
    """Small key/value facts about this database (e.g. which demo data set is loaded)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
