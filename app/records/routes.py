"""/api/v1/records."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from app.deps import Principal, SessionDep, require
from app.errors import ApiError
from app.records.queries import get_record
from app.records.schemas import RecordOut, record_out

router = APIRouter(prefix="/api/v1/records", tags=["records"])


@router.get("/{record_id}", response_model=RecordOut)
def read_record(
    record_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("record.read"))],
) -> RecordOut:
    record = get_record(session, scope=principal.scope, record_id=str(record_id))
    if record is None:
        raise ApiError("not_found", "No such record.")
    return record_out(record)
