"""Row keys the server gives: a repeat's row pushed without its ``_row_id`` gets one.

The contract says a repeat is an array of objects; the three-way merge needs a key per row
(``app.sync.merge``). A row that has none (absent, null or empty) gets
``uuid5(ROW_KEY_NAMESPACE, "{change_id}/{path}/{index}")``: the same for every retry of the
same change, so a retry stays a ``duplicate`` and two tries never store two keys. Only the
default key ``_row_id`` is assigned; a repeat keyed by one of its own fields (``row_key`` in
the schema) still needs that field. The change as sent is never modified (its digest is of
what the client sent).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from app.forms.schema import DEFAULT_ROW_KEY, Field

ROW_KEY_NAMESPACE = uuid.UUID("5b0d8c1e-2f7a-4c39-9a61-3f1e0d2c4b7a")


def with_row_keys(fields: Sequence[Field], data: dict[str, Any], change_id: str) -> dict[str, Any]:
    """``data``, or a copy of it in which every keyless row of a ``_row_id`` repeat has one."""
    return _level(fields, data, change_id, "")


def _level(
    fields: Sequence[Field], data: dict[str, Any], change_id: str, path: str
) -> dict[str, Any]:
    out = data
    for f in fields:
        value = data.get(f.name)
        here = f"{path}.{f.name}" if path else f.name
        if f.type == "group" and isinstance(value, dict):
            new: Any = _level(f.fields or [], value, change_id, here)
        elif f.type == "repeat" and isinstance(value, list):
            new = _rows(f, value, change_id, here)
        else:
            continue
        if new is not value:
            if out is data:
                out = dict(data)
            out[f.name] = new
    return out


def _rows(f: Field, rows: list[Any], change_id: str, path: str) -> list[Any]:
    out = rows
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            continue
        new = _level(f.fields or [], row, change_id, f"{path}.{index}")
        key = new.get(DEFAULT_ROW_KEY)
        if f.key_of_rows == DEFAULT_ROW_KEY and (key is None or key == ""):
            if new is row:
                new = dict(row)
            new[DEFAULT_ROW_KEY] = str(uuid.uuid5(ROW_KEY_NAMESPACE, f"{change_id}/{path}/{index}"))
        if new is not row:
            if out is rows:
                out = list(rows)
            out[index] = new
    return out
