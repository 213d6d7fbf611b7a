"""SQL for the indicators: the few fields each form contributes, read the same way on SQLite
and PostgreSQL (SQLAlchemy's JSON paths: ``json_extract`` on SQLite, ``->>``/``#>>`` on
PostgreSQL). Rows come with their location and review state, and only those changed after a
given ``seq`` (every write stamps its records with the next ``seq``, visible in commit order:
app/sync/sequence.py), so a reader can keep the facts and fetch only what changed. No commits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.models import Record


def _field(*path: str) -> ColumnElement[str]:
    element = Record.data[path[0]] if len(path) == 1 else Record.data[path]
    return element.as_string()


def day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class Child:
    record_id: str
    location: str | None
    province: str | None
    sex: str | None
    born: date | None
    disability: str | None
    admitted: date | None


@dataclass(frozen=True)
class Event:
    """A record about a child (or an institution): what it names, its date and answers."""

    record_id: str
    location: str | None
    province: str | None
    subject: str | None
    day: date | None
    answer: str | None = None
    other_day: date | None = None
    extra: str | None = None


@dataclass(frozen=True)
class Institution:
    record_id: str
    location: str | None
    province: str | None
    opened: date | None
    status: str | None
    closed: date | None


# form -> the fields read, by the name the row gives them
FIELDS: dict[str, Mapping[str, tuple[str, ...]]] = {
    "child_registration": {
        "sex": ("sex",),
        "born": ("date_of_birth",),
        "disability": ("disability",),
        "admitted": ("admission_date",),
    },
    "case_closure": {
        "subject": ("child",),
        "day": ("closure_date",),
        "answer": ("closure_reason",),
        "other_day": ("reintegration_date",),
        "extra": ("supervisor", "supervisor_decision"),
    },
    "follow_up_visit": {
        "subject": ("child",),
        "day": ("visit_date",),
        "answer": ("family_situation", "attended_parenting"),
        "other_day": ("reintegration_date",),
    },
    "case_plan": {"subject": ("child",), "day": ("plan_date",)},
    "institution_inspection": {"subject": ("institution",), "day": ("inspection_date",)},
    "institution": {"opened": ("opened_date",), "status": ("status",), "closed": ("closed_date",)},
}


def _fact(form_id: str, r: Any) -> Child | Event | Institution:
    location = r.commune or r.district or r.province
    if form_id == "child_registration":
        return Child(
            r.record_id, location, r.province, r.sex, day(r.born), r.disability, day(r.admitted)
        )
    if form_id == "institution":
        return Institution(
            r.record_id, location, r.province, day(r.opened), r.status, day(r.closed)
        )
    return Event(
        r.record_id,
        location,
        r.province,
        r.subject,
        day(r.day),
        getattr(r, "answer", None),
        day(getattr(r, "other_day", None)),
        getattr(r, "extra", None),
    )


Place = tuple[str | None, str | None, str | None]


def changed_facts(
    session: Session, form_id: str, *, after: int
) -> Iterator[tuple[str, bool, Place, Child | Event | Institution]]:
    """(record_id, rejected, (province, district, commune), fact) of every ``form_id``
    record whose ``seq`` is above ``after``."""
    columns = [_field(*path).label(name) for name, path in FIELDS[form_id].items()]
    stmt = select(
        Record.record_id,
        Record.province,
        Record.district,
        Record.commune,
        Record.review_state,
        *columns,
    ).where(Record.form_id == form_id, Record.seq > after)
    # Core, not the ORM: plain tuples, no identity map (tens of thousands of rows)
    for r in session.connection().execute(stmt):
        place = (r.province, r.district, r.commune)
        yield r.record_id, r.review_state == "rejected", place, _fact(form_id, r)


def highest_seq(session: Session) -> int:
    return int(session.execute(select(func.coalesce(func.max(Record.seq), 0))).scalar_one())


_PATHS: tuple[tuple[str, ...], ...] = tuple(
    sorted({path for fields in FIELDS.values() for path in fields.values()})
)


def written_between(
    session: Session, *, after: int, top: int
) -> Iterator[tuple[str, str, bool, Place, Child | Event | Institution]]:
    """(form_id, record_id, rejected, place, fact) of every record of the forms read whose
    ``seq`` is in ``(after, top]``: one range scan of the ``seq`` index, every field any form
    contributes read from each row (the few records a write stamped; ``changed_facts`` reads
    a whole form better)."""
    columns = [_field(*path).label(f"f{n}") for n, path in enumerate(_PATHS)]
    stmt = select(
        Record.form_id,
        Record.record_id,
        Record.province,
        Record.district,
        Record.commune,
        Record.review_state,
        *columns,
    ).where(Record.seq > after, Record.seq <= top)  # no form filter: the seq index, always
    labels = {path: f"f{n}" for n, path in enumerate(_PATHS)}
    for r in session.connection().execute(stmt):
        fields = FIELDS.get(r.form_id)
        if fields is None:
            continue
        row = SimpleNamespace(
            record_id=r.record_id,
            province=r.province,
            district=r.district,
            commune=r.commune,
            **{name: getattr(r, labels[path]) for name, path in fields.items()},
        )
        place = (r.province, r.district, r.commune)
        yield r.form_id, r.record_id, r.review_state == "rejected", place, _fact(r.form_id, row)
