"""The indicators as SQL over ``indicator_facts`` (docs/indicators.md defines them).

Each figure is a *unit query*: one row per child, family or institution the figure is about,
with its splits (``province``, ``sex``, ``age_band``, ``disability``) and flags saying whether
it is counted. The figure is that query grouped by its splits (``tallies``: a few rows, the
counting done by the database); the records behind a number are the same query's rows
(``behind``). Days are ``yyyymmdd`` integers, so an age in whole years is
``(day - born) / 10000`` on both databases, and the SQL is the same on SQLite and PostgreSQL.
Every table read is filtered by the caller's scope, as the records are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.indicators.definitions import (
    AGE_BANDS,
    IN_CARE,
    INSPECTED_TWICE,
    NEW_INSTITUTIONS,
    PARENTING,
    REINTEGRATED,
    SEXES,
    UNDER_3,
    UNKNOWN,
    WITH_CASE_PLAN,
    YES_NO,
)
from app.indicators.facts import day_number

REINTEGRATION_REASON = "reintegration_complete"
APPROVED = "approved"
ADULT_AGE = 18
YOUNG_AGE = 3
SPLIT_COLUMNS = ("province", "sex", "age_band", "disability")


@dataclass(frozen=True)
class Window:
    """The days a year's figures read, as ``yyyymmdd`` numbers (bind parameters)."""

    year: int
    as_of: date
    window_start: date  # the families indicator counts from here

    @property
    def params(self) -> dict[str, int]:
        y = self.year * 10000
        return {
            "as_of": day_number(self.as_of) or 0,
            "start": y + 101,
            "end": y + 1231,
            "first_half_end": y + 630,
            "second_half_start": y + 701,
            "window_start": day_number(self.window_start) or 0,
        }


def _scope(alias: str, scope: Scope) -> str:
    if scope.commune:
        return f" AND {alias}.commune = :scope_code"
    if scope.district:
        return f" AND {alias}.district = :scope_code"
    if scope.province:
        return f" AND {alias}.province = :scope_code"
    return ""


def _params(scope: Scope, window: Window) -> dict[str, Any]:
    params: dict[str, Any] = dict(window.params)
    if scope.code is not None:
        params["scope_code"] = scope.code
    return params


def _age(on: str, born: str) -> str:
    return f"({on} - {born})"


def _age_band(on: str, born: str) -> str:
    whens = [f"WHEN {born} IS NULL OR {on} < {born} THEN '{UNKNOWN}'"]
    expected_low = 0
    for name, low, high in AGE_BANDS:
        assert low == expected_low, "age bands must be contiguous from 0"
        whens.append(f"WHEN {_age(on, born)} < {(high + 1) * 10000} THEN '{name}'")
        expected_low = high + 1
    return f"CASE {' '.join(whens)} ELSE '{UNKNOWN}' END"


def _child_splits(child: str, on: str, province: str) -> str:
    sexes = ", ".join(f"'{s}'" for s in SEXES)
    yes_no = ", ".join(f"'{s}'" for s in YES_NO)
    return (
        f"COALESCE({province}, '{UNKNOWN}') AS province, "
        f"CASE WHEN {child}.sex IN ({sexes}) THEN {child}.sex ELSE '{UNKNOWN}' END AS sex, "
        f"{_age_band(on, f'{child}.born')} AS age_band, "
        f"CASE WHEN {child}.disability IN ({yes_no}) THEN {child}.disability "
        f"ELSE '{UNKNOWN}' END AS disability"
    )


def stock_units(scope: Scope) -> str:
    """Children in residential care on ``as_of``, with ``planned`` (a case plan dated on or
    before) and ``young`` (under 3 on the day). A child has left care if a follow-up visit or
    closure gives a reintegration date, or an approved closure a closure date, on or before
    the day. The children who left and those with a plan are each one uncorrelated subquery
    (a hashed set the scan of the children probes; subjects are never NULL in them, so
    ``NOT IN`` is safe)."""
    left = f"""
    SELECT e.subject FROM indicator_facts e
    WHERE e.form_id IN ('case_closure', 'follow_up_visit') AND e.other_day <= :as_of
      AND e.subject <> ''{_scope("e", scope)}
    UNION
    SELECT a.subject FROM indicator_facts a
    WHERE a.form_id = 'case_closure' AND a.extra = '{APPROVED}' AND a.day <= :as_of
      AND a.subject <> ''{_scope("a", scope)}"""
    planned = f"""
    SELECT p.subject FROM indicator_facts p
    WHERE p.form_id = 'case_plan' AND p.day <= :as_of AND p.subject <> ''{_scope("p", scope)}"""
    return f"""
SELECT {_child_splits("c", ":as_of", "c.province")},
  CASE WHEN c.record_id IN ({planned}) THEN 1 ELSE 0 END AS planned,
  CASE WHEN c.born IS NOT NULL AND (:as_of < c.born OR {_age(":as_of", "c.born")} < {
        YOUNG_AGE * 10000
    }) THEN 1 ELSE 0 END AS young,
  c.record_id AS unit_id, c.record_id AS record_ref
FROM indicator_facts c
WHERE c.form_id = 'child_registration'{_scope("c", scope)} AND c.admitted <= :as_of
  AND (c.born IS NULL OR :as_of < c.born OR {_age(":as_of", "c.born")} < {ADULT_AGE * 10000})
  AND c.record_id NOT IN ({left})
"""


def _first_events(scope: Scope, where: str) -> str:
    """Each child's first event matching ``where`` (by day, then record id), with the child's
    splits on the event's day (the event's province if the child is not in the scope)."""
    return f"""
WITH firsts AS (
  SELECT e.record_id AS record_id, e.subject AS subject, e.day AS day, e.province AS province,
    ROW_NUMBER() OVER (PARTITION BY e.subject ORDER BY e.day, e.record_id) AS n
  FROM indicator_facts e
  WHERE {where} AND e.day IS NOT NULL AND e.subject <> ''{_scope("e", scope)}
)
SELECT {_child_splits("c", "f.day", "COALESCE(c.province, f.province)")},
  f.subject AS unit_id, f.record_id AS record_ref, f.day AS day
FROM firsts f
LEFT JOIN indicator_facts c ON c.record_id = f.subject
  AND c.form_id = 'child_registration'{_scope("c", scope)}
WHERE f.n = 1
"""


def reintegration_units(scope: Scope) -> str:
    """Every child's first approved "reintegration complete" closure, whatever its year."""
    return _first_events(
        scope,
        f"e.form_id = 'case_closure' AND e.answer = '{REINTEGRATION_REASON}'"
        f" AND e.extra = '{APPROVED}'",
    )


def parenting_units(scope: Scope) -> str:
    """Every child's first visit in a parenting programme, from the window's start to as-of."""
    return _first_events(
        scope,
        "e.form_id = 'follow_up_visit' AND e.answer = 'yes'"
        " AND e.day BETWEEN :window_start AND :as_of",
    )


def institution_units(scope: Scope) -> str:
    """Every institution, with ``new`` (opened in the year), ``operating`` (in the year) and
    ``twice`` (inspected in each half of it)."""

    def inspected(first: str, last: str) -> str:
        return (
            "EXISTS (SELECT 1 FROM indicator_facts s WHERE s.form_id = 'institution_inspection'"
            f" AND s.subject = i.record_id AND s.day BETWEEN {first} AND {last}"
            f"{_scope('s', scope)})"
        )

    return f"""
SELECT COALESCE(i.province, '{UNKNOWN}') AS province, '{UNKNOWN}' AS sex,
  '{UNKNOWN}' AS age_band, '{UNKNOWN}' AS disability,
  CASE WHEN i.opened BETWEEN :start AND :end THEN 1 ELSE 0 END AS new,
  CASE WHEN i.opened > :end THEN 0
       WHEN i.status = 'closed' AND (i.closed IS NULL OR i.closed < :start) THEN 0
       ELSE 1 END AS operating,
  CASE WHEN {inspected(":start", ":first_half_end")}
        AND {inspected(":second_half_start", ":end")} THEN 1 ELSE 0 END AS twice,
  i.record_id AS unit_id, i.record_id AS record_ref
FROM indicator_facts i
WHERE i.form_id = 'institution'{_scope("i", scope)}
"""


# indicator -> (unit query, the units it is about, the units it counts), as SQL conditions
FIGURES: dict[str, tuple[Any, str, str]] = {
    REINTEGRATED: (reintegration_units, "u.day BETWEEN :start AND :end", "1 = 1"),
    IN_CARE: (stock_units, "1 = 1", "1 = 1"),
    WITH_CASE_PLAN: (stock_units, "1 = 1", "u.planned = 1"),
    UNDER_3: (stock_units, "u.young = 1", "1 = 1"),
    NEW_INSTITUTIONS: (institution_units, "u.new = 1", "1 = 1"),
    INSPECTED_TWICE: (institution_units, "u.operating = 1", "u.twice = 1"),
    PARENTING: (parenting_units, "1 = 1", "1 = 1"),
}

Tally = tuple[dict[str, str], bool, int]  # (splits, counted, how many units)


def _grouped(session: Session, sql: str, flags: tuple[str, ...], params: dict[str, Any]) -> Any:
    columns = ", ".join((*SPLIT_COLUMNS, *flags))
    return session.execute(
        text(f"SELECT {columns}, COUNT(*) AS n FROM ({sql}) u GROUP BY {columns}"), params
    ).all()


def tallies(session: Session, scope: Scope, window: Window) -> dict[str, list[Tally]]:
    """Every figure's units grouped by their splits: four grouped queries in all (the three
    stock figures share one; so do the two institution figures)."""
    params = _params(scope, window)
    found: dict[str, list[Tally]] = {indicator: [] for indicator in FIGURES}

    def splits(row: Any) -> dict[str, str]:
        return {name: getattr(row, name) for name in SPLIT_COLUMNS}

    for row in _grouped(session, stock_units(scope), ("planned", "young"), params):
        found[IN_CARE].append((splits(row), True, row.n))
        found[WITH_CASE_PLAN].append((splits(row), bool(row.planned), row.n))
        if row.young:
            found[UNDER_3].append((splits(row), True, row.n))
    for row in _grouped(session, institution_units(scope), ("new", "operating", "twice"), params):
        if row.new:
            found[NEW_INSTITUTIONS].append((splits(row), True, row.n))
        if row.operating:
            found[INSPECTED_TWICE].append((splits(row), bool(row.twice), row.n))
    in_year = f"SELECT * FROM ({reintegration_units(scope)}) r WHERE r.day BETWEEN :start AND :end"
    for row in _grouped(session, in_year, (), params):
        found[REINTEGRATED].append((splits(row), True, row.n))
    for row in _grouped(session, parenting_units(scope), (), params):
        found[PARENTING].append((splits(row), True, row.n))
    return found


def reintegrations_per_year(session: Session, scope: Scope, window: Window) -> dict[int, int]:
    rows = session.execute(
        text(
            f"SELECT u.day / 10000 AS year, COUNT(*) AS n FROM ({reintegration_units(scope)}) u"
            " GROUP BY u.day / 10000"
        ),
        _params(scope, window),
    ).all()
    return {int(year): int(n) for year, n in rows}


def behind(
    session: Session,
    scope: Scope,
    window: Window,
    indicator: str,
    split: str | None = None,
    key: str | None = None,
) -> list[str]:
    """The records behind a figure's counted units (or one split's share of them), sorted:
    the children, closures or visits counted, the case plans of the children counted as
    having one, the inspections of the institutions inspected twice."""
    unit_query, about, counts = FIGURES[indicator]
    params = _params(scope, window)
    where = f"{about} AND {counts}"
    if split is not None:
        if split not in SPLIT_COLUMNS:
            return []
        where += f" AND u.{split} = :split_key"
        params["split_key"] = key
    units = f"SELECT u.unit_id FROM ({unit_query(scope)}) u WHERE {where}"
    if indicator == WITH_CASE_PLAN:
        sql = (
            "SELECT p.record_id FROM indicator_facts p WHERE p.form_id = 'case_plan'"
            f" AND p.day <= :as_of{_scope('p', scope)} AND p.subject IN ({units})"
        )
    elif indicator == INSPECTED_TWICE:
        sql = (
            "SELECT s.record_id FROM indicator_facts s"
            " WHERE s.form_id = 'institution_inspection' AND s.day BETWEEN :start AND :end"
            f"{_scope('s', scope)} AND s.subject IN ({units})"
        )
    else:
        sql = f"SELECT u.record_ref FROM ({unit_query(scope)}) u WHERE {where}"
    return sorted({str(record_id) for (record_id,) in session.execute(text(sql), params)})
