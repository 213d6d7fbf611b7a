"""/api/v1/audit: the audit log for mosvy and admin (others 403), JSON pages and CSV."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse

from app.audit_log.csv_export import FILENAME, start_audit_csv
from app.audit_log.queries import audit_page
from app.audit_log.schemas import AuditEntryOut, AuditPageOut, AuditPageQuery, AuditQuery
from app.auth.principal import Principal, require
from app.db.session import SessionDep
from app.web.responses import json_response

router = APIRouter(prefix="/api/v1", tags=["audit"])

AuditReader = Annotated[Principal, Depends(require("audit.read"))]


@router.get("/audit", response_model=AuditPageOut, summary="Read the audit log, newest first")
def read_audit(
    session: SessionDep, principal: AuditReader, query: Annotated[AuditPageQuery, Query()]
) -> Response:
    entries, next_before = audit_page(
        session, filters=query.filters(), before=query.after, limit=query.limit
    )
    body: dict[str, Any] = {
        "entries": [
            AuditEntryOut.model_validate(e, from_attributes=True).model_dump(mode="json")
            for e in entries
        ],
        "next": str(next_before) if next_before is not None else None,
    }
    return json_response(body)


@router.get(
    "/audit.csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The matching entries as CSV (UTF-8 with a BOM), newest first",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
    summary="Export the audit log as CSV",
)
def audit_csv(
    session: SessionDep, principal: AuditReader, query: Annotated[AuditQuery, Query()]
) -> StreamingResponse:
    body = start_audit_csv(
        session, actor=principal.username, device_id=principal.device_id, query=query
    )
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{FILENAME}"',
            "Cache-Control": "no-store",
        },
    )
