"""Inspection coverage: which half-year inspections each institution has had, and which are
overdue (DOMAIN.md: every institution is inspected twice a year). Pure: rows in, rows out.

A half is ``done`` when an inspection of that round (the form's ``inspection_round``; by its
date when the round is missing; a follow-up visit counts for neither) is dated in the year;
else ``overdue`` once the half is over, ``due`` while it runs, ``upcoming`` before it starts.
Rows with an overdue half come first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from app.desk.coverage_queries import InspectionRow, InstitutionRow

HALVES = ("first_half", "second_half")
STATUSES = ("done", "overdue", "due", "upcoming")


@dataclass(frozen=True)
class HalfCell:
    status: str
    inspection: InspectionRow | None = None


@dataclass(frozen=True)
class CoverageRow:
    institution: InstitutionRow
    halves: dict[str, HalfCell]
    latest: InspectionRow | None

    @property
    def overdue(self) -> int:
        return sum(cell.status == "overdue" for cell in self.halves.values())

    @property
    def beds_above_baseline(self) -> bool:
        baseline = self.institution.baseline_beds
        beds = self.latest.beds if self.latest else None
        return beds is not None and baseline is not None and beds > baseline


@dataclass(frozen=True)
class CoverageTotals:
    institutions: int
    inspected_twice: int
    overdue: int


def half_of(inspection: InspectionRow) -> str | None:
    """The half-year round an inspection counts for (None: a follow-up visit)."""
    if inspection.inspection_round:
        return inspection.inspection_round if inspection.inspection_round in HALVES else None
    month = int(inspection.inspection_date[5:7] or 1)
    return HALVES[0] if month <= 6 else HALVES[1]


def half_window(year: int, half: str) -> tuple[date, date]:
    """First and last day of a half-year."""
    if half == HALVES[0]:
        return date(year, 1, 1), date(year, 6, 30)
    return date(year, 7, 1), date(year, 12, 31)


def half_status(year: int, half: str, *, done: bool, today: date) -> str:
    if done:
        return "done"
    start, end = half_window(year, half)
    if today > end:
        return "overdue"
    return "due" if today >= start else "upcoming"


def _newest(rows: Iterable[InspectionRow]) -> InspectionRow | None:
    return max(rows, key=lambda r: (r.inspection_date, r.seq), default=None)


def coverage_rows(
    institutions: Iterable[InstitutionRow],
    inspections: Iterable[InspectionRow],
    *,
    year: int,
    today: date,
) -> list[CoverageRow]:
    """One row per institution: overdue first (two halves before one), then by place and name."""
    by_institution: dict[str, list[InspectionRow]] = {}
    for inspection in inspections:
        by_institution.setdefault(inspection.institution, []).append(inspection)
    rows = []
    for institution in institutions:
        found = by_institution.get(institution.record_id, [])
        this_year = [r for r in found if r.inspection_date[:4] == f"{year:04d}"]
        halves = {}
        for half in HALVES:
            newest = _newest(r for r in this_year if half_of(r) == half)
            status = half_status(year, half, done=newest is not None, today=today)
            halves[half] = HalfCell(status, newest)
        rows.append(CoverageRow(institution, halves, _newest(found)))
    rows.sort(
        key=lambda row: (
            -row.overdue,
            row.institution.province or "",
            row.institution.district or "",
            row.institution.name_latin or row.institution.name,
            row.institution.record_id,
        )
    )
    return rows


def coverage_totals(rows: list[CoverageRow]) -> CoverageTotals:
    return CoverageTotals(
        institutions=len(rows),
        inspected_twice=sum(
            all(cell.status == "done" for cell in row.halves.values()) for row in rows
        ),
        overdue=sum(row.overdue > 0 for row in rows),
    )
