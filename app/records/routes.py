"""/api/v1/records: read, history, review, placement and conflict resolution."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.auth.principal import Principal, require
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.errors import ApiError
from app.records import workflow
from app.records.resolve import resolve_conflict
from app.sync import queries
from app.sync.pull import record_out
from app.web.media import AcceptsJson
from app.web.responses import json_response

router = APIRouter(prefix="/api/v1/records", tags=["records"])


class ReviewIn(BaseModel):
    action: Literal["approve", "return", "reject"]
    comment: str | None = Field(default=None, max_length=4000)


class PlacementIn(BaseModel):
    action: Literal["authorize", "certify", "decline"]
    comment: str | None = Field(default=None, max_length=4000)


class ResolveIn(BaseModel):
    value: Any = None


def _shown(session: SessionDep, principal: Principal, record_id: str) -> dict[str, Any]:
    record = queries.scoped_record(session, scope=principal.scope, record_id=record_id)
    if record is None:
        raise ApiError("not_found", "No such record.")
    conflicts = queries.open_conflicts(session, [record_id]).get(record_id, [])
    return record_out(record, conflicts)


@router.get("/{record_id}")
def read_record(
    record_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("record.read"))],
) -> Response:
    return json_response(_shown(session, principal, str(record_id)))


@router.get("/{record_id}/history")
def read_history(
    record_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("record.read"))],
) -> Response:
    _shown(session, principal, str(record_id))
    return json_response(
        {
            "record_id": str(record_id),
            "revisions": workflow.revision_history(session, str(record_id)),
            "placement": workflow.placement_history(session, str(record_id)),
        }
    )


@router.post("/{record_id}/review", dependencies=[AcceptsJson])
def review(
    record_id: uuid.UUID,
    body: ReviewIn,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("record.review"))],
) -> Response:
    with committed(session):
        workflow.review_record(
            session,
            principal,
            record_id=str(record_id),
            action=body.action,
            comment=body.comment,
            now=now_utc(),
        )
    return json_response(_shown(session, principal, str(record_id)))


@router.post("/{record_id}/placement", dependencies=[AcceptsJson])
def placement(
    record_id: uuid.UUID,
    body: PlacementIn,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("placement.act"))],
) -> Response:
    with committed(session):
        workflow.step_placement(
            session,
            principal,
            record_id=str(record_id),
            action=body.action,
            comment=body.comment,
            now=now_utc(),
        )
    return json_response(_shown(session, principal, str(record_id)))


@router.post("/{record_id}/conflicts/{conflict_id}/resolve", dependencies=[AcceptsJson])
def resolve(
    record_id: uuid.UUID,
    conflict_id: uuid.UUID,
    body: ResolveIn,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("conflict.resolve"))],
) -> Response:
    with committed(session):
        resolve_conflict(
            session,
            principal,
            record_id=str(record_id),
            conflict_id=str(conflict_id),
            value=body.value,
            now=now_utc(),
        )
    return json_response(_shown(session, principal, str(record_id)))
