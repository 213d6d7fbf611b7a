"""What the indicators read of every record: a few plain columns per record of the six forms
they count (app/indicators/facts.py keeps it; docs/indicators.md, "Speed")."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class IndicatorFact(Base):
    """One record's fields the indicators read, as plain columns (days as ``yyyymmdd``
    integers, so an age is a subtraction and a year a division on both databases). A record a
    supervisor rejected has no row. Its location columns are the record's own (the scope)."""

    __tablename__ = "indicator_facts"
    __table_args__ = (
        # a form's facts in a scope; for the children, every column the figures read (a scan
        # of the index alone: no lookup of the table's rows)
        Index(
            "ix_indicator_facts_form_place",
            "form_id",
            "province",
            "district",
            "commune",
            "admitted",
            "born",
            "sex",
            "disability",
            "record_id",
        ),
        Index("ix_indicator_facts_form_subject", "form_id", "subject", "day"),
    )

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64))
    province: Mapped[str | None] = mapped_column(String(8))
    district: Mapped[str | None] = mapped_column(String(8))
    commune: Mapped[str | None] = mapped_column(String(8))
    # a record about a child or an institution: what it names, its date, its answers
    subject: Mapped[str | None] = mapped_column(String(36))
    day: Mapped[int | None] = mapped_column(Integer)
    answer: Mapped[str | None] = mapped_column(String(64))
    other_day: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[str | None] = mapped_column(String(64))
    # a child's registration
    sex: Mapped[str | None] = mapped_column(String(16))
    born: Mapped[int | None] = mapped_column(Integer)
    disability: Mapped[str | None] = mapped_column(String(16))
    admitted: Mapped[int | None] = mapped_column(Integer)
    # an institution
    opened: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(32))
    closed: Mapped[int | None] = mapped_column(Integer)
