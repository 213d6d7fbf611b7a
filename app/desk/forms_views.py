"""/review/forms: the stored form versions; upload an XLSForm and see what maps before
publishing it; publish; retire a form from the field or restore it. Thin views over the
services the API calls (app.forms.xlsform, app.forms.store, app.forms.retirement)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response

from app.admin.forms import list_versions
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.desk.admin_guard import allowed, allowed_post
from app.desk.i18n import localized
from app.desk.sessions import LiveSession
from app.desk.web import DeskRefusal, DeskRoute, lang_of, redirect, render
from app.forms import retirement
from app.forms.routes import MAX_XLSFORM_BYTES
from app.forms.schema import FormSchema, walk
from app.forms.store import VersionExists, get_version, save_version, schema_of
from app.forms.xlsform import XLSFormError, read_xlsform
from app.models import RetiredForm

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)

AdminDep = Annotated[LiveSession, Depends(allowed("form.publish"))]
AdminCheckedDep = Annotated[LiveSession, Depends(allowed_post("form.publish"))]
RetireDep = Annotated[LiveSession, Depends(allowed_post("form.retire"))]

KHMER = re.compile("[\u1780-\u17ff]")
DONE = ("retired", "restored", "published")


def _page(
    request: Request,
    session: SessionDep,
    live: LiveSession,
    *,
    status: int = 200,
    errors: list[tuple[str, str, dict[str, Any]]] | None = None,
    issues: list[dict[str, Any]] | None = None,
) -> Response:
    done = request.query_params.get("done")
    return render(
        request,
        "admin_forms.html",
        status=status,
        live=live,
        csrf=live.csrf_token,
        versions=list_versions(session),
        title_of=lambda schema: localized(schema.title, lang_of(request)),
        errors=errors or [],
        issues=issues or [],
        done=done if done in DONE else None,
        done_form=request.query_params.get("form", "")[:64],
    )


@router.get("/forms")
def forms_page(request: Request, session: SessionDep, live: AdminDep) -> Response:
    return _page(request, session, live)


@router.post("/forms/upload")
def upload(
    request: Request,
    session: SessionDep,
    live: AdminCheckedDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import the workbook as a draft (nothing reaches the field) and show its preview."""
    if file is None or not file.filename:
        return _page(
            request, session, live, status=422, errors=[("file", "admin_file_required", {})]
        )
    content = file.file.read(MAX_XLSFORM_BYTES + 1)
    if len(content) > MAX_XLSFORM_BYTES:
        errors = [("file", "admin_file_too_large", {"n": str(MAX_XLSFORM_BYTES // 1_000_000)})]
        return _page(request, session, live, status=413, errors=errors)
    try:
        imported = read_xlsform(content, file.filename)
    except XLSFormError as exc:
        errors = [("file", "admin_xlsform_refused", {"n": str(len(exc.issues))})]
        return _page(request, session, live, status=422, errors=errors, issues=exc.details())
    schema = imported.schema
    try:
        with committed(session):
            save_version(session, schema, publish=False, actor=live.principal.username)
    except VersionExists:
        errors = [
            ("file", "admin_version_exists", {"form": schema.form_id, "version": schema.version})
        ]
        return _page(request, session, live, status=409, errors=errors)
    row = _version_or_404(session, live, schema.form_id, schema.version)
    # the preview at once, with what the import ignored or filled in (not stored: shown now)
    return _preview(request, session, live, row, [w.as_detail() for w in imported.warnings])


def _version_or_404(session: SessionDep, live: LiveSession, form_id: str, version: str) -> Any:
    row = get_version(session, form_id[:64], version[:32])
    if row is None:
        raise DeskRefusal(
            404,
            "error.html",
            live=live,
            csrf=live.csrf_token,
            title_key="not_found_title",
            message_key="not_found_text",
        )
    return row


def preview_rows(schema: FormSchema, lang: str) -> list[dict[str, Any]]:
    """Each field as the preview shows it: path, type, labels, required, choices, and what
    to look at (a label with no Khmer)."""
    rows = []
    for info in walk(schema.fields):
        f = info.field
        choices = schema.choices_for(f) if f.type in ("select_one", "select_multiple") else []
        label_en = f.label.en if f.label else ""
        label_km = f.label.km if f.label else ""
        rows.append(
            {
                "path": info.path,
                "depth": info.path.count("."),
                "type": f.type,
                "label_en": label_en,
                "label_km": label_km,
                "required": f.required,
                "relevant": f.relevant,
                "choices": [localized(c.label, lang) for c in choices],
                "no_khmer": bool(f.label) and not KHMER.search(label_km),
            }
        )
    return rows


def _preview(
    request: Request,
    session: SessionDep,
    live: LiveSession,
    row: Any,
    warnings: list[dict[str, Any]],
) -> Response:
    schema = schema_of(row)
    lang = lang_of(request)
    rows = preview_rows(schema, lang)
    done = request.query_params.get("done")
    return render(
        request,
        "admin_form_preview.html",
        live=live,
        csrf=live.csrf_token,
        row=row,
        schema=schema,
        title=localized(schema.title, lang),
        rows=rows,
        warnings=warnings,
        missing_khmer=[r["path"] for r in rows if r["no_khmer"]],
        retired=session.get(RetiredForm, row.form_id) is not None,
        done=done if done in DONE else None,
    )


@router.get("/forms/{form_id}/versions/{version}")
def preview(
    request: Request, session: SessionDep, live: AdminDep, form_id: str, version: str
) -> Response:
    return _preview(request, session, live, _version_or_404(session, live, form_id, version), [])


@router.post("/forms/{form_id}/versions/{version}/publish")
def publish(session: SessionDep, live: AdminCheckedDep, form_id: str, version: str) -> Response:
    row = _version_or_404(session, live, form_id, version)
    with committed(session):
        save_version(
            session, schema_of(row), publish=True, actor=live.principal.username, now=now_utc()
        )
    return redirect(f"/review/forms/{row.form_id}/versions/{row.version}?done=published")


@router.post("/forms/{form_id}/retire")
def retire(session: SessionDep, live: RetireDep, form_id: str) -> Response:
    try:
        with committed(session):
            retirement.retire_form(
                session, form_id=form_id[:64], actor=live.principal.username, now=now_utc()
            )
    except retirement.UnknownForm:
        raise DeskRefusal(
            404, "error.html", live=live, title_key="not_found_title", message_key="not_found_text"
        ) from None
    return redirect(f"/review/forms?done=retired&form={form_id}")


@router.post("/forms/{form_id}/restore")
def restore(session: SessionDep, live: RetireDep, form_id: str) -> Response:
    try:
        with committed(session):
            retirement.restore_form(session, form_id=form_id[:64], actor=live.principal.username)
    except retirement.UnknownForm:
        raise DeskRefusal(
            404, "error.html", live=live, title_key="not_found_title", message_key="not_found_text"
        ) from None
    return redirect(f"/review/forms?done=restored&form={form_id}")
