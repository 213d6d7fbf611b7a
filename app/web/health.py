"""GET /healthz: the process answers and so does the database."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.db.engine import get_engine
from app.errors import ErrorBody, error_body
from app.web.responses import ResponseModel

router = APIRouter(tags=["health"])


class HealthOut(ResponseModel):
    status: Literal["ok"]
    database: Literal["ok"]


class HealthDown(ResponseModel):
    """The error envelope, with the health check's own keys beside it."""

    error: ErrorBody
    status: Literal["error"]
    database: Literal["unavailable"]


@router.get(
    "/healthz",
    response_model=HealthOut,
    responses={503: {"model": HealthDown, "description": "The database does not answer"}},
)
def healthz() -> JSONResponse:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1 FROM alembic_version"))
    except Exception:  # noqa: BLE001 - any failure means "not healthy"; never leak it
        body = error_body("database_unavailable", "The database does not answer.")
        body["status"] = "error"
        body["database"] = "unavailable"
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
