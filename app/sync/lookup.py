"""How validation finds the records a submission refers to: in the caller's scope only.

``scoped_lookup`` builds the ``lookup_record`` callable that ``validate_submission`` takes.
A record outside the scope and a record that does not exist look the same (None). Within a
push, records of the same push come first (``batch``), but only those a caller passes in: a
push passes the changes it has accepted, so a reference never resolves to a change that was
rejected (issue #14, item 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

from app.auth.scope import Scope, record_location
from app.sync import queries

Found = dict[str, Any]  # {"form_id", "data", "location"}
Lookup = Callable[[str, str], Found | None]


def found(row: Any) -> Found:
    """``row``: a Record, or a row of ``queries.scoped_records``."""
    return {"form_id": row.form_id, "data": row.data, "location": record_location(row)}


def scoped_lookup(
    session: Session,
    scope: Scope,
    batch: dict[str, Found],
    *,
    prefetch: Iterable[str] = (),
    hits: set[str] | None = None,
) -> Lookup:
    """``lookup(form_id, record_id)``: from ``batch`` first, then the caller's scope; None when
    missing, out of scope or of another form. ``prefetch``: ids read in one query up front.
    ``hits``: every id answered from ``batch`` is added to it."""
    wanted = list(set(prefetch))
    memo: dict[str, Found | None] = dict.fromkeys(wanted)
    if wanted:
        for row in queries.scoped_records(session, scope=scope, record_ids=wanted):
            memo[row.record_id] = found(row)

    def lookup(form_id: str, record_id: str) -> Found | None:
        if record_id in batch:
            hit: Found | None = batch[record_id]
            if hits is not None:
                hits.add(record_id)
        else:
            if record_id not in memo:
                row = queries.scoped_record(session, scope=scope, record_id=record_id)
                memo[record_id] = None if row is None else found(row)
            hit = memo[record_id]
        if hit is None or hit["form_id"] != form_id:
            return None
        return hit

    return lookup
