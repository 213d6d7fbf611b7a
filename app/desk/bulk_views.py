"""POST /review/approve: approve several records of the queue at once.

Each record is approved on its own through ``app.records.workflow.review_record`` inside its
own ``committed`` transaction, exactly as ``POST /api/v1/records/{id}/review`` would: one
state change, one sync sequence bump and one audit line each. A record that cannot be
approved (not received any more, or not there for this user) is reported, never a 500."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.auth.roles import may
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.desk.sessions import LiveSession
from app.desk.views import CheckedDep
from app.desk.web import DeskRoute, forbidden, render
from app.errors import ApiError
from app.records.workflow import review_record
from app.sync.queries import scoped_record

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)

MAX_SELECTED = 500  # ten pages of the queue at its largest setting


def _approve_one(session: SessionDep, live: LiveSession, record_id: str) -> str | None:
    """Approve one record; None when done, else why not (``not_found`` or its state)."""
    try:
        canonical = str(uuid.UUID(record_id))
    except ValueError:
        return "not_found"
    try:
        with committed(session):
            review_record(
                session,
                live.principal,
                record_id=canonical,
                action="approve",
                comment=None,
                now=now_utc(),
            )
    except ApiError as exc:
        if exc.code == "invalid_transition":
            current = scoped_record(session, scope=live.principal.scope, record_id=canonical)
            return current.review_state if current is not None else "not_found"
        if exc.code == "not_found":
            return "not_found"
        raise
    return None


@router.post("/approve")
def approve_selected(
    request: Request,
    session: SessionDep,
    live: CheckedDep,
    record_id: Annotated[list[str] | None, Form()] = None,
) -> Response:
    if not may(live.principal.role, "record.review"):
        raise forbidden(live, "may_not_review")
    # any text is reported, not refused: a malformed id is "no such record" (kept short)
    chosen = list(dict.fromkeys(r.strip().lower()[:64] for r in record_id or [] if r.strip()))
    if not chosen or len(chosen) > MAX_SELECTED:
        key = "bulk_none_selected" if not chosen else "bulk_too_many"
        return render(
            request,
            "bulk_result.html",
            status=422,
            live=live,
            csrf=live.csrf_token,
            errors=[("results", key, {"max": MAX_SELECTED})],
            approved=[],
            refused=[],
        )
    approved: list[str] = []
    refused: list[tuple[str, str]] = []
    for rid in chosen:
        why = _approve_one(session, live, rid)
        if why is None:
            approved.append(rid)
        else:
            refused.append((rid, why))
    return render(
        request,
        "bulk_result.html",
        live=live,
        csrf=live.csrf_token,
        errors=[],
        approved=approved,
        refused=refused,
    )
