"""The opaque pull cursor: the (seq, record_id) of the last record a page returned."""

from __future__ import annotations

import base64
import re

_RECORD_ID = re.compile(r"^[0-9a-f-]{36}$|^$")


class InvalidCursor(ValueError):
    pass


def encode_cursor(seq: int, record_id: str) -> str:
    return base64.urlsafe_b64encode(f"{seq}:{record_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[int, str]:
    """(seq, record_id) after which to continue; no cursor starts before everything."""
    if not cursor:
        return (-1, "")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        seq_text, record_id = raw.split(":", 1)
        seq = int(seq_text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("the cursor is not one this server gave") from exc
    if seq < -1 or not _RECORD_ID.match(record_id):
        raise InvalidCursor("the cursor is not one this server gave")
    return seq, record_id
