"""Which records an indicator request reads: the caller's scope, narrowed to a province.

A province outside the caller's scope answers as a record outside it does: 404, as if it
did not exist (CONTRACT.md, "Auth"). The same check serves the API and the desk.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.errors import ApiError
from app.indicators.definitions import FIRST_YEAR
from app.models import Location

_PROVINCE = re.compile(r"^\d{2}$")


def indicator_scope(session: Session, scope: Scope, province: str | None) -> Scope:
    """``scope`` narrowed to ``province`` (422 if malformed, 404 if outside the scope or no
    such province)."""
    if province is None or province == "":
        return scope
    if not _PROVINCE.match(province):
        raise ApiError(
            "validation_error",
            "province must be a 2-digit province code.",
            details=[{"path": "province", "code": "invalid_province", "message": "2 digits"}],
        )
    known = session.scalar(
        select(Location.code).where(Location.level == "province", Location.code == province)
    )
    if known is None or (scope.province is not None and scope.province != province):
        raise ApiError("not_found", "No such province in your scope.")
    if scope.province == province:
        return scope
    return Scope(province=province)


def year_or_error(year: int | None, today: date) -> int:
    """``year`` (this year when None) if between 2000 and this year, else 422."""
    if year is None:
        return today.year
    if not FIRST_YEAR <= year <= today.year:
        raise ApiError(
            "validation_error",
            f"year must be between {FIRST_YEAR} and {today.year}.",
            details=[{"path": "year", "code": "year_out_of_range", "message": "out of range"}],
        )
    return year
