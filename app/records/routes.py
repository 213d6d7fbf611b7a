"""/api/v1/records: read, history, review, placement and conflict resolution."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.auth.principal import Principal, require
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.errors import ApiError
from app.records import workflow
from app.records.resolve import resolve_conflict
from app.sync import queries
from app.sync.pull import record_out
from app.sync.schemas import PullRecord
from app.web.media import AcceptsJson
from app.web.responses import ResponseModel, json_response

router = APIRouter(prefix="/api/v1/records", tags=["records"])


class ReviewIn(BaseModel):
    action: Literal["approve", "return", "reject"]
    comment: str | None = Field(default=None, max_length=4000)


class PlacementIn(BaseModel):
    action: Literal["authorize", "certify", "decline"]
    comment: str | None = Field(default=None, max_length=4000)


class ResolveIn(BaseModel):
    value: Any = None


class RevisionOut(ResponseModel):
    rev: int
    form_version: str
    status: str = Field(description="How the revision came: the sync status, or the step")
    data: dict[str, Any]
    change_id: str | None
    by: str | None
    device_id: str | None
    captured_at: str | None = Field(description="As the device sent it")
    received_at: datetime


class PlacementStepOut(ResponseModel):
    model_config = ConfigDict(populate_by_name=True)

    action: str
    from_state: str | None = Field(alias="from")
    to: str
    by: str | None
    role: str | None
    comment: str | None
    at: datetime
    rev: int | None = Field(description="The revision the step acted on")


class HistoryOut(ResponseModel):
    record_id: str
    revisions: list[RevisionOut]
    placement: list[PlacementStepOut]


def _shown(session: SessionDep, principal: Principal, record_id: str) -> dict[str, Any]:
    record = queries.scoped_record(session, scope=principal.scope, record_id=record_id)
    if record is None:
        raise ApiError("not_found", "No such record.")
    conflicts = queries.open_conflicts(session, [record_id]).get(record_id, [])
    return record_out(record, conflicts)


@router.get("/{record_id}", response_model=PullRecord)
def read_record(
    record_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("record.read"))],
) -> Response:
    return json_response(_shown(session, principal, str(record_id)))


@router.get("/{record_id}/history", response_model=HistoryOut)
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


@router.post("/{record_id}/review", response_model=PullRecord, dependencies=[AcceptsJson])
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


@router.post("/{record_id}/placement", response_model=PullRecord, dependencies=[AcceptsJson])
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


@router.post(
    "/{record_id}/conflicts/{conflict_id}/resolve",
    response_model=PullRecord,
    dependencies=[AcceptsJson],
)
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
