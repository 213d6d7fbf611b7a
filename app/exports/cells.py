"""One record's answers as the cells of each table: choices as names or labels, photos and
signatures as links to the API's attachment URL, numbers kept as numbers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any, Protocol

import orjson

from app.exports.columns import Column, Table, repeat_rows, value_at

Cell = str | int | float | None

YES_NO: dict[str, tuple[str, str]] = {"yes": ("Yes", "បាទ/ចាស"), "no": ("No", "ទេ")}


class RecordRow(Protocol):
    """What an export reads of a record: its columns and its current data (a result row of
    ``app.exports.queries.record_batches``, read by attribute)."""

    record_id: str
    form_version: str
    rev: int
    review_state: str
    placement_state: str | None
    province: str | None
    district: str | None
    commune: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    data: dict[str, Any]


Convert = Callable[[Any], Cell]


@dataclass(frozen=True)
class CellFormat:
    """``lang`` None: names; ``en``/``km``: labels. ``attachment_url`` prefixes a SHA-256."""

    lang: str | None
    attachment_url: str

    def label(self, pair: tuple[str, str], name: str) -> str:
        if self.lang == "km":
            return pair[1] or pair[0]
        if self.lang == "en":
            return pair[0]
        return name

    def converter(self, column: Column) -> Convert:
        """How a value of ``column`` becomes a cell (chosen once per column, not per cell)."""
        kind = column.field.type if column.field is not None else ""
        if kind in ("select_one", "select_multiple", "yes_no"):
            pairs = YES_NO if kind == "yes_no" else (column.choices or {})
            names = {name: self.label(pair, name) for name, pair in pairs.items()}
            if kind == "select_multiple":
                glue = "; " if self.lang else " "
                return lambda v: (
                    glue.join(str(names.get(x, x)) for x in v) if isinstance(v, list) else _plain(v)
                )
            return lambda v: names.get(v, v) if isinstance(v, str) else _plain(v)
        if kind in ("photo", "signature"):
            prefix = self.attachment_url
            return lambda v: prefix + v if isinstance(v, str) else _plain(v)
        if kind == "geopoint":
            return _geopoint
        return _plain


def _geopoint(value: Any) -> Cell:
    if not isinstance(value, dict):
        return _plain(value)
    parts = (value.get(k) for k in ("lat", "lon", "altitude", "accuracy"))
    return " ".join("" if p is None else str(p) for p in parts).strip()


def _plain(value: Any) -> Cell:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    return orjson.dumps(value).decode()


def _moment(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


# Types whose answers are already cells (validation admits only strings and numbers).
_AS_IS = frozenset({"text", "integer", "decimal", "date", "datetime", "reference"})
# Types whose answers are free text (a CSV guards them against formulas).
FREE_TEXT = frozenset({"text", "calculate"})
CellOf = Callable[[Any, Any], Cell]  # (record or row, its data) -> cell


def _getter(path: str) -> Callable[[Any], Any]:
    parts = path.split(".")
    if len(parts) == 1:
        key = parts[0]
        return lambda d: d.get(key) if d.__class__ is dict else None
    if len(parts) == 2:
        outer, inner = parts

        def two(d: Any) -> Any:
            found = d.get(outer) if d.__class__ is dict else None
            return found.get(inner) if found.__class__ is dict else None

        return two
    return lambda d: value_at(d, path)


def _field_cell(column: Column, fmt: CellFormat) -> CellOf:
    assert column.field is not None
    kind = column.field.type
    top = "." not in column.path
    key = column.path
    if kind in _AS_IS or (fmt.lang is None and kind in ("select_one", "yes_no")):
        if top:
            return lambda _r, d: d.get(key)  # type: ignore[no-any-return]
        get = _getter(column.path)
        return lambda _r, d: get(d)  # type: ignore[no-any-return]
    if top and kind in ("select_one", "yes_no"):  # the hot case: a label for a name
        pairs = YES_NO if kind == "yes_no" else (column.choices or {})
        names = {name: fmt.label(pair, name) for name, pair in pairs.items()}

        def label(_r: Any, d: Any) -> Cell:
            value = d.get(key)
            return names.get(value, value) if value.__class__ is str else _plain(value)

        return label
    get = _getter(column.path)
    convert = fmt.converter(column)

    def cell(_r: Any, d: Any) -> Cell:
        value = get(d)
        return None if value is None else convert(value)

    return cell


def _meta_cell(key: str) -> CellOf:
    read = attrgetter(key)
    if key in ("created_at", "updated_at"):
        last: list[Any] = [None, None]  # records written together share a moment

        def moment(r: Any, _d: Any) -> Cell:
            value = read(r)
            if value != last[0]:
                last[0], last[1] = value, _moment(value)
            return last[1]  # type: ignore[no-any-return]

        return moment
    return lambda r, _d: read(r)  # type: ignore[no-any-return]


def record_cells(table: Table, fmt: CellFormat) -> Callable[[RecordRow], list[Cell]]:
    """A function from a record to its row of the records' table (one specialised function
    per column, chosen once: the loop over 100,000 records does no dispatch of its own)."""
    makers = [_meta_cell(c.path) if c.field is None else _field_cell(c, fmt) for c in table.columns]

    def cells(record: RecordRow) -> list[Cell]:
        data = record.data
        return [make(record, data) for make in makers]

    return cells


def repeat_cells(table: Table, fmt: CellFormat) -> Callable[[RecordRow], Iterator[list[Cell]]]:
    """A function from a record to its rows of a repeat's table."""
    row_key = table.row_keys[-1]
    makers = [None if c.field is None else _field_cell(c, fmt) for c in table.columns]
    metas = [c.path for c in table.columns]

    def rows(record: RecordRow) -> Iterator[list[Cell]]:
        for parent, row in repeat_rows(record.data, table):
            meta: dict[str, Cell] = {
                "record_id": record.record_id,
                "parent_row_key": _plain(parent),
                "row_key": _plain(row.get(row_key)),
            }
            yield [
                meta[path] if make is None else make(record, row)
                for make, path in zip(makers, metas, strict=True)
            ]

    return rows


def guarded_columns(table: Table) -> list[int]:
    """The columns that may hold free text (a CSV guards them against formulas)."""
    return [
        i
        for i, c in enumerate(table.columns)
        if (c.field is None and c.path == "created_by")
        or (c.field is not None and c.field.type in FREE_TEXT)
    ]
