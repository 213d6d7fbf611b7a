"""Response bodies: their declared shapes, and JSON built straight from plain data.

``ResponseModel`` is the base of every declared response body: it lists every key
(``additionalProperties: false`` in the OpenAPI document), so a key the code sends without
declaring it fails the fuzz test's response conformance check (``tests/api/test_fuzz.py``).

``json_response`` sends plain data as JSON without a second validation pass: the hot paths
(push, pull, a record) build their bodies by hand, and their routes declare the model with
``response_model`` for the document only (FastAPI does not touch a returned ``Response``).
"""

from __future__ import annotations

from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from app.db.json_codec import dumps_bytes


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


def json_response(body: object, status_code: int = 200) -> Response:
    return Response(dumps_bytes(body), status_code=status_code, media_type="application/json")
