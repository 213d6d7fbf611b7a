"""SQL for the indicators: the few fields each form contributes, read inside the caller's
scope, the same on SQLite and PostgreSQL (SQLAlchemy's JSON paths: ``json_extract`` on
SQLite, ``->>``/``#>>`` on PostgreSQL). No commits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.indicators.definitions import EXCLUDED_REVIEW_STATES
from app.models import Record


def _field(*path: str) -> ColumnElement[str]:
    element = Record.data[path[0]] if len(path) == 1 else Record.data[path]
    return element.as_string()


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _rows(
    session: Session, scope: Scope, form_id: str, fields: Mapping[str, tuple[str, ...]]
) -> Iterator[Any]:
    columns = [_field(*path).label(name) for name, path in fields.items()]
    stmt = select(Record.record_id, Record.province, *columns).where(
        Record.form_id == form_id,
        Record.review_state.not_in(EXCLUDED_REVIEW_STATES),
        scope.filter(Record),
    )
    # Core, not the ORM: plain tuples, no identity map (tens of thousands of rows)
    yield from session.connection().execute(stmt)


@dataclass(frozen=True)
class Child:
    record_id: str
    province: str | None
    sex: str | None
    born: date | None
    disability: str | None
    admitted: date | None


@dataclass(frozen=True)
class Event:
    """A record about a child (or an institution): what it names, its date and answers."""

    record_id: str
    province: str | None
    subject: str | None
    day: date | None
    answer: str | None = None
    other_day: date | None = None
    extra: str | None = None


@dataclass(frozen=True)
class Institution:
    record_id: str
    province: str | None
    opened: date | None
    status: str | None
    closed: date | None


def children(session: Session, scope: Scope) -> list[Child]:
    fields = {
        "sex": ("sex",),
        "born": ("date_of_birth",),
        "disability": ("disability",),
        "admitted": ("admission_date",),
    }
    return [
        Child(r.record_id, r.province, r.sex, _day(r.born), r.disability, _day(r.admitted))
        for r in _rows(session, scope, "child_registration", fields)
    ]


def closures(session: Session, scope: Scope) -> list[Event]:
    """Case closures: the child, closure date, reason, reintegration date, sign-off."""
    fields = {
        "child": ("child",),
        "day": ("closure_date",),
        "reason": ("closure_reason",),
        "reintegrated": ("reintegration_date",),
        "decision": ("supervisor", "supervisor_decision"),
    }
    return [
        Event(
            r.record_id,
            r.province,
            r.child,
            _day(r.day),
            r.reason,
            _day(r.reintegrated),
            r.decision,
        )
        for r in _rows(session, scope, "case_closure", fields)
    ]


def visits(session: Session, scope: Scope) -> list[Event]:
    """Follow-up visits: the child, visit date, parenting attended, reintegration date."""
    fields = {
        "child": ("child",),
        "day": ("visit_date",),
        "parenting": ("family_situation", "attended_parenting"),
        "reintegrated": ("reintegration_date",),
    }
    return [
        Event(r.record_id, r.province, r.child, _day(r.day), r.parenting, _day(r.reintegrated))
        for r in _rows(session, scope, "follow_up_visit", fields)
    ]


def case_plans(session: Session, scope: Scope) -> list[Event]:
    fields = {"child": ("child",), "day": ("plan_date",)}
    return [
        Event(r.record_id, r.province, r.child, _day(r.day))
        for r in _rows(session, scope, "case_plan", fields)
    ]


def inspections(session: Session, scope: Scope) -> list[Event]:
    fields = {"institution": ("institution",), "day": ("inspection_date",)}
    return [
        Event(r.record_id, r.province, r.institution, _day(r.day))
        for r in _rows(session, scope, "institution_inspection", fields)
    ]


def institutions(session: Session, scope: Scope) -> list[Institution]:
    fields = {"opened": ("opened_date",), "status": ("status",), "closed": ("closed_date",)}
    return [
        Institution(r.record_id, r.province, _day(r.opened), r.status, _day(r.closed))
        for r in _rows(session, scope, "institution", fields)
    ]


def data_version(session: Session, scope: Scope) -> tuple[int, int]:
    """(highest seq, number of records) in scope: any write changes it (every write takes a
    new seq), so a result computed at this version is still right while it is unchanged."""
    row = session.execute(
        select(func.coalesce(func.max(Record.seq), 0), func.count()).where(scope.filter(Record))
    ).one()
    return int(row[0]), int(row[1])
