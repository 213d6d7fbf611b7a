"""/api/v1/forms: the published forms, their immutable versions, publishing and XLSForm import."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from app.auth.principal import Principal, require
from app.auth.roles import may
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.errors import ApiError
from app.forms.retirement import retired_form_ids
from app.forms.schema import FormSchema, LocalizedText
from app.forms.store import VersionExists, current_versions, get_version, save_version, schema_of
from app.forms.workbook_limits import MAX_WORKBOOK_BYTES
from app.openrosa.xforms import store_xlsform_xform
from app.web.etag import etag_matches
from app.web.media import AcceptsJson, AcceptsMultipart
from app.web.responses import ResponseModel

router = APIRouter(prefix="/api/v1/forms", tags=["forms"])

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: `If-None-Match` names the current ETag"}
}

IMMUTABLE = "public, max-age=31536000, immutable"
MAX_XLSFORM_BYTES = MAX_WORKBOOK_BYTES  # docs/xlsform.md, "Limits"


class FormSummary(ResponseModel):
    form_id: str
    version: str
    title: LocalizedText
    hash: str
    needs_khmer: bool = False  # some texts have no Khmer: English is shown in their place


class FormList(ResponseModel):
    forms: list[FormSummary]


class PublishedOut(ResponseModel):
    form_id: str
    version: str
    hash: str
    published: bool


class ImportWarning(ResponseModel):
    """Something of the workbook Homeward ignored or filled in (docs/xlsform.md)."""

    sheet: str | None
    row: int | None
    feature: str
    message: str


class ImportedOut(PublishedOut):
    needs_khmer: bool
    warnings: list[ImportWarning]


@router.get("", response_model=FormList, responses=NOT_MODIFIED)
def list_forms(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("form.read"))],
) -> Response:
    retired = retired_form_ids(session)  # out of the field: listed to nobody (docs/desk.md)
    rows = [
        r
        for r in current_versions(session)
        if principal.role in schema_of(r).roles and r.form_id not in retired
    ]
    body = FormList(
        forms=[
            FormSummary(
                form_id=r.form_id,
                version=r.version,
                title=schema_of(r).title,
                hash=r.content_hash,
                needs_khmer=schema_of(r).needs_khmer,
            )
            for r in rows
        ]
    ).model_dump(mode="json")
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    etag = '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization"}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(payload, media_type="application/json", headers=headers)


@router.get("/{form_id}/versions/{version}", response_model=FormSchema, responses=NOT_MODIFIED)
def read_version(
    form_id: str,
    version: str,
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("form.read"))],
) -> Response:
    row = get_version(session, form_id, version)
    if row is None or (not row.published and not may(principal.role, "form.read_draft")):
        raise ApiError("not_found", f"No form {form_id} version {version}.")
    etag = f'"{row.content_hash.removeprefix("sha256:")}"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE if row.published else "private, no-cache"}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return JSONResponse(row.schema_json, headers=headers)


def _publish(
    session: SessionDep,
    schema: FormSchema,
    *,
    publish: bool,
    actor: str,
    warnings: list[dict[str, Any]] | None = None,
) -> Response:
    try:
        with committed(session):
            result = save_version(session, schema, publish=publish, actor=actor, now=now_utc())
    except VersionExists as exc:
        raise ApiError("version_exists", str(exc) + ": publish it under a new version.") from exc
    out = PublishedOut(
        form_id=result.form_id, version=result.version, hash=result.hash, published=result.published
    )
    body = out.model_dump()
    if warnings is not None:  # an XLSForm import: what of the workbook was left out
        body |= {"needs_khmer": schema.needs_khmer, "warnings": warnings}
    return JSONResponse(body, status_code=201 if result.created else 200)


@router.post(
    "",
    status_code=201,
    response_model=PublishedOut,
    responses={200: {"model": PublishedOut, "description": "Already there, same content"}},
    dependencies=[AcceptsJson],
)
def publish_form(
    schema: FormSchema,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("form.publish"))],
) -> Response:
    return _publish(session, schema, publish=True, actor=principal.username)


@router.post(
    "/xlsform",
    status_code=201,
    response_model=ImportedOut,
    responses={200: {"model": ImportedOut, "description": "Already there, same content"}},
    dependencies=[AcceptsMultipart],
)
def import_xlsform_route(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("form.publish"))],
    file: Annotated[UploadFile, File(description="The XLSForm workbook (.xlsx or .xls)")],
    publish: Annotated[bool, Form()] = False,
) -> Response:
    from app.forms.xlsform import XLSFormError, read_xlsform

    filename = file.filename or "form.xlsx"
    content = file.file.read(MAX_XLSFORM_BYTES + 1)
    if len(content) > MAX_XLSFORM_BYTES:
        raise ApiError("body_too_large", f"An XLSForm may be at most {MAX_XLSFORM_BYTES} bytes.")
    try:
        imported = read_xlsform(content, filename)
    except XLSFormError as exc:
        raise ApiError(
            "invalid_xlsform", "The XLSForm cannot be imported.", details=exc.details()
        ) from exc
    warnings = [w.as_detail() for w in imported.warnings]
    schema = imported.schema
    response = _publish(
        session, schema, publish=publish, actor=principal.username, warnings=warnings
    )
    if publish:  # ODK clients download pyxform's own XForm of it (app.openrosa.xforms)
        with committed(session):
            store_xlsform_xform(session, schema, content, Path(filename).suffix.lower())
    return response
