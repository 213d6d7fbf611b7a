"""SQL for the inspection coverage page, always inside the caller's scope; no commits.

Two statements whatever the number of institutions: the institutions in scope, and their
inspections of the year and the year before (the fields the page shows, read out of the JSON
``data`` by path, so no whole record is loaded). Rejected inspections do not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.models import Record

INSTITUTION_FORM = "institution"
INSPECTION_FORM = "institution_inspection"


@dataclass(frozen=True)
class CoverageFilters:
    year: int
    province: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class InstitutionRow:
    record_id: str
    name: str
    name_latin: str
    code: str
    baseline_beds: int | None
    province: str | None
    district: str | None
    commune: str | None


@dataclass(frozen=True)
class InspectionRow:
    record_id: str
    institution: str
    inspection_date: str
    inspection_round: str | None
    review_state: str
    seq: int
    girls: int | None
    boys: int | None
    under_3: int | None
    beds: int | None
    abuse_allegation: str | None


def _field(*path: str) -> ColumnElement[Any]:
    """A value inside a record's ``data`` (``children.girls_under_18`` is two keys)."""
    key: Any = path[0] if len(path) == 1 else path
    return Record.data[key].as_string()


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _where(scope: Scope, filters: CoverageFilters, form_id: str) -> list[Any]:
    where: list[Any] = [scope.filter(Record), Record.form_id == form_id]
    if filters.province:
        where.append(Record.province == filters.province)
    if filters.district:
        where.append(Record.district == filters.district)
    return where


def institutions(
    session: Session, *, scope: Scope, filters: CoverageFilters
) -> list[InstitutionRow]:
    """Every institution in scope (and in the filters' province/district)."""
    rows = session.execute(
        select(
            Record.record_id,
            _field("institution_name").label("name"),
            _field("institution_name_latin").label("name_latin"),
            _field("code").label("code"),
            _field("baseline_beds").label("baseline_beds"),
            Record.province,
            Record.district,
            Record.commune,
        ).where(*_where(scope, filters, INSTITUTION_FORM))
    ).all()
    return [
        InstitutionRow(
            record_id=r.record_id,
            name=_text(r.name),
            name_latin=_text(r.name_latin),
            code=_text(r.code),
            baseline_beds=_int(r.baseline_beds),
            province=r.province,
            district=r.district,
            commune=r.commune,
        )
        for r in rows
    ]


def inspections(session: Session, *, scope: Scope, filters: CoverageFilters) -> list[InspectionRow]:
    """The inspections in scope dated in the filters' year or the year before (the latest of
    an institution not yet inspected this year still shows), rejected ones left out."""
    inspection_date = _field("inspection_date")
    rows = session.execute(
        select(
            Record.record_id,
            _field("institution").label("institution"),
            inspection_date.label("inspection_date"),
            _field("inspection_round").label("inspection_round"),
            Record.review_state,
            Record.seq,
            _field("children", "girls_under_18").label("girls"),
            _field("children", "boys_under_18").label("boys"),
            _field("children_under_3").label("under_3"),
            _field("beds").label("beds"),
            _field("abuse_allegation").label("abuse_allegation"),
        ).where(
            *_where(scope, filters, INSPECTION_FORM),
            Record.review_state != "rejected",
            inspection_date >= f"{filters.year - 1:04d}-01-01",
            inspection_date <= f"{filters.year:04d}-12-31",
        )
    ).all()
    return [
        InspectionRow(
            record_id=r.record_id,
            institution=_text(r.institution),
            inspection_date=_text(r.inspection_date)[:10],
            inspection_round=r.inspection_round,
            review_state=r.review_state,
            seq=int(r.seq),
            girls=_int(r.girls),
            boys=_int(r.boys),
            under_3=_int(r.under_3),
            beds=_int(r.beds),
            abuse_allegation=r.abuse_allegation,
        )
        for r in rows
        if r.institution
    ]
