"""The indicators API's answer (CONTRACT.md, "Indicators, exports, audit")."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from app.web.responses import ResponseModel


class PhaseOut(ResponseModel):
    year: int
    plan_year: int | None = Field(description="1, 2 or 3 in the plan's years, else null")
    target: int | None = Field(description="The plan's reintegration target for that year")
    value: int = Field(description="Children whose reintegration was completed that year")


class IndicatorOut(ResponseModel):
    id: str
    value: float | None = Field(description="The figure; null for a percentage of nothing")
    target: float
    unit: Literal["children", "institutions", "families", "percent"]
    goal: Literal["at_least", "at_most"] = Field(
        description="Whether the target is a floor or a ceiling"
    )
    count: int = Field(description="Children, families or institutions counted")
    of: int | None = Field(description="A percentage's denominator; null for a count")
    by: dict[str, dict[str, float | None]] = Field(
        description="The figure split by province, sex, age_band and disability, in its unit"
    )
    phases: list[PhaseOut] | None = Field(
        default=None, description="children_reintegrated only: the plan's yearly phases"
    )


class IndicatorsOut(ResponseModel):
    year: int
    as_of: date
    indicators: list[IndicatorOut]
