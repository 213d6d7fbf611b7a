"""/api/v1/sync: push and pull."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.admin.device_syncs import note_pull
from app.auth.principal import Principal, require
from app.clock import now_utc
from app.db.json_codec import loads
from app.db.session import SessionDep
from app.errors import ApiError
from app.settings import get_settings
from app.sync.body import read_body
from app.sync.cursor import InvalidCursor
from app.sync.pull import DEFAULT_LIMIT, MAX_LIMIT, pull_page
from app.sync.push import push_changes
from app.sync.schemas import PullOut, PushIn, PushOut
from app.web.media import AcceptsJson
from app.web.responses import json_response

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])


@router.post(
    "/push",
    response_model=PushOut,
    dependencies=[AcceptsJson],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PushIn.model_json_schema()}},
        }
    },
)
async def push(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("sync.push"))],
) -> Response:
    settings = get_settings()
    raw = await read_body(request, limit=settings.max_body_bytes)
    try:
        parsed = loads(raw)
    except (orjson.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(
            "validation_error",
            "The body is not JSON.",
            details=[{"path": "", "code": "json_invalid", "message": str(exc)}],
        ) from exc
    if (
        isinstance(parsed, dict)
        and isinstance(parsed.get("changes"), list)
        and len(parsed["changes"]) > settings.max_changes_per_push
    ):
        raise ApiError(
            "too_many_changes",
            f"A push may carry at most "
            f"{settings.max_changes_per_push} changes; send the rest in another push.",
        )
    try:
        body = PushIn.model_validate(parsed)
    except ValidationError as exc:
        raise ApiError(
            "validation_error",
            "The push is not valid.",
            details=[
                {"path": ".".join(str(p) for p in e["loc"]), "code": e["type"], "message": e["msg"]}
                for e in exc.errors()
            ],
        ) from exc
    # Run here, on the event loop, not in the thread pool: a push is CPU work under the GIL, so
    # a second thread in this process gains nothing and a busy worker would still accept the
    # next tablet's connection while its sibling process sits idle. Blocking the loop for the
    # push (tens of ms) leaves new connections to idle workers, as a pre-fork server does;
    # with `--workers` = cores, pushes use every core (docs/sync-protocol.md, "Workers").
    # Every writer ends its transaction within its own call (app.db.committed), so nothing
    # this waits for ever needs this loop.
    results = push_changes(session, principal, device_id=body.device_id, raw_changes=body.changes)
    return json_response({"results": results, "server_time": now_utc().isoformat()})


@router.get("/pull", response_model=PullOut)
def pull(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("sync.pull"))],
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    try:
        body = pull_page(session, scope=principal.scope, cursor=cursor, limit=limit)
    except InvalidCursor as exc:
        raise ApiError("invalid_cursor", str(exc)) from exc
    note_pull(session, username=principal.username, device_id=principal.device_id, at=now_utc())
    return Response(body, media_type="application/json")
