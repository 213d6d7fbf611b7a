"""/api/v1/locations: the administrative units inside the caller's scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth.principal import Principal, require
from app.db.session import SessionDep
from app.geography.queries import locations_in_scope
from app.web.responses import ResponseModel

router = APIRouter(prefix="/api/v1", tags=["locations"])


class LocationOut(ResponseModel):
    code: str
    level: str
    parent_code: str | None
    name: dict[str, str]


class LocationsOut(ResponseModel):
    locations: list[LocationOut]


@router.get("/locations", response_model=LocationsOut)
def list_locations(
    session: SessionDep, principal: Annotated[Principal, Depends(require("location.read"))]
) -> LocationsOut:
    rows = locations_in_scope(session, scope=principal.scope)
    return LocationsOut(
        locations=[
            LocationOut(
                code=r.code,
                level=r.level,
                parent_code=r.parent_code,
                name={"en": r.name_en, "km": r.name_km},
            )
            for r in rows
        ]
    )
