"""SQL over the audit log: filters and keyset pages, newest first (by id). No commits.

The log is national: only mosvy and admin read it (``audit.read``), so no scope applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import cambodia_day_end, cambodia_day_start
from app.models import AuditEntry

BATCH = 1000


@dataclass(frozen=True)
class AuditFilters:
    user: str | None = None
    action: str | None = None  # exact, or a family: "review.*"
    record: str | None = None
    target: str | None = None
    date_from: date | None = None  # days in Cambodia's time
    date_to: date | None = None


def _conditions(filters: AuditFilters) -> list[Any]:
    where: list[Any] = []
    if filters.user:
        where.append(AuditEntry.actor == filters.user)
    if filters.action:
        if filters.action.endswith(".*"):
            family = filters.action[:-1]
            where.append(AuditEntry.action.startswith(family, autoescape=True))
        else:
            where.append(AuditEntry.action == filters.action)
    if filters.record:
        where += [AuditEntry.target_type == "record", AuditEntry.target_id == filters.record]
    if filters.target:
        where.append(AuditEntry.target_id == filters.target)
    if filters.date_from:
        where.append(AuditEntry.at >= cambodia_day_start(filters.date_from))
    if filters.date_to:
        where.append(AuditEntry.at < cambodia_day_end(filters.date_to))
    return where


def audit_page(
    session: Session, *, filters: AuditFilters, before: int | None, limit: int
) -> tuple[list[AuditEntry], int | None]:
    """One page, newest first, of entries with an id below ``before``; and the next page's
    ``before`` (None on the last page)."""
    stmt = select(AuditEntry).where(*_conditions(filters))
    if before is not None:
        stmt = stmt.where(AuditEntry.id < before)
    rows = list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    page = rows[:limit]
    return page, (page[-1].id if len(rows) > limit and page else None)


def audit_batches(
    session: Session, *, filters: AuditFilters, batch: int = BATCH
) -> Iterator[list[AuditEntry]]:
    """Every matching entry, newest first, ``batch`` at a time (one query each)."""
    before: int | None = None
    while True:
        page, before = audit_page(session, filters=filters, before=before, limit=batch)
        if page:
            yield page
            session.expunge_all()  # what was sent need not stay in the session
        if before is None:
            return
