"""A record as the API shows it (the same shape as an entry of sync pull)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from app.models import Record


class ReviewOut(BaseModel):
    state: str
    comment: str | None


class RecordOut(BaseModel):
    record_id: str
    form_id: str
    form_version: str
    rev: int
    data: dict[str, Any]
    review: ReviewOut
    open_conflicts: list[dict[str, Any]]
    updated_at: datetime


def record_out(record: Record) -> RecordOut:
    return RecordOut(
        record_id=record.record_id,
        form_id=record.form_id,
        form_version=record.form_version,
        rev=record.rev,
        data=record.data,
        review=ReviewOut(state=record.review_state, comment=record.review_comment),
        open_conflicts=[],
        updated_at=record.updated_at,
    )
