"""/api/v1/attachments/{sha256}: upload (whole or resumed), ask whether it is there, read it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse, Response

from app.attachments import service
from app.attachments.storage import AttachmentStore
from app.auth.principal import Principal, require
from app.db.session import SessionDep
from app.settings import get_settings
from app.web.etag import etag_matches
from app.web.responses import ResponseModel, json_response

router = APIRouter(prefix="/api/v1/attachments", tags=["attachments"])

Sha256 = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-fA-F]{64}$",
        description="The SHA-256 of the file's bytes, 64 hex digits.",
    ),
]

IMMUTABLE = "private, max-age=31536000, immutable"
# An uploaded file is served as uploaded, but never runs as a page of this origin.
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


OFFSET_HEADER = {
    "Upload-Offset": {
        "description": "How many bytes of the file the server holds",
        "schema": {"type": "integer", "minimum": 0},
    }
}
BINARY = {"schema": {"type": "string", "format": "binary"}}


class AttachmentOut(ResponseModel):
    sha256: str
    size: int
    content_type: str | None


def _store() -> AttachmentStore:
    return AttachmentStore.under(get_settings().data_dir)


def _etag(sha256: str) -> str:
    return f'"{sha256}"'


@router.put(
    "/{sha256}",
    status_code=201,
    response_model=AttachmentOut,
    responses={
        200: {"model": AttachmentOut, "description": "Already stored (nothing read)"},
        201: {"headers": OFFSET_HEADER},
        204: {"description": "Part stored; the server holds `Upload-Offset` bytes",
              "headers": OFFSET_HEADER},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                 "format": "binary"}}},
        }
    },
)  # fmt: skip
async def upload(
    sha256: Sha256,
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("attachment.write"))],
) -> Response:
    sha256 = sha256.lower()
    headers = request.headers
    plan = service.plan_upload(
        content_length=headers.get("content-length"),
        upload_offset=headers.get("upload-offset"),
        upload_length=headers.get("upload-length"),
        content_range=headers.get("content-range"),
    )
    outcome = await service.receive_upload(
        session,
        principal,
        sha256=sha256,
        plan=plan,
        content_type=service.media_type(headers.get("content-type")),
        body=service.idle_limited(request.stream(), get_settings().upload_idle_seconds),
        store=_store(),
        limit=get_settings().max_attachment_bytes,
    )
    offset = {"Upload-Offset": str(outcome.offset)}
    if outcome.status == 204:
        return Response(status_code=204, headers=offset)
    response = json_response(
        {"sha256": sha256, "size": outcome.offset, "content_type": outcome.content_type},
        status_code=outcome.status,
    )
    response.headers.update(
        {**offset, "ETag": _etag(sha256), "Location": f"{router.prefix}/{sha256}"}
    )
    return response


@router.head(
    "/{sha256}",
    response_class=Response,
    responses={200: {"description": "Stored and readable: `Content-Length`, `Content-Type`, "
                                    "`ETag`, `Upload-Offset` say what it is"}},
)  # fmt: skip
def exists(
    sha256: Sha256,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("attachment.read"))],
) -> Response:
    sha256 = sha256.lower()
    row, _path = service.find_readable(session, principal, _store(), sha256=sha256)
    return Response(
        status_code=200,
        headers={
            "Content-Length": str(row.size),
            "Content-Type": row.content_type or service.DEFAULT_MEDIA_TYPE,
            "ETag": _etag(sha256),
            "Upload-Offset": str(row.size),
        },
    )


@router.get(
    "/{sha256}",
    response_class=Response,
    responses={
        200: {"description": "The file, with the Content-Type it was uploaded with",
              "content": {"*/*": BINARY}},
        304: {"description": "Not modified: `If-None-Match` names its ETag"},
    },
)  # fmt: skip
def read(
    sha256: Sha256,
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("attachment.read"))],
) -> Response:
    sha256 = sha256.lower()
    row, path = service.find_readable(session, principal, _store(), sha256=sha256)
    headers = {"ETag": _etag(sha256), "Cache-Control": IMMUTABLE, **SAFE_HEADERS}
    if etag_matches(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return FileResponse(
        path, media_type=row.content_type or service.DEFAULT_MEDIA_TYPE, headers=headers
    )
