"""One record's answers as the cells of each table: choices as names or labels, photos and
signatures as links to the API's attachment URL, numbers kept as numbers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from app.exports.columns import Column, Table, repeat_rows, value_at

Cell = str | int | float | None

YES_NO: dict[str, tuple[str, str]] = {"yes": ("Yes", "បាទ/ចាស"), "no": ("No", "ទេ")}


@dataclass(frozen=True)
class RecordRow:
    """What an export reads of a record: its columns and its current data."""

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


def _getter(path: str) -> Callable[[Any], Any]:
    parts = path.split(".")
    if len(parts) == 1:
        key = parts[0]
        return lambda d: d.get(key) if isinstance(d, dict) else None
    return lambda d: value_at(d, path)


def record_cells(table: Table, fmt: CellFormat) -> Callable[[RecordRow], list[Cell]]:
    """A function from a record to its row of the records' table."""
    fields = [
        (None, c.path, _plain) if c.field is None else (_getter(c.path), c.path, fmt.converter(c))
        for c in table.columns
    ]

    def cells(record: RecordRow) -> list[Cell]:
        data = record.data
        row: list[Cell] = []
        for get, path, convert in fields:
            if get is None:
                row.append(_meta(record, path))
            else:
                value = get(data)
                row.append(None if value is None else convert(value))
        return row

    return cells


def _meta(record: RecordRow, key: str) -> Cell:
    value = getattr(record, key)
    return _moment(value) if isinstance(value, datetime) else value  # type: ignore[no-any-return]


def repeat_cells(table: Table, fmt: CellFormat) -> Callable[[RecordRow], Iterator[list[Cell]]]:
    """A function from a record to its rows of a repeat's table."""
    row_key = table.row_keys[-1]
    fields = [
        (None, c.path, _plain) if c.field is None else (_getter(c.path), c.path, fmt.converter(c))
        for c in table.columns
    ]

    def rows(record: RecordRow) -> Iterator[list[Cell]]:
        for parent, row in repeat_rows(record.data, table):
            meta: dict[str, Cell] = {
                "record_id": record.record_id,
                "parent_row_key": _plain(parent),
                "row_key": _plain(row.get(row_key)),
            }
            out: list[Cell] = []
            for get, path, convert in fields:
                if get is None:
                    out.append(meta[path])
                else:
                    value = get(row)
                    out.append(None if value is None else convert(value))
            yield out

    return rows
