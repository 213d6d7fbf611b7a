"""/review/conflicts: open conflicts in scope, both values side by side, and the POST that
settles one.

Settling runs ``app.records.resolve.resolve_conflict`` inside ``committed``, exactly as
``POST /api/v1/records/{id}/conflicts/{conflict_id}/resolve`` does: a new revision (it travels
to the devices on their next pull), the same validation as a push, the same audit line
(``conflict.resolve``, actor = the session's user, device = ``desk:…``)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from app.audit import record_audit
from app.auth.roles import may
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.desk import conflict_queries as queries
from app.desk.conflict_values import (
    BadValue,
    field_of,
    label_of,
    parse_typed,
    server_author,
    typeable,
)
from app.desk.i18n import localized
from app.desk.present import show_value
from app.desk.sessions import LiveSession
from app.desk.settings import get_desk_settings
from app.desk.views import NOT_FOUND, CheckedDep, StaffDep
from app.desk.web import DeskRefusal, DeskRoute, forbidden, lang_of, redirect, render
from app.errors import ApiError
from app.forms.schema import FormSchema
from app.forms.store import published_schema
from app.models import Conflict, Record
from app.records.resolve import resolve_conflict
from app.sync.merge import row_keys_for

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)

Errors = list[tuple[str, str, dict[str, Any]]]
CHOICES = ("server", "device", "typed")


def _schemas(session: SessionDep, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    return {pair: published_schema(session, *pair) for pair in pairs}


def _conflicts_page(
    request: Request,
    session: SessionDep,
    live: LiveSession,
    *,
    after: str | None = None,
    status: int = 200,
    errors: Errors | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    lang = lang_of(request)
    scope = live.principal.scope
    page, next_key = queries.conflicts_page(
        session,
        scope=scope,
        after=queries.ConflictKey.decode(after),
        limit=get_desk_settings().page_size,
    )
    schemas = _schemas(session, {(r.form_id, r.form_version) for _, r in page})
    revisions = queries.revision_authors(session, {r.record_id for _, r in page})
    rows = []
    for conflict, record in page:
        schema: FormSchema | None = schemas.get((record.form_id, record.form_version))
        field = field_of(schema, conflict.path)
        shown_field = field if field is not None and field.type not in {"group", "repeat"} else None
        row_keys = row_keys_for(schema.fields) if schema is not None else None
        rows.append(
            {
                "conflict": conflict,
                "record": record,
                "title": localized(schema.title, lang) if schema else record.form_id,
                "label": label_of(schema, conflict.path, lang),
                "server": show_value(schema, shown_field, conflict.server_value, lang),
                "device": show_value(schema, shown_field, conflict.client_value, lang),
                "server_by": server_author(
                    revisions.get(record.record_id, []), conflict.path, conflict.rev, row_keys
                ),
                "typeable": typeable(field),
            }
        )
    return render(
        request,
        "conflicts.html",
        status=status,
        live=live,
        csrf=live.csrf_token,
        rows=rows,
        count=queries.count_open(session, scope=scope),
        may_resolve=may(live.principal.role, "conflict.resolve"),
        next_key=next_key.encode() if next_key else None,
        paged=bool(after),
        errors=errors or [],
        typed=typed or {},
        done=request.query_params.get("done") == "resolved",
    )


@router.get("/conflicts")
def conflicts(
    request: Request,
    session: SessionDep,
    live: StaffDep,
    after: Annotated[str | None, Query(max_length=120)] = None,
) -> Response:
    return _conflicts_page(request, session, live, after=after)


def _not_found(session: SessionDep, live: LiveSession, conflict_id: str) -> DeskRefusal:
    """Out of scope or missing, alike; the attempt is audited as the API's would be."""
    session.rollback()
    with committed(session):
        record_audit(
            session,
            action="conflict.resolve.refused",
            actor=live.principal.username,
            device_id=live.principal.device_id,
            target_type="conflict",
            target_id=conflict_id,
            details={"reason": "not_found"},
        )
    return DeskRefusal(404, "error.html", live=live, **NOT_FOUND)


@router.post("/conflicts/{conflict_id}")
def resolve(
    request: Request,
    session: SessionDep,
    live: CheckedDep,
    conflict_id: str,
    choice: Annotated[str, Form(max_length=16)] = "",
    value: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Keep the server's value, keep the device's, or the value typed in ``Value``."""
    try:
        conflict_id = str(uuid.UUID(conflict_id))
    except ValueError:
        raise DeskRefusal(404, "error.html", live=live, **NOT_FOUND) from None
    principal = live.principal
    if choice not in CHOICES or not may(principal.role, "conflict.resolve"):
        raise forbidden(live, "conflicts_may_not")
    record_id = queries.record_of_conflict(session, scope=principal.scope, conflict_id=conflict_id)
    conflict = session.get(Conflict, conflict_id) if record_id is not None else None
    if record_id is None or conflict is None:
        raise _not_found(session, live, conflict_id)
    field_id = f"value-{conflict_id}"

    def explain(status: int, key: str, **params: Any) -> Response:
        return _conflicts_page(
            request,
            session,
            live,
            status=status,
            errors=[(field_id, key, params)],
            typed={conflict_id: value},
        )

    if conflict.resolved_at is not None:
        return explain(409, "conflicts_already_resolved")
    if choice == "server":
        chosen = conflict.server_value
    elif choice == "device":
        chosen = conflict.client_value
    else:
        record = session.get_one(Record, record_id)
        schema = published_schema(session, record.form_id, record.form_version)
        field = field_of(schema, conflict.path)
        if schema is None or field is None:
            return explain(422, "conflicts_not_typeable")
        try:
            chosen = parse_typed(schema, field, value)
        except BadValue as bad:
            return explain(422, bad.key)
    session.rollback()  # the service takes the sequence first: start its transaction clean
    try:
        with committed(session):
            resolve_conflict(
                session,
                principal,
                record_id=record_id,
                conflict_id=conflict_id,
                value=chosen,
                now=now_utc(),
            )
    except ApiError as exc:
        if exc.code == "not_found":
            raise DeskRefusal(404, "error.html", live=live, **NOT_FOUND) from None
        if exc.code == "invalid_transition":
            return explain(409, "conflicts_already_resolved")
        if exc.code == "validation_error":
            lang = lang_of(request)
            problems = [
                str(d.get("message_km") if lang == "km" and d.get("message_km") else d["message"])
                for d in exc.details or []
            ]
            return explain(422, "conflicts_does_not_fit", problem="; ".join(problems))
        if exc.code == "conflict":
            return explain(409, "conflicts_field_gone")
        raise
    return redirect("/review/conflicts?done=resolved")
