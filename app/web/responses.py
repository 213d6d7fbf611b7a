"""A JSON response built straight from plain data (no second validation pass on hot paths)."""

from __future__ import annotations

from fastapi.responses import Response

from app.db.json_codec import dumps_bytes


def json_response(body: object, status_code: int = 200) -> Response:
    return Response(dumps_bytes(body), status_code=status_code, media_type="application/json")
