"""One fast JSON codec (orjson) for the database's JSON columns and hot responses.

orjson refuses integers beyond 64 bits; those (rare, from other routes' bodies) fall back to
the standard library so a write never fails for it. Request bodies parsed with ``loads`` are
strict JSON: no NaN or Infinity.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def dumps_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:
        return dumps(value).encode()


def loads(text: str | bytes | int | float) -> Any:
    # SQLite gives a JSON column NUMERIC affinity: a stored scalar like '50' comes back a number
    if isinstance(text, int | float):
        return text
    return orjson.loads(text)
