"""/review/exports: pick a form, a language, a format and the queue's filters; the plain GET
form's submit downloads the file through the API's export code, with the desk session's
principal (its scope, its name in the audit log). No JavaScript is needed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError

from app.db.session import SessionDep
from app.desk import queries
from app.desk.i18n import localized
from app.desk.views import StaffDep
from app.desk.web import DeskRefusal, DeskRoute, lang_of, render
from app.errors import ApiError
from app.exports.schemas import ExportQuery
from app.exports.service import Who, disposition, start_export
from app.forms.store import current_versions, schema_of

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)

FORMATS = ("csv", "xlsx")
LANG_CHOICES = ("en", "km", "")  # "" = field and choice names
_QUERY_KEYS = ("lang", "state", "province", "district", "flag", "q", "from", "to")
# a parameter in error -> the message shown beside its field
_ERROR_KEYS = {"from": "bad_date", "to": "bad_date"}


def _chosen(request: Request) -> dict[str, str]:
    params = request.query_params
    keys = ("form", "format", *_QUERY_KEYS)
    return {k: params.get(k, "")[:200] for k in keys}


def _page(
    request: Request,
    session: SessionDep,
    live: Any,
    chosen: dict[str, str],
    errors: list[tuple[str, str, dict[str, Any]]],
) -> Response:
    lang = lang_of(request)
    scope = live.principal.scope
    forms = {
        row.form_id: localized(schema_of(row).title, lang) for row in current_versions(session)
    }
    return render(
        request,
        "exports.html",
        status=422 if errors else 200,
        live=live,
        csrf=live.csrf_token,
        errors=errors,
        chosen=chosen,
        forms=forms,
        formats=FORMATS,
        langs=LANG_CHOICES,
        states=queries.REVIEW_STATES,
        flag_filters=queries.FLAG_FILTERS,
        provinces=queries.locations_in_scope(session, scope=scope, level="province"),
        districts=queries.locations_in_scope(
            session,
            scope=scope,
            level="district",
            parent=chosen.get("province") or scope.province,
        ),
    )


@router.get("/exports")
def exports_page(request: Request, session: SessionDep, live: StaffDep) -> Response:
    chosen = _chosen(request)
    chosen["format"] = chosen["format"] if chosen["format"] in FORMATS else "xlsx"
    return _page(request, session, live, chosen, [])


@router.get("/exports/download")
def exports_download(request: Request, session: SessionDep, live: StaffDep) -> Response:
    chosen = _chosen(request)
    errors: list[tuple[str, str, dict[str, Any]]] = []
    if not chosen["form"]:
        errors.append(("form", "exports_pick_form", {}))
    if chosen["format"] not in FORMATS:
        errors.append(("format", "exports_pick_format", {}))
    query: ExportQuery | None = None
    try:
        query = ExportQuery.model_validate({k: chosen[k] for k in _QUERY_KEYS})
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "form"
            errors.append((name, _ERROR_KEYS.get(name, "exports_bad_value"), {}))
    if errors or query is None:
        return _page(request, session, live, chosen, errors)
    principal = live.principal
    try:
        export = start_export(
            session,
            Who(principal.username, principal.scope, principal.device_id),
            form_id=chosen["form"],
            kind="xlsx" if chosen["format"] == "xlsx" else "csv",
            query=query,
            base_url=str(request.base_url),
        )
    except ApiError as exc:
        if exc.code != "not_found":
            raise
        raise DeskRefusal(
            404,
            "error.html",
            live=live,
            csrf=live.csrf_token,
            title_key="not_found_title",
            message_key="exports_no_such_form",
        ) from None
    return StreamingResponse(
        export.body,
        media_type=export.media_type,
        headers={"Content-Disposition": disposition(export.filename)},
    )
