"""``column IN (a list of ids)`` with the whole list as one parameter.

A JSON array read with ``json_each`` on SQLite, an array compared with ``= ANY`` on
PostgreSQL: the statement's text does not depend on how many ids there are, so it is
compiled once (``app.db.prepared``) and the driver binds one value, where SQLAlchemy's
expanding ``IN`` renders and binds one parameter per id on every run.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Text,
    any_,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.types import TypeDecorator, TypeEngine

from app.db.json_codec import dumps


class IdList(TypeDecorator[list[str]]):
    """A list of strings as one parameter: JSON text on SQLite, a text array on PostgreSQL."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(String))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return dumps(list(value))


def one_of(
    column: ColumnElement[Any] | QueryableAttribute[Any], dialect: str, name: str = "ids"
) -> ColumnElement[bool]:
    """``column`` is one of the list given as parameter ``name``, on ``dialect``."""
    ids = bindparam(name, type_=IdList())
    if dialect == "postgresql":
        return column == any_(ids)
    each: Select[Any] = select(literal_column("value")).select_from(func.json_each(ids))
    return column.in_(each.scalar_subquery())
