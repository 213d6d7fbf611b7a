"""/api/v1/exports: a form's records in scope as CSV (or a zip of CSVs) and XLSX, streamed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from app.auth.principal import Principal, require
from app.db.session import SessionDep
from app.exports.schemas import ExportQuery
from app.exports.service import (
    XLSX_TYPE,
    ZIP_TYPE,
    Kind,
    Who,
    disposition,
    start_export,
)

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])

_BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
CSV_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A CSV (UTF-8 with a BOM), or a zip of CSVs when the form has repeats",
        "content": {"text/csv": {"schema": {"type": "string"}}, ZIP_TYPE: _BINARY},
    }
}
XLSX_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A workbook: records, and a sheet per repeat",
        "content": {XLSX_TYPE: _BINARY},
    }
}

ExportPrincipal = Annotated[Principal, Depends(require("export.read"))]


def _stream(
    request: Request,
    session: SessionDep,
    principal: Principal,
    form_id: str,
    kind: Kind,
    query: ExportQuery,
) -> StreamingResponse:
    export = start_export(
        session,
        Who(principal.username, principal.scope, principal.device_id),
        form_id=form_id,
        kind=kind,
        query=query,
        base_url=str(request.base_url),
    )
    return StreamingResponse(
        export.body,
        media_type=export.media_type,
        headers={
            "Content-Disposition": disposition(export.filename),
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/{form_id}.csv",
    response_class=StreamingResponse,
    responses=CSV_RESPONSES,
    summary="Export a form's records as CSV",
)
def export_csv(
    request: Request,
    form_id: str,
    session: SessionDep,
    principal: ExportPrincipal,
    query: Annotated[ExportQuery, Query()],
) -> StreamingResponse:
    return _stream(request, session, principal, form_id, "csv", query)


@router.get(
    "/{form_id}.xlsx",
    response_class=StreamingResponse,
    responses=XLSX_RESPONSES,
    summary="Export a form's records as XLSX",
)
def export_xlsx(
    request: Request,
    form_id: str,
    session: SessionDep,
    principal: ExportPrincipal,
    query: Annotated[ExportQuery, Query()],
) -> StreamingResponse:
    return _stream(request, session, principal, form_id, "xlsx", query)
