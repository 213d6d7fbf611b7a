"""Pull: the latest state of every record in scope changed after a cursor, page by page."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.models import Conflict, Record
from app.sync import queries
from app.sync.cursor import decode_cursor, encode_cursor

DEFAULT_LIMIT = 500
MAX_LIMIT = 5000


def conflict_out(conflict: Conflict) -> dict[str, Any]:
    return {
        "conflict_id": conflict.id,
        "path": conflict.path,
        "server_value": conflict.server_value,
        "client_value": conflict.client_value,
        "rev": conflict.rev,
        "by": conflict.actor,
        "device_id": conflict.device_id,
        "at": conflict.created_at.isoformat(),
    }


def record_out(record: Record, conflicts: list[Conflict]) -> dict[str, Any]:
    """A record as pull and GET /records show it."""
    return {
        "record_id": record.record_id,
        "form_id": record.form_id,
        "form_version": record.form_version,
        "rev": record.rev,
        "data": record.data,
        "review": {"state": record.review_state, "comment": record.review_comment},
        "placement": (
            {"state": record.placement_state} if record.placement_state is not None else None
        ),
        "flags": record.flags or [],
        "incomplete": record.incomplete,
        "open_conflicts": [conflict_out(c) for c in conflicts],
        "updated_at": record.updated_at.isoformat(),
    }


def pull_page(session: Session, *, scope: Scope, cursor: str | None, limit: int) -> dict[str, Any]:
    after = decode_cursor(cursor)
    rows = queries.page_of_records(session, scope=scope, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    conflicts = queries.open_conflicts(session, (r.record_id for r in rows)) if rows else {}
    next_cursor = encode_cursor(rows[-1].seq, rows[-1].record_id) if rows else (cursor or "")
    return {
        "records": [record_out(r, conflicts.get(r.record_id, [])) for r in rows],
        "cursor": next_cursor,
        "more": more,
    }
