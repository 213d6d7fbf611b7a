"""The opaque pull cursor: the (seq, record_id) of the last record a page returned.

A cursor is accepted only in exactly the form the server writes (``encode_cursor``): base64url
without padding of ``{seq}:{record_id}``, ``seq`` a positive whole number in canonical decimal,
``record_id`` a record id. Anything else is ``InvalidCursor``. That a well-formed ``seq`` is
not beyond the server's sync position is checked by ``pull_page``, which can read it.
"""

from __future__ import annotations

import base64
import binascii
import re

_RECORD_ID = re.compile(r"^[0-9a-f-]{36}$")


class InvalidCursor(ValueError):
    pass


def encode_cursor(seq: int, record_id: str) -> str:
    return base64.urlsafe_b64encode(f"{seq}:{record_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[int, str]:
    """(seq, record_id) after which to continue; no cursor starts before everything."""
    if not cursor:
        return (-1, "")
    not_ours = InvalidCursor(
        "The cursor is not one this server gave: pull without a cursor to start again."
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise not_ours from exc
    seq_text, _, record_id = raw.partition(":")
    if not (seq_text.isascii() and seq_text.isdigit()) or not _RECORD_ID.match(record_id):
        raise not_ours
    seq = int(seq_text)
    if seq < 1 or encode_cursor(seq, record_id) != cursor:  # "05", padding, stray characters
        raise not_ours
    return seq, record_id
