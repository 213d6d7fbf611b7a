"""Pull: the latest state of every record in scope changed after a cursor, page by page.

The page is assembled as bytes: each record's stored ``data`` JSON text is spliced into the
response as it is, never parsed and encoded again (pull is the hottest read path).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.jsonfast import dumps_bytes
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


def _envelope(
    *,
    record_id: str,
    form_id: str,
    form_version: str,
    rev: int,
    review_state: str,
    review_comment: str | None,
    placement_state: str | None,
    incomplete: bool,
    updated_at: Any,
    conflicts: list[Conflict],
) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "form_id": form_id,
        "form_version": form_version,
        "rev": rev,
        "review": {"state": review_state, "comment": review_comment},
        "placement": {"state": placement_state} if placement_state is not None else None,
        "incomplete": bool(incomplete),
        "open_conflicts": [conflict_out(c) for c in conflicts],
        "updated_at": updated_at.isoformat(),
    }


def record_out(record: Record, conflicts: list[Conflict]) -> dict[str, Any]:
    """A record as GET /records shows it: the same shape as a pull entry."""
    body = _envelope(
        record_id=record.record_id,
        form_id=record.form_id,
        form_version=record.form_version,
        rev=record.rev,
        review_state=record.review_state,
        review_comment=record.review_comment,
        placement_state=record.placement_state,
        incomplete=record.incomplete,
        updated_at=record.updated_at,
        conflicts=conflicts,
    )
    body["data"] = record.data
    body["flags"] = record.flags or []
    return body


def pull_page(session: Session, *, scope: Scope, cursor: str | None, limit: int) -> bytes:
    """One page of pull, as the response body's bytes."""
    after = decode_cursor(cursor)
    rows = queries.page_of_records(session, scope=scope, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    conflicts = queries.open_conflicts(session, (r.record_id for r in rows)) if rows else {}
    parts = []
    for r in rows:
        head = dumps_bytes(
            _envelope(
                record_id=r.record_id,
                form_id=r.form_id,
                form_version=r.form_version,
                rev=r.rev,
                review_state=r.review_state,
                review_comment=r.review_comment,
                placement_state=r.placement_state,
                incomplete=r.incomplete,
                updated_at=r.updated_at,
                conflicts=conflicts.get(r.record_id, []),
            )
        )
        flags = r.flags_text if r.flags_text not in (None, "null") else "[]"
        parts.append(
            b"".join(
                (head[:-1], b',"data":', r.data_text.encode(), b',"flags":', flags.encode(), b"}")
            )
        )
    next_cursor = encode_cursor(rows[-1].seq, rows[-1].record_id) if rows else (cursor or "")
    return b"".join(
        (
            b'{"records":[',
            b",".join(parts),
            b'],"cursor":',
            dumps_bytes(next_cursor),
            b',"more":',
            b"true" if more else b"false",
            b"}",
        )
    )
