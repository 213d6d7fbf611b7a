"""Compute the indicators in a scope (docs/indicators.md) from ``indicator_facts``.

``app.indicators.tally`` counts in SQL, grouped by the splits; this module turns its few
rows into figures (values, percentages, splits, the plan's phases). A child is its
registration's ``record_id``: every other form names the child by that id, so a child counts
once however many records name it. A report is kept per (scope, year, as-of day, the facts'
``seq``) and reused until a write changes the facts.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.indicators import facts, tally
from app.indicators.definitions import (
    INDICATORS,
    PLAN_FIRST_YEAR,
    PLAN_YEARS,
    REINTEGRATED,
    UNKNOWN,
    Indicator,
    phase_target,
    split_keys,
)


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


@dataclass
class Report:
    year: int
    as_of: date
    figures: list[Figure]

    def figure(self, indicator_id: str) -> Figure:
        return next(f for f in self.figures if f.indicator.id == indicator_id)


def _summarise(figure: Figure, tallies: list[tally.Tally]) -> None:
    indicator = figure.indicator
    figure.count = sum(n for _, counted, n in tallies if counted)
    percent = indicator.unit == "percent"
    if percent:
        figure.of = sum(n for _, _, n in tallies)
        figure.value = round(100 * figure.count / figure.of, 1) if figure.of else None
    else:
        figure.value = figure.count
    for split in indicator.splits:
        counts: dict[str, list[int]] = {key: [0, 0] for key in split_keys(split)}
        for groups, counted, n in tallies:
            pair = counts.setdefault(groups.get(split, UNKNOWN), [0, 0])
            pair[1] += n
            if counted:
                pair[0] += n
        ordered = sorted(counts) if split == "province" else list(counts)
        figure.by_count[split] = {k: (counts[k][0], counts[k][1]) for k in ordered}
        if percent:
            figure.by[split] = {
                k: (round(100 * n / total, 1) if total else None)
                for k, (n, total) in figure.by_count[split].items()
            }
        else:
            figure.by[split] = {k: float(n) for k, (n, _) in figure.by_count[split].items()}


def window(year: int, today: date) -> tally.Window:
    """The year's days: its figures are as of 31 December, or today for this year."""
    return tally.Window(
        year=year,
        as_of=min(date(year, 12, 31), today),
        window_start=date(min(PLAN_FIRST_YEAR, year), 1, 1),
    )


def compute(session: Session, *, scope: Scope, year: int, today: date) -> Report:
    """Every indicator for ``year`` in ``scope``, as of the year's last day (or today), from
    facts brought up to date first."""
    facts.bring_up_to_date(session)
    return compute_from_facts(session, scope=scope, year=year, today=today)


def compute_from_facts(session: Session, *, scope: Scope, year: int, today: date) -> Report:
    days = window(year, today)
    found = tally.tallies(session, scope, days)
    figures = {i.id: Figure(indicator=i, year=year) for i in INDICATORS}
    per_year = tally.reintegrations_per_year(session, scope, days)
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
    for indicator_id, figure in figures.items():
        _summarise(figure, found[indicator_id])
    return Report(year=year, as_of=days.as_of, figures=[figures[i.id] for i in INDICATORS])


def records_behind(
    session: Session,
    *,
    scope: Scope,
    year: int,
    today: date,
    indicator: str,
    split: str | None = None,
    key: str | None = None,
) -> list[str]:
    """The records behind a figure (or one split's share of it), in a stable order."""
    facts.bring_up_to_date(session)
    return tally.behind(session, scope, window(year, today), indicator, split, key)


_REPORTS: OrderedDict[tuple[object, ...], Report] = OrderedDict()
_CACHE_SIZE = 64
_LOCK = threading.Lock()


def indicators(session: Session, *, scope: Scope, year: int, today: date) -> Report:
    """``compute``, kept per (database, scope, year, day, facts' ``seq``): reused until a
    write changes the facts."""
    facts.bring_up_to_date(session)
    database = str(session.get_bind().engine.url)
    key = (database, scope, year, today, facts.facts_seq(session))
    with _LOCK:
        found = _REPORTS.get(key)
        if found is not None:
            _REPORTS.move_to_end(key)
            return found
    report = compute_from_facts(session, scope=scope, year=year, today=today)
    with _LOCK:
        _REPORTS[key] = report
        while len(_REPORTS) > _CACHE_SIZE:
            _REPORTS.popitem(last=False)
    return report
