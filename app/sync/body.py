"""Read a request body that may be gzip-compressed, counting bytes after decompression."""

from __future__ import annotations

import zlib

from fastapi import Request

from app.errors import ApiError


async def read_body(request: Request, *, limit: int) -> bytes:
    """The body, decompressed when ``Content-Encoding: gzip``; 413 the moment it passes
    ``limit`` bytes (decompressed), so a small zip bomb cannot fill memory."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in {"identity", "gzip"}:
        raise ApiError(
            "unsupported_media_type",
            f"Content-Encoding {encoding} is not supported; send identity or gzip.",
        )
    inflater = zlib.decompressobj(wbits=31) if encoding == "gzip" else None
    parts: list[bytes] = []
    size = 0
    too_large = ApiError(
        "body_too_large", f"The request body is larger than {limit} bytes after decompression."
    )
    try:
        async for chunk in request.stream():
            if inflater is not None:
                chunk = inflater.decompress(chunk, limit + 1 - size)
                if inflater.unconsumed_tail:
                    raise too_large
            size += len(chunk)
            if size > limit:
                raise too_large
            parts.append(chunk)
        if inflater is not None:
            tail = inflater.flush()
            size += len(tail)
            if size > limit:
                raise too_large
            parts.append(tail)
            if not inflater.eof:
                raise ApiError("bad_request", "The gzip body is truncated.")
    except zlib.error as exc:
        raise ApiError("bad_request", "The body is not valid gzip.") from exc
    return b"".join(parts)
