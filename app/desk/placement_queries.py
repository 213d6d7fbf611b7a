"""SQL for the placements worklists, always inside the caller's scope; no commits.

A worklist is the placement recommendations waiting in one state of the chain, oldest change
first, paged by keyset over (seq, record_id): the scope indexes ``ix_records_*_seq`` serve it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.models import Record

PLACEMENT_FORM = "placement_recommendation"


@dataclass(frozen=True)
class WorklistKey:
    """Where a page ends: the last row's (seq, record_id)."""

    seq: int
    record_id: str

    def encode(self) -> str:
        return f"{self.seq}.{self.record_id}"

    @classmethod
    def decode(cls, text: str | None) -> WorklistKey | None:
        if not text:
            return None
        seq, _, record_id = text.partition(".")
        if not seq.isdigit() or not record_id:
            return None
        return cls(int(seq), record_id[:36])


def worklist_page(
    session: Session, *, scope: Scope, state: str, after: WorklistKey | None, limit: int
) -> tuple[list[Record], WorklistKey | None]:
    """One page of recommendations waiting in ``state`` and the key of the next page."""
    stmt = select(Record).where(
        Record.form_id == PLACEMENT_FORM,
        Record.placement_state == state,
        scope.filter(Record),
    )
    if after is not None:
        stmt = stmt.where(
            or_(
                Record.seq > after.seq,
                and_(Record.seq == after.seq, Record.record_id > after.record_id),
            )
        )
    rows = list(session.scalars(stmt.order_by(Record.seq, Record.record_id).limit(limit + 1)))
    page = rows[:limit]
    more = len(rows) > limit and page
    return page, (WorklistKey(page[-1].seq, page[-1].record_id) if more else None)


def worklist_counts(session: Session, *, scope: Scope, states: list[str]) -> dict[str, int]:
    """How many recommendations in scope wait in each of ``states`` (one query)."""
    rows = session.execute(
        select(Record.placement_state, func.count())
        .where(
            Record.form_id == PLACEMENT_FORM,
            Record.placement_state.in_(states),
            scope.filter(Record),
        )
        .group_by(Record.placement_state)
    ).all()
    counts = dict.fromkeys(states, 0)
    for state, n in rows:
        counts[str(state)] = int(n)
    return counts
