"""SQL for the desk's pages, always inside the caller's scope; no commits.

The queue pages by keyset over (priority, seq, record_id), all descending: abuse first
(priority 2), then other flagged records (1), then the rest (0); inside a priority the most
recently changed first. The priority is stored on the record (``records.queue_priority``,
app.records.priority), so a page is a range of one index per scope level:
``WHERE (priority, seq, record_id) < the last row's``, never OFFSET.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Text,
    bindparam,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.clock import cambodia_day_end, cambodia_day_start
from app.db.engine import get_engine
from app.models import AuditEntry, Conflict, Location, Record, RecordAttachment
from app.records.priority import ABUSE, ABUSE_FLAGS, FLAGGED, REST

REVIEW_STATES = ("received", "approved", "returned", "rejected")
# The flags a record may carry (app.change_codes), and the queue's own flag filters.
FLAG_CODES = (
    "children_under_3",
    "beds_above_baseline",
    "abuse_allegation",
    "abuse_reported",
    "follow_up_under_2_years",
)
FLAG_FILTERS = ("any", "abuse", *FLAG_CODES, "incomplete", "conflict")


@dataclass(frozen=True)
class QueueFilters:
    form: str | None = None
    state: str | None = None
    province: str | None = None
    district: str | None = None
    flag: str | None = None
    q: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    # the records behind an indicator's figure (app.indicators.links); None: no such filter
    record_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class QueueKey:
    """Where a page ends: the last row's (priority, seq, record_id)."""

    priority: int
    seq: int
    record_id: str

    def encode(self) -> str:
        return f"{self.priority}.{self.seq}.{self.record_id}"

    @classmethod
    def decode(cls, text: str | None) -> QueueKey | None:
        if not text:
            return None
        parts = text.split(".", 2)
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            return None
        return cls(int(parts[0]), int(parts[1]), parts[2][:36])


@dataclass(frozen=True)
class QueueRow:
    record_id: str
    form_id: str
    review_state: str
    placement_state: str | None
    province: str | None
    district: str | None
    commune: str | None
    flags: list[dict[str, Any]]
    incomplete: bool
    has_conflict: bool
    created_by: str | None
    updated_at: datetime
    key: QueueKey


def _flags_text() -> ColumnElement[str]:
    return func.coalesce(cast(Record.flags, Text), "[]")


def _has_flag(code: str) -> ColumnElement[bool]:
    # the code as a JSON string: "children_under_3" cannot match inside another code
    return _flags_text().contains(f'"{code}"', autoescape=True)


def _abuse() -> ColumnElement[bool]:
    return Record.queue_priority == ABUSE


def _open_conflict() -> ColumnElement[bool]:
    return exists().where(Conflict.record_id == Record.record_id, Conflict.resolved_at.is_(None))


def _open_conflict_ids() -> Any:
    return select(Conflict.record_id).where(Conflict.resolved_at.is_(None))


def _text_contains(needle: str) -> ColumnElement[bool]:
    """The records whose data holds ``needle``, ignoring case. SQLite's LIKE already ignores
    the case of ASCII letters (its ``lower`` knows no others either), so the records' JSON is
    not lowered first there: the text search reads every record in scope, and lowering each
    one cost 40 % of it. PostgreSQL: ILIKE."""
    data = cast(Record.data, Text)
    if get_engine().dialect.name == "sqlite":
        return data.contains(needle, autoescape=True)
    return data.icontains(needle, autoescape=True)


def _conditions(scope: Scope, filters: QueueFilters, *, with_state: bool) -> list[Any]:
    where: list[Any] = [scope.filter(Record)]
    if filters.record_ids is not None:
        # rendered inline past a few thousand ids: both databases cap bound parameters
        ids: BindParameter[list[str]] = bindparam(
            "record_ids",
            list(filters.record_ids),
            expanding=True,
            literal_execute=len(filters.record_ids) > 5000,
        )
        where.append(Record.record_id.in_(ids))
    if filters.form:
        where.append(Record.form_id == filters.form)
    if with_state and filters.state:
        where.append(Record.review_state == filters.state)
    if filters.province:
        where.append(Record.province == filters.province)
    if filters.district:
        where.append(Record.district == filters.district)
    flag = filters.flag
    if flag == "any":
        where.append(
            or_(Record.queue_priority > REST, Record.incomplete.is_(True), _open_conflict())
        )
    elif flag == "abuse":
        where.append(_abuse())
    elif flag == "incomplete":
        where.append(Record.incomplete.is_(True))
    elif flag == "conflict":
        where.append(Record.record_id.in_(_open_conflict_ids()))
    elif flag in FLAG_CODES:
        # a flagged record's priority is 1 or more (2 for an abuse flag): the index range
        # stops there, instead of reading every record's flags
        least = ABUSE if flag in ABUSE_FLAGS else FLAGGED
        where.extend([Record.queue_priority >= least, _has_flag(flag)])
    if filters.q:
        where.append(_text_contains(filters.q))
    if filters.date_from:
        where.append(Record.updated_at >= cambodia_day_start(filters.date_from))
    if filters.date_to:
        where.append(Record.updated_at < cambodia_day_end(filters.date_to))
    return where


def queue_page(
    session: Session,
    *,
    scope: Scope,
    filters: QueueFilters,
    after: QueueKey | None,
    limit: int,
) -> tuple[list[QueueRow], QueueKey | None]:
    """One page of the queue and the key of the next page (None on the last)."""
    conflict = _open_conflict().label("has_conflict")
    stmt = select(
        Record.record_id,
        Record.form_id,
        Record.review_state,
        Record.placement_state,
        Record.province,
        Record.district,
        Record.commune,
        Record.flags,
        Record.incomplete,
        Record.created_by,
        Record.updated_at,
        Record.seq,
        Record.queue_priority,
        conflict,
    ).where(*_conditions(scope, filters, with_state=True))
    order = (Record.queue_priority, Record.seq, Record.record_id)
    if after is not None:
        stmt = stmt.where(tuple_(*order) < tuple_(after.priority, after.seq, after.record_id))
    stmt = stmt.order_by(*(column.desc() for column in order)).limit(limit + 1)
    rows = session.execute(stmt).all()
    page = [
        QueueRow(
            record_id=r.record_id,
            form_id=r.form_id,
            review_state=r.review_state,
            placement_state=r.placement_state,
            province=r.province,
            district=r.district,
            commune=r.commune,
            flags=list(r.flags or []),
            incomplete=bool(r.incomplete),
            has_conflict=bool(r.has_conflict),
            created_by=r.created_by,
            updated_at=r.updated_at,
            key=QueueKey(int(r.queue_priority), int(r.seq), r.record_id),
        )
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    return page, (page[-1].key if more and page else None)


def state_counts(session: Session, *, scope: Scope, filters: QueueFilters) -> dict[str, int]:
    """How many records match the filters (all but ``state``) in each review state."""
    rows = session.execute(
        select(Record.review_state, func.count())
        .where(*_conditions(scope, filters, with_state=False))
        .group_by(Record.review_state)
    ).all()
    counts = dict.fromkeys(REVIEW_STATES, 0)
    for state, n in rows:
        counts[state] = int(n)
    return counts


def location_names(session: Session, codes: set[str]) -> dict[str, tuple[str, str]]:
    """code -> (English name, Khmer name) for the given codes."""
    wanted = sorted(c for c in codes if c)
    if not wanted:
        return {}
    rows = session.execute(
        select(Location.code, Location.name_en, Location.name_km).where(Location.code.in_(wanted))
    ).all()
    return {r.code: (r.name_en, r.name_km) for r in rows}


def locations_in_scope(
    session: Session, *, scope: Scope, level: str, parent: str | None = None
) -> list[tuple[str, str, str]]:
    """(code, English, Khmer) of the provinces or districts a filter may offer."""
    stmt = select(Location.code, Location.name_en, Location.name_km).where(Location.level == level)
    code = scope.code
    if code is not None:
        stmt = stmt.where(
            or_(Location.code.startswith(code), literal(code).startswith(Location.code))
        )
    if parent:
        stmt = stmt.where(Location.parent_code == parent)
    return [(r.code, r.name_en, r.name_km) for r in session.execute(stmt.order_by(Location.code))]


def missing_files(session: Session, record: Record) -> frozenset[str]:
    """The SHA-256 of the files ``record`` names that have not arrived (none when complete)."""
    if not record.incomplete:
        return frozenset()
    rows = session.scalars(
        select(RecordAttachment.sha256).where(
            RecordAttachment.record_id == record.record_id, RecordAttachment.present.is_(False)
        )
    )
    return frozenset(rows)


def review_trail(session: Session, record_id: str) -> list[AuditEntry]:
    """The record's reviews, oldest first, from the audit log."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.target_type == "record",
                AuditEntry.target_id == record_id,
                AuditEntry.action.in_(["review.approve", "review.return", "review.reject"]),
            )
            .order_by(AuditEntry.id)
        )
    )


def matching_records(scope: Scope, filters: QueueFilters) -> list[Any]:
    """The queue's WHERE clauses (scope first, then every filter): exports reuse them."""
    return _conditions(scope, filters, with_state=True)
