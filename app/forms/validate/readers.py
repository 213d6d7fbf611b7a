"""Step 1, reading: a submission's data level by level into a typed copy.

`Reader.read_level` refuses unknown keys (wherever they are) and reads each field's value as
its type says: JSON types, static choices, lengths, ranges, row keys. A value refused is left
out of the copy with an issue; an empty value (`""`, `[]`, `null`) is not read. The common
values of the common types pass at once (`read_specs`); any other goes to the field's reader
(`READERS`, else `read_any`) and, if not passed there, to its type's full reader, which keeps or
refuses it. tests/unit/test_validate_shortcuts.py checks that the quick ways give what the full
readers give.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from app.forms.issues import Issue, issue, wrong_type
from app.forms.schema import FormSchema

if TYPE_CHECKING:  # (a node is made by the plan, which reads with the readers here)
    from app.forms.validate.plan import Node

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_GEOPOINT_NEEDS = frozenset({"lat", "lon", "accuracy"})
_GEOPOINT_KEYS = frozenset({"lat", "lon", "accuracy", "altitude"})
_NO_ROWS: list[Any] = []  # compared with, never changed
INVALID: Any = object()  # what a reader returns for a value it refused

# How `read_level` reads a field: (name, fast, a, b, node). `fast` says which common values
# pass at once, as the field's reader would pass them: an int from `a` to `b` (_INTEGER); a str
# in `a` (_NAME: a choice's name, "yes" or "no"); a str of 1 to `a` characters (_TEXT); a str
# `a(value)` is true for (_MATCH: a date, a record ID; _ATTACHMENT: a photo's or a signature's
# SHA-256, also noted in `Reader.attachments`). Any other value (and any of another type:
# _OTHER) goes to `node.read`, or is a group's (_GROUP) or a repeat's (_OTHER).
Read = tuple[str, int, Any, Any, "Node"]
_OTHER, _INTEGER, _NAME, _TEXT, _MATCH, _ATTACHMENT, _GROUP = range(7)


def read_specs(nodes: tuple[Node, ...]) -> tuple[Read, ...]:
    """How `read_level` reads each of `nodes` (the fields of a level a value is read for)."""
    return tuple(_read_spec(node) for node in nodes)


def _read_spec(node: Node) -> Read:
    t = node.type
    if t == "integer":
        return (node.name, _INTEGER, node.low, node.high, node)
    if t in {"select_one", "yes_no"}:
        return (node.name, _NAME, node.accepted, None, node)
    if t == "text":
        return (node.name, _TEXT, node.max_length, None, node)
    if t in {"photo", "signature"}:
        return (node.name, _ATTACHMENT, _SHA256.match, None, node)
    match = _MATCHES.get(t)
    if match is not None:
        return (node.name, _MATCH, match, None, node)
    if t == "group":
        return (node.name, _GROUP, None, None, node)
    return (node.name, _OTHER, None, None, node)


class Reader:
    """The reading of one submission: the issues met (`errors`: a refused value, an unknown
    key, a bad row key) and the photos and signatures read (`attachments`)."""

    __slots__ = ("schema", "errors", "attachments")

    def __init__(self, schema: FormSchema) -> None:
        self.schema = schema
        self.errors: list[Issue] = []
        self.attachments: list[str] = []

    def read_level(
        self,
        reads: tuple[Read, ...],
        names: frozenset[str],
        level: dict[str, Any],
        prefix: str,
        out: dict[str, Any],
    ) -> dict[str, Any]:
        """Read the fields of `level` into `out`: `reads` are those a client's value is read for
        (see `read_specs`), `names` those the level may hold."""
        if not names.issuperset(level):  # (`level.keys() <= names`, faster)
            self.read_unknown(names, level, prefix)
        get = level.get
        for name, fast, a, b, node in reads:
            value = get(name)
            if value is None:
                continue
            # the common values of the common types pass here (as their readers would pass them)
            kind = type(value)
            if kind is int:
                if fast == _INTEGER and a <= value <= b:
                    out[name] = value
                    continue
            elif kind is str:
                if fast == _NAME:
                    if value in a:
                        out[name] = value
                        continue
                elif fast == _TEXT:
                    if 0 < len(value) <= a:
                        out[name] = value
                        continue
                elif fast == _MATCH and a(value):
                    out[name] = value
                    continue
                elif fast == _ATTACHMENT and a(value):
                    out[name] = value
                    self.attachments.append(value)
                    continue
            read = node.read
            if read is not None:  # (it does not read an empty value)
                value = read(node, value, prefix, self.errors)
                if value is not INVALID:
                    out[name] = value
                    if fast == _ATTACHMENT:
                        self.attachments.append(value)
            elif value == "" or value == _NO_ROWS:  # (as _is_empty)
                continue
            elif fast == _GROUP:
                if isinstance(value, dict):
                    out[name] = self.read_level(
                        node.reads, node.names, value, node.dot or prefix + name + ".", {}
                    )
                else:
                    self.errors.append(wrong_type(prefix + name, "group"))
            else:
                rows = self.read_rows(node, value, prefix + name)
                if rows is not None:
                    out[name] = rows
        return out

    def read_unknown(self, names: frozenset[str], level: dict[str, Any], prefix: str) -> None:
        for key in level:
            if key not in names:
                self.errors.append(
                    issue(
                        prefix + key,
                        "unknown_field",
                        form_id=self.schema.form_id,
                        version=self.schema.version,
                    )
                )

    def read_rows(self, node: Node, value: Any, path: str) -> list[dict[str, Any]] | None:
        errors = self.errors
        if not isinstance(value, list):
            errors.append(wrong_type(path, "repeat"))
            return None
        key = node.key
        key_is_field = key in node.known  # (a schema refuses it) its value is not the key's
        reads, names = node.reads, node.names
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        for i, row in enumerate(value):
            if not isinstance(row, dict):
                errors.append(wrong_type(f"{path}.{i}", "row"))
                rows.append({})
                continue
            row_id = row.get(key)
            if row_id is None:
                problem = "required"
            elif not is_uuid(row_id):
                problem = "row_key"
            elif row_id in seen:
                problem = "duplicate_row_key"
            else:
                problem = ""
                seen.add(row_id)
            body = {k: v for k, v in row.items() if k != key} if key_is_field else row
            row_prefix = f"{path}.{i}."
            if not problem:
                rows.append(self.read_level(reads, names, body, row_prefix, {key: row_id}))
                continue
            rows.append(self.read_level(reads, names, body, row_prefix, {}))
            if problem == "required":
                errors.append(issue(row_prefix + key, "required"))
            elif problem == "row_key":
                errors.append(wrong_type(row_prefix + key, "row_key"))
            else:
                errors.append(issue(row_prefix + key, "duplicate_row_key", key=key))
        return rows


# --- reading a field's value: (node, value, prefix, errors) -> the value, or INVALID ---------
#
# `Node.read` takes a value of a common exact type that passes at once (`read_level` takes
# those of a few types itself), and gives any other to `read_any`: not read if empty, else read
# by the field type's full reader (`_FULL_READERS`), which refuses it with an issue or keeps it.


def read_any(node: Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    if value == "" or value == _NO_ROWS:  # (None is not given) empty: not read
        return INVALID
    return _FULL_READERS.get(node.type, _read_other)(node, value, prefix, errors)


def _read_date(node: Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    if type(value) is str and _is_date_text(value):
        return value
    return read_any(node, value, prefix, errors)


def _read_hash(node: Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    """A photo's or a signature's value."""
    if type(value) is str and _SHA256.match(value):
        return value
    return read_any(node, value, prefix, errors)


def _read_reference(node: Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    if type(value) is str and _UUID.fullmatch(value):
        return value
    return read_any(node, value, prefix, errors)


def read_geopoint(node: Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    """A geopoint of plain numbers passes here as `is_geopoint` passes it (a comparison
    with NaN is false, so the ranges keep out NaN and the infinities)."""
    if type(value) is dict and 3 <= len(value) <= 4:
        lat, lon, acc = value.get("lat"), value.get("lon"), value.get("accuracy")
        alt = value.get("altitude") if len(value) == 4 else 0  # (None: another key)
        if (
            (type(lat) is float or type(lat) is int)
            and (type(lon) is float or type(lon) is int)
            and (type(acc) is float or type(acc) is int)
            and (type(alt) is float or type(alt) is int)
            and -90 <= lat <= 90
            and -180 <= lon <= 180
            and 0 <= acc < math.inf
            and -math.inf < alt < math.inf
        ):
            return value
    return read_any(node, value, prefix, errors)


def _refuse(node: Node, prefix: str, errors: list[Issue], found: Issue | None = None) -> Any:
    errors.append(found or wrong_type(prefix + node.name, node.type))
    return INVALID


def _text(node: Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    if not isinstance(value, str):
        return _refuse(node, prefix, errors)
    if len(value) > node.max_length:
        found = issue(prefix + node.name, "too_long", n=node.max_length)
        return _refuse(node, prefix, errors, found)
    return value


def _number(node: Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    number = _as_number(value, integer=node.type == "integer")
    if number is None:
        return _refuse(node, prefix, errors)
    f = node.field
    if f.min is not None and number < f.min:
        found = issue(prefix + node.name, "out_of_range", variant="below_min", n=_num(f.min))
        return _refuse(node, prefix, errors, found)
    if f.max is not None and number > f.max:
        found = issue(prefix + node.name, "out_of_range", variant="above_max", n=_num(f.max))
        return _refuse(node, prefix, errors, found)
    return number


def _select_one(node: Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    if not isinstance(value, str):
        return _refuse(node, prefix, errors)
    if value not in node.choice_names:
        found = issue(prefix + node.name, "invalid_choice", value=value)
        return _refuse(node, prefix, errors, found)
    return value


def _select_multiple(node: Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return _refuse(node, prefix, errors)
    names = node.choice_names
    for v in value:
        if v not in names:
            found = issue(prefix + node.name, "invalid_choice", value=v)
            return _refuse(node, prefix, errors, found)
    if len(set(value)) != len(value):
        found = issue(prefix + node.name, "invalid_choice", value=_first_duplicate(value))
        return _refuse(node, prefix, errors, found)
    return value


def _passing(test: Callable[[Any], Any]) -> Callable[[Node, Any, str, list[Issue]], Any]:
    """A full reader keeping a value that passes `test`, refusing any other as the wrong type."""

    def read(node: Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
        return value if test(value) else _refuse(node, prefix, errors)

    return read


def _read_other(node: Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    raise AssertionError(f"unhandled field type {node.type}")  # pragma: no cover


def _is_hash(value: Any) -> bool:
    return isinstance(value, str) and _SHA256.match(value) is not None


# (node, value, prefix, errors) -> the value, or INVALID (an issue added to errors)
ValueReader = Callable[["Node", Any, str, list[Issue]], Any]
# field type -> `Node.read`, for the types with a reader of their own (the others: `read_any`)
READERS: dict[str, ValueReader] = {
    "date": _read_date,
    "geopoint": read_geopoint,
    "photo": _read_hash,
    "signature": _read_hash,
    "reference": _read_reference,
}
_FULL_READERS: dict[str, ValueReader] = {
    "text": _text,
    "integer": _number,
    "decimal": _number,
    "date": _passing(lambda v: _is_date(v)),
    "datetime": _passing(lambda v: _is_datetime(v)),
    "yes_no": _passing(lambda v: v in ("yes", "no")),
    "select_one": _select_one,
    "select_multiple": _select_multiple,
    "geopoint": _passing(lambda v: is_geopoint(v)),
    "photo": _passing(_is_hash),
    "signature": _passing(_is_hash),
    "reference": _passing(lambda v: is_uuid(v)),
}


def is_uuid(value: Any) -> bool:
    """Whether `value` is a UUID in canonical form (lowercase, hyphenated): exactly the
    strings `str(uuid.UUID(value)) == value` accepts."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def _as_number(value: Any, *, integer: bool) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if integer:
            return int(value) if value.is_integer() else None
    return value


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and _is_date_text(value)


@lru_cache(maxsize=4096)
def _is_date_text(value: str) -> bool:
    """(Remembered: a sync pushes the same dates again and again.)"""
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# (see `_read_spec`) what `READERS` pass at once, for a str (and `_read_hash`: `_SHA256.match`)
_MATCHES: dict[str, Callable[[str], Any]] = {"date": _is_date_text, "reference": _UUID.fullmatch}


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


def is_geopoint(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    keys = value.keys()
    if not (keys >= _GEOPOINT_NEEDS and keys <= _GEOPOINT_KEYS):
        return False
    for v in value.values():
        if _as_number(v, integer=False) is None:
            return False
    # (`_as_number` returns a number it accepts as it is)
    lat, lon, acc = value["lat"], value["lon"], value["accuracy"]
    return -90 <= lat <= 90 and -180 <= lon <= 180 and acc >= 0


def _first_duplicate(values: list[str]) -> str:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            return v
        seen.add(v)
    return ""  # pragma: no cover
