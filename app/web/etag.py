"""Conditional GET: whether a request's ``If-None-Match`` names the current ETag."""

from __future__ import annotations

from fastapi import Request


def etag_matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    candidates = {c.strip().removeprefix("W/") for c in header.split(",")}
    return "*" in candidates or etag in candidates
