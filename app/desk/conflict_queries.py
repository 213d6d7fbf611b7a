"""SQL for the conflicts page, always inside the caller's scope; no commits.

Open conflicts of the records in scope, oldest first, paged by keyset over
(created_at, id). A conflict belongs to its record's scope: out of scope it is absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.desk.conflict_values import RevisionAuthor
from app.models import Conflict, Record, RecordRevision
from app.sync.revisions import data_of


@dataclass(frozen=True)
class ConflictKey:
    """Where a page ends: the last conflict's (created_at, id)."""

    created_at: datetime
    conflict_id: str

    def encode(self) -> str:
        return f"{self.created_at.isoformat()}_{self.conflict_id}"

    @classmethod
    def decode(cls, text: str | None) -> ConflictKey | None:
        if not text:
            return None
        moment, _, conflict_id = text.partition("_")
        try:
            at = datetime.fromisoformat(moment)
        except ValueError:
            return None
        if at.tzinfo is None or not conflict_id:
            return None
        return cls(at, conflict_id[:36])


def _open_in_scope(scope: Scope) -> list[Any]:
    return [Conflict.resolved_at.is_(None), scope.filter(Record)]


def conflicts_page(
    session: Session, *, scope: Scope, after: ConflictKey | None, limit: int
) -> tuple[list[tuple[Conflict, Record]], ConflictKey | None]:
    """One page of open conflicts in scope with their records, and the next page's key."""
    stmt = (
        select(Conflict, Record)
        .join(Record, Record.record_id == Conflict.record_id)
        .where(*_open_in_scope(scope))
    )
    if after is not None:
        stmt = stmt.where(
            or_(
                Conflict.created_at > after.created_at,
                and_(Conflict.created_at == after.created_at, Conflict.id > after.conflict_id),
            )
        )
    rows = session.execute(stmt.order_by(Conflict.created_at, Conflict.id).limit(limit + 1)).all()
    page = [(row[0], row[1]) for row in rows[:limit]]
    more = len(rows) > limit and page
    return page, (ConflictKey(page[-1][0].created_at, page[-1][0].id) if more else None)


def count_open(session: Session, *, scope: Scope) -> int:
    found = session.scalar(
        select(func.count())
        .select_from(Conflict)
        .join(Record, Record.record_id == Conflict.record_id)
        .where(*_open_in_scope(scope))
    )
    return int(found or 0)


def record_of_conflict(session: Session, *, scope: Scope, conflict_id: str) -> str | None:
    """The record of a conflict in scope (open or not), or None: absent alike."""
    return session.scalar(
        select(Conflict.record_id)
        .join(Record, Record.record_id == Conflict.record_id)
        .where(Conflict.id == conflict_id, scope.filter(Record))
    )


def revision_authors(
    session: Session, record_ids: set[str]
) -> dict[str, list[tuple[RevisionAuthor, Any]]]:
    """Every revision of these records: (who, which device, when) and its data (one query)."""
    found: dict[str, list[tuple[RevisionAuthor, Any]]] = {}
    if not record_ids:
        return found
    rows = session.execute(
        select(
            RecordRevision.record_id,
            RecordRevision.rev,
            RecordRevision.actor,
            RecordRevision.device_id,
            RecordRevision.received_at,
            RecordRevision.data,
            Record.data.label("current"),
        )
        .join(Record, Record.record_id == RecordRevision.record_id)
        .where(RecordRevision.record_id.in_(sorted(record_ids)))
    ).all()
    for r in rows:
        author = RevisionAuthor(rev=r.rev, by=r.actor, device_id=r.device_id, at=r.received_at)
        found.setdefault(r.record_id, []).append((author, data_of(r.data, r.current)))
    return found
