"""/review/audit: the audit log for mosvy and admin, filtered by who, action, record and
dates, newest first in keyset pages, with its CSV (the API's, itself audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError

from app.audit_log.csv_export import FILENAME, start_audit_csv
from app.audit_log.queries import audit_page
from app.audit_log.schemas import AuditPageQuery, AuditQuery
from app.db.session import SessionDep
from app.desk.sessions import LiveSession
from app.desk.settings import get_desk_settings
from app.desk.views import StaffDep
from app.desk.web import DeskRoute, permitted, render

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)

_KEYS = ("user", "action", "record", "from", "to")
_ERROR_KEYS = {"from": "bad_date", "to": "bad_date", "action": "audit_bad_action"}


def _reader(live: LiveSession) -> LiveSession:
    return permitted(live, "audit.read", "audit_forbidden")


def _chosen(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "")[:128] for k in _KEYS}


def _errors(exc: ValidationError) -> list[tuple[str, str, dict[str, Any]]]:
    found: list[tuple[str, str, dict[str, Any]]] = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "user"
        found.append((name, _ERROR_KEYS.get(name, "audit_bad_value"), {}))
    return found


@router.get("/audit")
def audit_log_page(request: Request, session: SessionDep, live: StaffDep) -> Response:
    _reader(live)
    chosen = _chosen(request)
    after = request.query_params.get("after", "")
    errors: list[tuple[str, str, dict[str, Any]]] = []
    try:
        query = AuditPageQuery.model_validate(
            {**chosen, "after": after if after.isdigit() and after != "0" else ""}
        )
    except ValidationError as exc:
        errors = _errors(exc)
        query = AuditPageQuery()
    entries, next_before = (
        audit_page(
            session,
            filters=query.filters(),
            before=query.after,
            limit=get_desk_settings().page_size,
        )
        if not errors
        else ([], None)
    )
    params = {k: v for k, v in chosen.items() if v}
    return render(
        request,
        "audit.html",
        status=422 if errors else 200,
        live=live,
        csrf=live.csrf_token,
        errors=errors,
        chosen=chosen,
        params=params,
        entries=entries,
        next_key=str(next_before) if next_before is not None else None,
        paged=query.after is not None,
    )


@router.get("/audit/download.csv")
def audit_log_csv(request: Request, session: SessionDep, live: StaffDep) -> Response:
    _reader(live)
    chosen = _chosen(request)
    try:
        query = AuditQuery.model_validate(chosen)
    except ValidationError as exc:
        return render(
            request,
            "audit.html",
            status=422,
            live=live,
            csrf=live.csrf_token,
            errors=_errors(exc),
            chosen=chosen,
            params={k: v for k, v in chosen.items() if v},
            entries=[],
            next_key=None,
            paged=False,
        )
    principal = live.principal
    body = start_audit_csv(
        session, actor=principal.username, device_id=principal.device_id, query=query
    )
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{FILENAME}"'},
    )
