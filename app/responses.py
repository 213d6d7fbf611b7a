"""A JSON response built straight from plain data (no second validation pass on hot paths)."""

from __future__ import annotations

import json

from fastapi.responses import Response


def json_response(body: object, status_code: int = 200) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
        status_code=status_code,
        media_type="application/json",
    )
