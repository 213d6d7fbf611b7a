"""/review/coverage: every institution in scope with its inspections of the year, overdue first.
Thin: parse, query in scope, arrange (app.desk.coverage), render."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.clock import cambodia_today, now_utc
from app.db.session import SessionDep
from app.desk import coverage_queries, queries
from app.desk.coverage import HALVES, coverage_rows, coverage_totals
from app.desk.views import StaffDep
from app.desk.web import DeskRoute, render

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)

FIRST_YEAR, LAST_YEAR = 2000, 2100
# Rows a page: the rows are arranged in memory (two statements whatever their number), and a
# page renders only this many (a national list has every institution).
ROWS_PER_PAGE = 100


def _year(value: str | None, default: int) -> int | None:
    """The year asked for, the current one when none is, None when it is not a year."""
    if not value:
        return default
    if not value.isdigit() or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        return None
    return int(value)


@router.get("/coverage")
def coverage(
    request: Request,
    session: SessionDep,
    live: StaffDep,
    province: Annotated[str | None, Query(max_length=2)] = None,
    district: Annotated[str | None, Query(max_length=4)] = None,
    year: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    today = cambodia_today(now_utc())
    asked = _year(year, today.year)
    errors: list[tuple[str, str, dict[str, Any]]] = []
    if asked is None:
        errors.append(("year", "coverage_bad_year", {"first": FIRST_YEAR, "last": LAST_YEAR}))
    filters = coverage_queries.CoverageFilters(
        year=asked or today.year, province=province or None, district=district or None
    )
    scope = live.principal.scope
    institutions = coverage_queries.institutions(session, scope=scope, filters=filters)
    inspections = coverage_queries.inspections(session, scope=scope, filters=filters)
    rows = coverage_rows(institutions, inspections, year=filters.year, today=today)
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    page = min(page, pages)
    shown = rows[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE]
    names = queries.location_names(
        session,
        {code for r in shown for code in (r.institution.province, r.institution.district) if code},
    )
    params = {
        k: v
        for k, v in {
            "province": filters.province,
            "district": filters.district,
            "year": str(filters.year),
        }.items()
        if v
    }
    return render(
        request,
        "coverage.html",
        status=422 if errors else 200,
        live=live,
        csrf=live.csrf_token,
        errors=errors,
        filters=filters,
        params=params,
        raw_year=year if asked is None else str(filters.year),
        rows=shown,
        page=page,
        pages=pages,
        totals=coverage_totals(rows),
        halves=HALVES,
        names=names,
        years=list(range(today.year, today.year - 5, -1)),
        provinces=queries.locations_in_scope(session, scope=scope, level="province"),
        districts=queries.locations_in_scope(
            session, scope=scope, level="district", parent=filters.province or scope.province
        ),
    )
