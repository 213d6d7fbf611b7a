"""Pull: the latest state of every record in scope changed after a cursor, page by page.

The page is assembled as bytes: each record's stored ``data`` JSON text is spliced into the
response as it is, never parsed and encoded again (pull is the hottest read path).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import orjson
from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.models import Conflict, Record
from app.sync import queries
from app.sync.cursor import InvalidCursor, decode_cursor, encode_cursor
from app.sync.sequence import current_seq

DEFAULT_LIMIT = 500
_NO_FLAGS = (None, "null", b"null")
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
    updated_at: str,
    conflicts: list[Conflict] | None,
) -> dict[str, Any]:
    """A record's entry in pull and GET /records, without its data and flags."""
    return {
        "record_id": record_id,
        "form_id": form_id,
        "form_version": form_version,
        "rev": rev,
        "review": {"state": review_state, "comment": review_comment},
        "placement": {"state": placement_state} if placement_state is not None else None,
        "incomplete": bool(incomplete),
        "open_conflicts": [conflict_out(c) for c in conflicts] if conflicts else [],
        "updated_at": updated_at,
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
        updated_at=record.updated_at.isoformat(),
        conflicts=conflicts,
    )
    body["data"] = record.data
    body["flags"] = record.flags or []
    return body


def iso_utc(value: str | datetime) -> str:
    """A timestamp (SQLite's text ``2026-11-24 08:15:00.123456``, naive UTC, or a datetime) in
    ISO 8601 UTC, exactly as ``datetime.isoformat`` writes it."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC).isoformat()
    return moment.astimezone(UTC).isoformat()


def pull_page(session: Session, *, scope: Scope, cursor: str | None, limit: int) -> bytes:
    """One page of pull, as the response body's bytes.

    The page is serialised by one orjson call; the stored ``data`` and ``flags`` JSON texts
    go in as they are (``orjson.Fragment``: never parsed, never re-encoded). Timestamps repeat
    (one push stamps all its records alike), so each distinct one is converted once per page.
    """
    after = decode_cursor(cursor)
    if cursor and after[0] > current_seq(session):
        raise InvalidCursor(
            "The cursor is ahead of this server's records (a cursor from another server, or "
            "from before the database was restored): pull without a cursor to start again."
        )
    rows = queries.page_of_records(session, scope=scope, after=after, limit=limit + 1)
    # a device that starts afresh holds nothing to drop (and learns no id it never had)
    departed = (
        queries.departures_after(session, scope=scope, after=after, limit=limit + 1)
        if cursor
        else []
    )
    # one keyset over both streams: the page ends at its limit-th entry, records or departures
    ends = sorted([(r.seq, r.record_id) for r in rows] + departed)
    more = len(ends) > limit
    last = ends[limit - 1] if more else (ends[-1] if ends else None)
    if last is not None:
        rows = [r for r in rows if (r.seq, r.record_id) <= last]
        departed = [d for d in departed if d <= last]
    removed = [
        {"record_id": rid, "reason": "out_of_scope"}
        for rid in dict.fromkeys(r for _, r in departed)
    ]
    conflicts = (
        queries.open_conflicts_in_page(
            session, scope=scope, after=after, last=(rows[-1].seq, rows[-1].record_id)
        )
        if rows
        else {}
    )
    stamps: dict[str | datetime, str] = {}
    entries = []
    for (
        record_id,
        form_id,
        form_version,
        rev,
        review_state,
        review_comment,
        placement_state,
        incomplete,
        updated_text,
        _seq,
        data_text,
        flags_text,
    ) in cast("Sequence[tuple[Any, ...]]", rows):
        stamp = stamps.get(updated_text)
        if stamp is None:
            stamp = stamps[updated_text] = iso_utc(updated_text)
        entry = _envelope(
            record_id=record_id,
            form_id=form_id,
            form_version=form_version,
            rev=rev,
            review_state=review_state,
            review_comment=review_comment,
            placement_state=placement_state,
            incomplete=incomplete,
            updated_at=stamp,
            conflicts=conflicts.get(record_id),
        )
        entry["data"] = orjson.Fragment(data_text)
        entry["flags"] = orjson.Fragment(flags_text if flags_text not in _NO_FLAGS else b"[]")
        entries.append(entry)
    next_cursor = encode_cursor(*last) if last is not None else (cursor or "")
    return orjson.dumps(
        {"records": entries, "removed": removed, "cursor": next_cursor, "more": more}
    )
