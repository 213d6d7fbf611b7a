"""A record's photos and signatures on the desk (``GET /review/files/{sha256}``).

The session's user reads a file exactly when the API would let them
(``app.attachments.service.find_readable``: a file some record in their scope names); any other
hash is the same 404 page as a file that does not exist. The file keeps the API's protective
headers (``nosniff``, a sandboxing policy) and, like every desk answer, is not cached.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from app.attachments import service
from app.attachments.routes import SAFE_HEADERS
from app.attachments.storage import AttachmentStore
from app.db.session import SessionDep
from app.desk.views import NOT_FOUND, StaffDep
from app.desk.web import DeskRefusal, DeskRoute
from app.errors import ApiError
from app.settings import get_settings

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@router.get("/files/{sha256}")
def desk_file(sha256: str, session: SessionDep, live: StaffDep) -> Response:
    sha256 = sha256.lower()
    if not _SHA256.match(sha256):
        raise DeskRefusal(404, "error.html", live=live, csrf=live.csrf_token, **NOT_FOUND)
    store = AttachmentStore.under(get_settings().data_dir)
    try:
        row, path = service.find_readable(session, live.principal, store, sha256=sha256)
    except ApiError as refused:
        raise DeskRefusal(
            404, "error.html", live=live, csrf=live.csrf_token, **NOT_FOUND
        ) from refused
    return FileResponse(
        path,
        media_type=row.content_type or service.DEFAULT_MEDIA_TYPE,
        headers={**SAFE_HEADERS, "Cache-Control": "private, no-store"},
    )
