"""/api/v1/indicators: the action plan's indicators in the caller's scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.auth.principal import Principal, require
from app.clock import cambodia_today, now_utc
from app.db.session import SessionDep
from app.indicators.compute import Report, indicators
from app.indicators.schemas import IndicatorsOut
from app.indicators.scoping import indicator_scope, year_or_error
from app.web.responses import json_response

router = APIRouter(prefix="/api/v1/indicators", tags=["indicators"])


def report_json(report: Report) -> dict[str, Any]:
    out: list[dict[str, Any]] = []
    for figure in report.figures:
        item: dict[str, Any] = {
            "id": figure.indicator.id,
            "value": figure.value,
            "target": figure.target,
            "unit": figure.indicator.unit,
            "goal": figure.indicator.goal,
            "count": figure.count,
            "of": figure.of,
            "by": figure.by,
        }
        if figure.phases is not None:
            item["phases"] = [
                {"year": p.year, "plan_year": p.plan_year, "target": p.target, "value": p.value}
                for p in figure.phases
            ]
        out.append(item)
    return {"year": report.year, "as_of": report.as_of.isoformat(), "indicators": out}


@router.get("", response_model=IndicatorsOut)
def read_indicators(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("indicators.read"))],
    year: Annotated[
        int | None, Query(description="The calendar year; this year if left out")
    ] = None,
    province: Annotated[
        str | None, Query(description="A 2-digit province code inside the caller's scope")
    ] = None,
) -> Response:
    today = cambodia_today(now_utc())
    scope = indicator_scope(session, principal.scope, province)
    report = indicators(session, scope=scope, year=year_or_error(year, today), today=today)
    return json_response(report_json(report))
