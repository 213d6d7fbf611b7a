"""SQL for records, always restricted to the caller's scope (out of scope = not found)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.models import Record


def get_record(session: Session, *, scope: Scope, record_id: str) -> Record | None:
    return session.scalar(select(Record).where(Record.record_id == record_id, scope.filter(Record)))
