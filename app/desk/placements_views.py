"""/review/placements: the placement chain as two worklists (waiting for DoSVY's
authorization, waiting for MoSVY's certification), and the one POST that takes a step.

A step runs ``app.records.workflow.step_placement`` inside ``committed``, exactly as
``POST /api/v1/records/{id}/placement`` does: same checks of role, scope and order, same
placement trail, same audit line (actor = the session's user, device = ``desk:…``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from app.auth.roles import may
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.desk import placement_queries as queries
from app.desk.i18n import text
from app.desk.placements import WORKLISTS, allowed_steps, facts_of
from app.desk.queries import location_names
from app.desk.sessions import LiveSession
from app.desk.settings import get_desk_settings
from app.desk.views import NOT_FOUND, CheckedDep, StaffDep, checked_record_id, render_record_page
from app.desk.web import DeskRefusal, DeskRoute, forbidden, lang_of, redirect, render
from app.errors import ApiError
from app.forms.schema import FormSchema
from app.forms.store import published_schema
from app.records.workflow import PLACEMENT_STEPS, step_placement
from app.sync.queries import scoped_record

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)

Errors = list[tuple[str, str, dict[str, Any]]]


def _default_worklist(role: str, waiting: dict[str, int] | None = None) -> str:
    """The list the role acts on (MoSVY: certification), unless nothing waits there and
    something waits in the other."""
    mine = "certification" if may(role, "placement.certify") else "authorization"
    other = "authorization" if mine == "certification" else "certification"
    if waiting is not None and waiting[mine] == 0 and waiting[other] > 0:
        return other
    return mine


def _placements_page(
    request: Request,
    session: SessionDep,
    live: LiveSession,
    worklist: str | None,
    *,
    after: str | None = None,
    status: int = 200,
    errors: Errors | None = None,
    reasons: dict[str, str] | None = None,
) -> Response:
    lang = lang_of(request)
    scope, role = live.principal.scope, live.principal.role
    counts = queries.worklist_counts(session, scope=scope, states=list(WORKLISTS.values()))
    if worklist not in WORKLISTS:
        worklist = _default_worklist(role, {name: counts[s] for name, s in WORKLISTS.items()})
    records, next_key = queries.worklist_page(
        session,
        scope=scope,
        state=WORKLISTS[worklist],
        after=queries.WorklistKey.decode(after),
        limit=get_desk_settings().page_size,
    )
    schemas: dict[str, FormSchema | None] = {}
    for version in {r.form_version for r in records}:
        schemas[version] = published_schema(session, queries.PLACEMENT_FORM, version)
    names = location_names(
        session, {c for r in records for c in (r.province, r.district, r.commune) if c}
    )
    rows = [
        {
            "record": r,
            "facts": facts_of(schemas.get(r.form_version), r.data or {}, lang),
            "steps": allowed_steps(role, r.placement_state),
        }
        for r in records
    ]
    return render(
        request,
        "placements.html",
        status=status,
        live=live,
        csrf=live.csrf_token,
        worklist=worklist,
        worklists=WORKLISTS,
        counts={name: counts[state] for name, state in WORKLISTS.items()},
        rows=rows,
        next_key=next_key.encode() if next_key else None,
        paged=bool(after),
        names=names,
        errors=errors or [],
        reasons=reasons or {},
        done=request.query_params.get("done"),
    )


@router.get("/placements")
def placements(
    request: Request,
    session: SessionDep,
    live: StaffDep,
    worklist: Annotated[str | None, Query(alias="list", max_length=16)] = None,
    after: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    return _placements_page(request, session, live, worklist, after=after)


@router.post("/placements/{record_id}")
def step(
    request: Request,
    session: SessionDep,
    live: CheckedDep,
    record_id: str,
    action: Annotated[str, Form(max_length=16)] = "",
    comment: Annotated[str, Form(max_length=4000)] = "",
    back: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Authorize, certify or decline; ``back`` says which page the button was on (a
    worklist, or ``record``), so a refusal is explained there."""
    record_id = checked_record_id(record_id)
    principal = live.principal
    if action not in PLACEMENT_STEPS or not may(principal.role, "placement.act"):
        raise forbidden(live, "placements_may_not")
    reason = comment.strip()
    worklist = back if back in WORKLISTS else _default_worklist(principal.role)

    def explain(status: int, errors: Errors) -> Response:
        if back == "record":
            return render_record_page(
                request, session, live, record_id, status=status, errors=errors
            )
        return _placements_page(
            request, session, live, worklist, status=status, errors=errors,
            reasons={record_id: comment},
        )  # fmt: skip

    field = "reason" if back == "record" else f"reason-{record_id}"
    if action == "decline" and not reason:
        return explain(422, [(field, "placements_reason_required", {})])
    try:
        with committed(session):
            record = step_placement(
                session,
                principal,
                record_id=record_id,
                action=action,
                comment=reason or None,
                now=now_utc(),
            )
    except ApiError as exc:
        if exc.code == "not_found":
            raise DeskRefusal(404, "error.html", live=live, **NOT_FOUND) from None
        if exc.code == "forbidden":
            raise forbidden(live, "placements_may_not") from None
        if exc.code == "invalid_transition":
            current = scoped_record(session, scope=principal.scope, record_id=record_id)
            state = current.placement_state if current is not None else None
            shown = text(lang_of(request), f"placement_{state}") if state else "—"
            return explain(409, [(field, "placements_moved_on", {"state": shown})])
        raise
    if back == "record":
        return redirect(f"/review/records/{record_id}?placed={record.placement_state}")
    return redirect(f"/review/placements?list={worklist}&done={record.placement_state}")
