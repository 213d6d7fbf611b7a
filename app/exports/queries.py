"""SQL of the exports: a form's versions, and its records in scope in keyset batches."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.desk.queries import QueueFilters, matching_records
from app.exports.cells import RecordRow
from app.forms.schema import FormSchema
from app.forms.store import schema_of
from app.models import FormVersion, Record

BATCH = 1000


def form_schemas(session: Session, form_id: str) -> list[FormSchema]:
    """Every published version of a form, the newest first (empty: no such form)."""
    rows = session.scalars(
        select(FormVersion)
        .where(FormVersion.form_id == form_id, FormVersion.published.is_(True))
        .order_by(FormVersion.published_at.desc(), FormVersion.id.desc())
    ).all()
    return [schema_of(row) for row in rows]


def record_batches(
    session: Session, *, scope: Scope, filters: QueueFilters, batch: int = BATCH
) -> Iterator[list[RecordRow]]:
    """The matching records in scope, by record_id, ``batch`` at a time: one query per batch
    (``WHERE record_id > last``), never all rows in memory."""
    where = matching_records(scope, filters)
    last: str | None = None
    while True:
        stmt = select(
            Record.record_id,
            Record.form_version,
            Record.rev,
            Record.review_state,
            Record.placement_state,
            Record.province,
            Record.district,
            Record.commune,
            Record.created_by,
            Record.created_at,
            Record.updated_at,
            Record.data,
        ).where(*where)
        if last is not None:
            stmt = stmt.where(Record.record_id > last)
        rows = session.connection().execute(stmt.order_by(Record.record_id).limit(batch)).all()
        if not rows:
            return
        yield rows  # type: ignore[misc]
        if len(rows) < batch:
            return
        last = rows[-1].record_id
