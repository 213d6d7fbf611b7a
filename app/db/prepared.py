"""Statements compiled once per dialect and run on the driver's cursor, for the hot paths.

SQLAlchemy builds, keys and looks up a statement, and sets up an execution context and a
result, every time one runs: measured on this machine, 80–370 µs a statement against 10 µs
for the driver's own ``execute`` of the same SQL. A sync push or an OpenRosa submission runs
a dozen or more small statements, and that machinery was most of its CPU
(docs/performance.md, "OpenRosa submissions").

A ``Prepared`` holds a Core statement written as usual (``select``, ``insert``, ``update``
with ``bindparam``s). The first run on a dialect compiles it with SQLAlchemy (so the SQL is
SQLAlchemy's own, right for SQLite and PostgreSQL) and keeps the SQL, the order of its
parameters, each parameter's bind processor and each result column's result processor (the
JSON, timestamp and boolean conversions SQLAlchemy itself would apply). Each run then only
converts the values and calls the driver, on the connection of the session's transaction:
the same transaction, committed or rolled back by the session as before. A driver error comes
out as SQLAlchemy's (``IntegrityError`` and the rest), as if SQLAlchemy had run the statement.

``app.db.bulk_insert`` is the same idea for many rows into one table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Plan:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order a positional driver takes them
    binds: tuple[Processor, ...]  # each one's bind processor (None: the value as it is)
    defaults: tuple[Any, ...]  # each one's value in the statement (``x == 1``), if any
    positional: bool
    results: tuple[Processor, ...]  # each result column's processor (None: as it is)


class Prepared:
    """One statement, compiled once per dialect; run with ``rows``, ``first``, ``scalar``,
    ``scalars`` or ``run`` (a statement that returns nothing: its row count).

    ``statement`` is the statement, or a function of the dialect's name that builds it (for
    SQL that differs by database, such as ``app.db.id_lists.one_of``)."""

    def __init__(self, statement: ClauseElement | Callable[[str], ClauseElement]) -> None:
        self.statement = statement
        self._plans: dict[str, _Plan] = {}

    def _plan(self, dialect: Dialect) -> _Plan:
        found = self._plans.get(dialect.name)
        if found is None:
            built = self.statement
            statement = built(dialect.name) if callable(built) else built
            compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
            positional = dialect.positional
            names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.binds)
            binds = tuple(
                compiled.binds[name].type._cached_bind_processor(dialect) for name in names
            )
            defaults = tuple(compiled.binds[name].effective_value for name in names)
            columns = getattr(statement, "exported_columns", ())
            results = tuple(
                column.type._cached_result_processor(dialect, None) for column in columns
            )
            found = self._plans[dialect.name] = _Plan(
                str(compiled), names, binds, defaults, positional, results
            )
        return found

    def _execute(
        self, session: Session, params: Mapping[str, Any], *, many: Sequence[Mapping[str, Any]] = ()
    ) -> tuple[Any, _Plan]:
        connection = session.connection()
        plan = self._plan(connection.dialect)
        if many:
            cursor = run_sql(connection, plan.sql, [_bound(plan, p) for p in many], many=True)
        else:
            cursor = run_sql(connection, plan.sql, _bound(plan, params))
        return cursor, plan

    def rows(self, session: Session, **params: Any) -> list[tuple[Any, ...]]:
        cursor, plan = self._execute(session, params)
        try:
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        if not any(plan.results):
            return [tuple(row) for row in fetched]
        return [_converted(plan.results, row) for row in fetched]

    def first(self, session: Session, **params: Any) -> tuple[Any, ...] | None:
        found = self.rows(session, **params)
        return found[0] if found else None

    def scalar(self, session: Session, **params: Any) -> Any:
        found = self.first(session, **params)
        return None if found is None else found[0]

    def scalars(self, session: Session, **params: Any) -> list[Any]:
        return [row[0] for row in self.rows(session, **params)]

    def run(self, session: Session, **params: Any) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        cursor, _ = self._execute(session, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def run_many(self, session: Session, many: Iterable[Mapping[str, Any]]) -> None:
        """Run it once per parameter set (the driver's ``executemany``)."""
        rows = list(many)
        if rows:
            cursor, _ = self._execute(session, rows[0], many=rows)
            cursor.close()


def dialect_insert(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``table`` that can say ``ON CONFLICT`` on ``dialect``."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_or_ignore(table: Table, columns: Sequence[str]) -> Prepared:
    """``INSERT … ON CONFLICT DO NOTHING`` of ``columns`` into ``table``, each bound by its
    own name: ``run`` answers 1 when the row is new, 0 when one was there."""
    values: dict[str, Any] = {column: bindparam(column) for column in columns}
    return Prepared(
        lambda dialect: dialect_insert(dialect, table).values(values).on_conflict_do_nothing()
    )


def run_sql(connection: Connection, sql: str, params: Any, *, many: bool = False) -> Any:
    """Run ``sql`` (in the dialect's own parameter style) on the driver's cursor of
    ``connection`` (a session's: ``session.connection()``, in its transaction); the open
    cursor. A driver error is raised as SQLAlchemy's."""
    dialect = connection.dialect
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
    except dialect.loaded_dbapi.Error as error:
        cursor.close()
        raise exc.DBAPIError.instance(
            sql, params, error, dialect.loaded_dbapi.Error, dialect=dialect
        ) from error
    return cursor


def _bound(plan: _Plan, params: Mapping[str, Any]) -> Any:
    values = [
        value if process is None else process(value)
        for value, process in (
            (params.get(name, default), process)
            for name, default, process in zip(plan.names, plan.defaults, plan.binds, strict=True)
        )
    ]
    return tuple(values) if plan.positional else dict(zip(plan.names, values, strict=True))


def _converted(processors: tuple[Processor, ...], row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(
        value if process is None or value is None else process(value)
        for process, value in zip(processors, row, strict=True)
    )
