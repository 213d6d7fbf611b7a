"""A record's current revision keeps no copy of its data (the record's row has it): how the
writers keep every earlier revision whole, and how readers fill in the current one.

Invariant: a revision's ``data`` is NULL only while it is its record's current revision.
- a push writes the last revision it makes of a record with NULL data, and any earlier one
  it makes in the same push (a record changed twice in one push) with its data;
- before a record's data is replaced (a push's update, a conflict's resolution), its
  current revision is given the data being replaced (``keep_replaced_data``);
- readers (history, the base of a three-way merge) read NULL as the record's data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, update
from sqlalchemy.orm import Session

from app.models import RecordRevision


def keep_replaced_data(session: Session, replaced: Iterable[tuple[str, int, Any]]) -> None:
    """Give each ``(record_id, rev, data)`` revision its data: the record's data that is
    about to be replaced. Idempotent (a revision that has its data gets the same again)."""
    rows = [{"b_record_id": rid, "b_rev": rev, "b_data": data} for rid, rev, data in replaced]
    if not rows:
        return
    table = cast(Table, RecordRevision.__table__)
    session.execute(
        update(table)
        .where(
            and_(table.c.record_id == bindparam("b_record_id"), table.c.rev == bindparam("b_rev"))
        )
        .values(data=bindparam("b_data")),
        rows,
    )


def data_of(revision_data: Any, current_data: Any) -> Any:
    """A revision's data as stored, or, when NULL, its record's current data."""
    return current_data if revision_data is None else revision_data
