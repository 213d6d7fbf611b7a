"""The commit-ordered sync sequence.

Every transaction that changes what a pull shows (a push, a review, a placement step, a
resolution, a data load) takes the next value with ``UPDATE sync_counter … RETURNING`` right
before it writes the records, and stamps them with it. The UPDATE locks the counter's row
until the transaction ends, so a second writer waits there and gets a larger value only
after the first has committed: sequence values become visible in increasing order, and a
reader paging with ``(seq, record_id) > cursor`` can never pass over a record that commits
later with a smaller value (the classic hole of ``WHERE seq > cursor``). SQLite serialises
writers anyway; on PostgreSQL the row lock does it. The cost: writers serialise for the
short tail of their transaction (the bulk writes and the commit), never for validation.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db.prepared import Prepared
from app.db.writer_lock import hold_writer_lock

_NEXT = Prepared(text("UPDATE sync_counter SET value = value + 1 WHERE id = 1 RETURNING value"))


def next_seq(session: Session) -> int:
    hold_writer_lock(session)  # SQLite: queue on an OS lock, not SQLite's busy handler
    return int(_NEXT.scalar(session))


def current_seq(session: Session) -> int:
    """The last value taken: no record's ``seq``, and so no cursor this server gave, is above it."""
    value = session.execute(text("SELECT value FROM sync_counter WHERE id = 1")).scalar_one()
    return int(value)
