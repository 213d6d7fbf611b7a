"""Compute the indicators from the records in a scope (docs/indicators.md).

Plain Python over the few fields ``queries`` reads: each form is read once, then every
indicator is a pass over those rows. A child is its registration's ``record_id``: every
other form names the child by that id (its ``child`` field), so a child counts once however
many records name it. A result is kept per (scope, year, as-of day, data version) and
reused while no record in the scope has changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.indicators import queries
from app.indicators.definitions import (
    IN_CARE,
    INDICATORS,
    INSPECTED_TWICE,
    NEW_INSTITUTIONS,
    PARENTING,
    PLAN_FIRST_YEAR,
    PLAN_YEARS,
    REINTEGRATED,
    SEXES,
    UNDER_3,
    UNKNOWN,
    WITH_CASE_PLAN,
    YES_NO,
    Indicator,
    age_band,
    phase_target,
    split_keys,
)
from app.indicators.queries import Child, Event

REINTEGRATION_REASON = "reintegration_complete"
APPROVED = "approved"
ADULT_AGE = 18


@dataclass(frozen=True)
class Unit:
    """One child, family or institution in a figure: in its numerator when ``counted``."""

    key: str
    records: tuple[str, ...]
    groups: dict[str, str]
    counted: bool = True


@dataclass(frozen=True)
class Phase:
    year: int
    plan_year: int | None
    target: int | None
    value: int


@dataclass
class Figure:
    """One indicator's figure for a year: its units, value, splits (and phases)."""

    indicator: Indicator
    units: list[Unit]
    year: int = 0
    phases: list[Phase] | None = None
    value: float | None = 0
    count: int = 0
    of: int | None = None
    by: dict[str, dict[str, float | None]] = field(default_factory=dict)
    by_count: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)

    @property
    def target(self) -> float:
        if self.indicator.id == REINTEGRATED and self.phases is not None:
            year_target = next((p.target for p in self.phases if p.year == self.year), None)
            return year_target if year_target is not None else self.indicator.target
        return self.indicator.target

    def records_behind(self, split: str | None = None, key: str | None = None) -> list[str]:
        """The records behind the figure (or one split's share of it), in a stable order."""
        found: dict[str, None] = {}
        for unit in self.units:
            if not unit.counted:
                continue
            if split is not None and unit.groups.get(split) != key:
                continue
            for record_id in unit.records:
                found[record_id] = None
        return sorted(found)


@dataclass
class Report:
    year: int
    as_of: date
    figures: list[Figure]

    def figure(self, indicator_id: str) -> Figure:
        return next(f for f in self.figures if f.indicator.id == indicator_id)


def age_on(born: date | None, day: date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _groups(child: Child | None, province: str | None, day: date) -> dict[str, str]:
    if child is None:
        return {
            "province": province or UNKNOWN,
            "sex": UNKNOWN,
            "age_band": UNKNOWN,
            "disability": UNKNOWN,
        }
    return {
        "province": child.province or province or UNKNOWN,
        "sex": child.sex if child.sex in SEXES else UNKNOWN,
        "age_band": age_band(age_on(child.born, day)),
        "disability": child.disability if child.disability in YES_NO else UNKNOWN,
    }


def _first_by_subject(events: list[Event]) -> dict[str, Event]:
    """Each subject's earliest event (by date, then record id: the same on every run)."""
    first: dict[str, Event] = {}
    for event in sorted(events, key=lambda e: (e.day or date.max, e.record_id)):
        if event.subject and event.day is not None:
            first.setdefault(event.subject, event)
    return first


def _exits(closures: list[Event], visits: list[Event]) -> dict[str, date]:
    """The day each child left residential care: reintegrated (any follow-up visit's or
    closure's reintegration date) or case closed with the supervisor's approval."""
    left: dict[str, date] = {}

    def note(child: str | None, day: date | None) -> None:
        if child and day is not None and (child not in left or day < left[child]):
            left[child] = day

    for event in closures:
        note(event.subject, event.other_day)
        if event.extra == APPROVED:
            note(event.subject, event.day)
    for event in visits:
        note(event.subject, event.other_day)
    return left


def _in_care(child: Child, on: date, left: dict[str, date]) -> bool:
    if child.admitted is None or child.admitted > on:
        return False
    age = age_on(child.born, on)
    if age is not None and age >= ADULT_AGE:
        return False
    exit_day = left.get(child.record_id)
    return exit_day is None or exit_day > on


def _summarise(figure: Figure) -> None:
    indicator = figure.indicator
    counted = [u for u in figure.units if u.counted]
    figure.count = len(counted)
    percent = indicator.unit == "percent"
    if percent:
        figure.of = len(figure.units)
        figure.value = round(100 * figure.count / figure.of, 1) if figure.of else None
    else:
        figure.value = figure.count
    for split in indicator.splits:
        tally: dict[str, list[int]] = {key: [0, 0] for key in split_keys(split)}
        for unit in figure.units:
            pair = tally.setdefault(unit.groups.get(split, UNKNOWN), [0, 0])
            pair[1] += 1
            if unit.counted:
                pair[0] += 1
        ordered = sorted(tally) if split == "province" else list(tally)
        figure.by_count[split] = {k: (tally[k][0], tally[k][1]) for k in ordered}
        if percent:
            figure.by[split] = {
                k: (round(100 * n / total, 1) if total else None)
                for k, (n, total) in figure.by_count[split].items()
            }
        else:
            figure.by[split] = {k: float(n) for k, (n, _) in figure.by_count[split].items()}


@dataclass
class Facts:
    """What the indicators read of every record, national, as of ``seq``: kept between
    requests and brought up to date with the records changed since (``refresh``)."""

    seq: int = -1
    forms: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {form_id: {} for form_id in queries.FIELDS}
    )


def refresh(session: Session, facts: Facts) -> Facts:
    """``facts`` with every record written since its ``seq`` (a fresh copy if the database
    went back, e.g. was replaced)."""
    top = queries.highest_seq(session)
    if top < facts.seq:
        facts = Facts()
    if top == facts.seq:
        return facts
    for form_id, rows in facts.forms.items():
        for record_id, rejected, fact in queries.changed_facts(session, form_id, after=facts.seq):
            if rejected:
                rows.pop(record_id, None)
            else:
                rows[record_id] = fact
    facts.seq = top
    return facts


def _in_scope(rows: dict[str, Any], scope: Scope) -> list[Any]:
    if scope.code is None:
        return list(rows.values())
    return [r for r in rows.values() if scope.covers(r.location)]


def compute(session: Session, *, scope: Scope, year: int, today: date) -> Report:
    """Every indicator for ``year`` in ``scope``, as of the year's last day (or today)."""
    return compute_from(refresh(session, Facts()), scope=scope, year=year, today=today)


def compute_from(facts: Facts, *, scope: Scope, year: int, today: date) -> Report:
    as_of = min(date(year, 12, 31), today)
    start = date(year, 1, 1)
    forms = facts.forms
    children: dict[str, Child] = {
        c.record_id: c for c in _in_scope(forms["child_registration"], scope)
    }
    closures: list[Event] = _in_scope(forms["case_closure"], scope)
    visits: list[Event] = _in_scope(forms["follow_up_visit"], scope)
    plans: list[Event] = _in_scope(forms["case_plan"], scope)
    institutions: list[queries.Institution] = _in_scope(forms["institution"], scope)
    inspections: list[Event] = _in_scope(forms["institution_inspection"], scope)
    left = _exits(closures, visits)

    def groups(subject: str | None, province: str | None, day: date) -> dict[str, str]:
        return _groups(children.get(subject or ""), province, day)

    figures: dict[str, Figure] = {
        i.id: Figure(indicator=i, units=[], year=year) for i in INDICATORS
    }

    # children reintegrated: the first approved "reintegration complete" closure, in the year
    reintegrations = _first_by_subject(
        [e for e in closures if e.answer == REINTEGRATION_REASON and e.extra == APPROVED]
    )
    per_year: dict[int, int] = {}
    for child_id, event in reintegrations.items():
        assert event.day is not None
        per_year[event.day.year] = per_year.get(event.day.year, 0) + 1
        if event.day.year == year:
            figures[REINTEGRATED].units.append(
                Unit(child_id, (event.record_id,), groups(child_id, event.province, event.day))
            )
    years = sorted({*PLAN_YEARS, *per_year, year} - {y for y in per_year if y > today.year})
    figures[REINTEGRATED].phases = [
        Phase(
            y,
            (y - PLAN_FIRST_YEAR + 1) if y in PLAN_YEARS else None,
            phase_target(y),
            per_year.get(y, 0),
        )
        for y in years
        if y <= max(today.year, PLAN_YEARS[-1])
    ]

    # children in residential care on the as-of day; with a case plan; under 3
    planned: dict[str, list[str]] = {}
    for plan in plans:
        if plan.subject and plan.day is not None and plan.day <= as_of:
            planned.setdefault(plan.subject, []).append(plan.record_id)
    for child in children.values():
        if not _in_care(child, as_of, left):
            continue
        where = _groups(child, child.province, as_of)
        figures[IN_CARE].units.append(Unit(child.record_id, (child.record_id,), where))
        plan_ids = tuple(sorted(planned.get(child.record_id, [])))
        figures[WITH_CASE_PLAN].units.append(
            Unit(child.record_id, plan_ids, where, counted=bool(plan_ids))
        )
        age = age_on(child.born, as_of)
        if age is not None and age < 3:
            figures[UNDER_3].units.append(Unit(child.record_id, (child.record_id,), where))

    # institutions: opened in the year; operating in the year and inspected in both halves
    by_institution: dict[str, list[Event]] = {}
    for inspection in inspections:
        if inspection.subject and inspection.day is not None and inspection.day.year == year:
            by_institution.setdefault(inspection.subject, []).append(inspection)
    end = date(year, 12, 31)
    for inst in institutions:
        where = {"province": inst.province or UNKNOWN}
        if inst.opened is not None and inst.opened.year == year:
            figures[NEW_INSTITUTIONS].units.append(Unit(inst.record_id, (inst.record_id,), where))
        if inst.opened is not None and inst.opened > end:
            continue
        if inst.status == "closed" and (inst.closed is None or inst.closed < start):
            continue
        seen = by_institution.get(inst.record_id, [])
        halves = {e.day.month <= 6 for e in seen if e.day is not None}
        figures[INSPECTED_TWICE].units.append(
            Unit(
                inst.record_id,
                tuple(sorted(e.record_id for e in seen)),
                where,
                counted=halves == {True, False},
            )
        )

    # families in parenting programmes: from the plan's first year (or this year) to as-of
    window_start = date(min(PLAN_FIRST_YEAR, year), 1, 1)
    attended = _first_by_subject(
        [
            e
            for e in visits
            if e.answer == "yes" and e.day is not None and window_start <= e.day <= as_of
        ]
    )
    for child_id, event in attended.items():
        assert event.day is not None
        figures[PARENTING].units.append(
            Unit(child_id, (event.record_id,), groups(child_id, event.province, event.day))
        )

    for figure in figures.values():
        _summarise(figure)
    return Report(year=year, as_of=as_of, figures=[figures[i.id] for i in INDICATORS])


_FACTS: dict[str, Facts] = {}
_REPORTS: OrderedDict[tuple[object, ...], Report] = OrderedDict()
_CACHE_SIZE = 32
_LOCK = threading.Lock()


def indicators(session: Session, *, scope: Scope, year: int, today: date) -> Report:
    """``compute``, from facts kept per database and brought up to date with the records
    written since; a report is reused while nothing was written."""
    database = str(session.get_bind().engine.url)
    with _LOCK:
        facts = refresh(session, _FACTS.get(database, Facts()))
        _FACTS[database] = facts
        key = (database, scope, year, today, facts.seq)
        found = _REPORTS.get(key)
        if found is not None:
            _REPORTS.move_to_end(key)
            return found
        report = compute_from(facts, scope=scope, year=year, today=today)
        _REPORTS[key] = report
        while len(_REPORTS) > _CACHE_SIZE:
            _REPORTS.popitem(last=False)
    return report
