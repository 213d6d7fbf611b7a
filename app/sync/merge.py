"""Three-way merge of a record's data: what both a server and a tablet changed since a base.

`merge3(base, server, client)` takes three JSON objects (a record's ``data``) and merges the
client's changes into the server's state, field by field. It is pure: deterministic, no
clock, inputs never mutated, the result shares no object with them. The tablet runs the
same merge (``static/pwa/js/merge.js``); both are checked against ``tests/vectors/merge.json``.

Paths
-----
A path names one place in ``data``: field names joined by dots, a repeat's row addressed by
the value of its row key in brackets::

    consent                          a top-level field
    household.head.age               a field in nested groups
    members[5f0c…].age               field ``age`` of the ``members`` row whose key is 5f0c…
    members[5f0c…]                   that whole row
    members[5f0c…].illnesses[9ab1…]  a row of a repeat nested in a row

Field names are form names (``[A-Za-z_][A-Za-z0-9_-]*``, schema.NAME_PATTERN); a row key is
a non-empty string without ``[`` or ``]`` (the forms use UUIDs), written verbatim.

Row keys
--------
A repeat (a list of objects) is merged by a stable key per row, never by position. Which
field holds the key is looked up in ``row_keys`` by the repeat's *shape*: its path with the
row keys left out, ``[]`` marking each enclosing repeat (``members``, ``visits``,
``members[].illnesses``, ``household.members[].illnesses``). The ``[]`` are optional
(``members.illnesses`` means the same; it is how ``app.forms.schema.walk`` writes paths).
`row_keys_for` builds the mapping from a form's fields. A repeat not in ``row_keys`` is keyed
by ``_row_id``. A list is merged row by row only if every row on every side is an object
with a valid, unique key; otherwise (a list of scalars such as a select_multiple, or rows
without keys) the list is one atomic value.

Rules
-----
``ABSENT`` (a key not in the object) is a value distinct from ``null``. At each path:

- the client did not change it (client == base): the server's value;
- only the client changed it (server == base): the client's value;
- both changed it to the same value: that value, no clash;
- both changed it to different values: if both are objects (and the base an object or
  absent) the merge goes down field by field; if both are keyed row lists (and the base one
  or absent) row by row; otherwise a `Clash` at that path, and the server's value stays.

So a row (or a group) deleted on one side and unchanged on the other is deleted; deleted on
one side and edited on the other is a clash at the row's path, and the server's state (row
present or gone) stays. Rows added on either side are kept. When both sides changed a
repeat, its rows come in the server's order, then the client's new rows in the client's
order; when only one side changed it, that side's list (and order) is taken whole.
Equality is JSON equality: ``true`` is not ``1``, ``1`` is ``1.0``. A `Clash` holds plain
JSON values; a side that removed the value has ``None`` there and its ``*_absent`` flag set.
``client_changed`` lists the paths the client altered since the base (`changed_paths`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

DEFAULT_ROW_KEY: Final = "_row_id"

__all__ = [
    "ABSENT",
    "DEFAULT_ROW_KEY",
    "Clash",
    "MergeResult",
    "PathError",
    "changed_paths",
    "merge3",
    "parse_path",
    "row_keys_for",
    "same_value",
    "value_at",
    "with_value",
]


class _Absent:
    """The value of a key an object does not have (distinct from ``None``, JSON null)."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False

    def __copy__(self) -> _Absent:
        return self

    def __deepcopy__(self, _memo: dict[int, Any]) -> _Absent:
        return self

    def __reduce__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()


@dataclass(frozen=True)
class Clash:
    """Both sides changed ``path`` to different values; the server's value stays in the data.

    The values are plain JSON. A side that removed the field or row has ``None`` as its value
    and its ``*_absent`` flag set, so a removal is not mistaken for a null.
    """

    path: str
    server_value: Any
    client_value: Any
    server_absent: bool = False
    client_absent: bool = False

    @classmethod
    def between(cls, path: str, server: Any, client: Any) -> Clash:
        """A clash from two values either of which may be `ABSENT` (copied, never shared)."""
        return cls(
            path,
            None if server is ABSENT else copy.deepcopy(server),
            None if client is ABSENT else copy.deepcopy(client),
            server_absent=server is ABSENT,
            client_absent=client is ABSENT,
        )

    @property
    def server(self) -> Any:
        """The server's value, `ABSENT` if it removed it."""
        return ABSENT if self.server_absent else self.server_value

    @property
    def client(self) -> Any:
        """The client's value, `ABSENT` if it removed it."""
        return ABSENT if self.client_absent else self.client_value

    def as_dict(self) -> dict[str, Any]:
        """The contract's ``{"path", "server_value", "client_value"}``, with
        ``"server_absent": true`` / ``"client_absent": true`` only when that side removed it."""
        out: dict[str, Any] = {
            "path": self.path,
            "server_value": copy.deepcopy(self.server_value),
            "client_value": copy.deepcopy(self.client_value),
        }
        if self.server_absent:
            out["server_absent"] = True
        if self.client_absent:
            out["client_absent"] = True
        return out


@dataclass(frozen=True)
class MergeResult:
    """The merged data, the clashes (in document order) and the paths the client changed."""

    data: dict[str, Any]
    clashes: list[Clash] = field(default_factory=list)
    client_changed: list[str] = field(default_factory=list)


class PathError(ValueError):
    """A path that does not parse, or that does not lead through the data."""


# --- equality ----------------------------------------------------------------------------


def same_value(a: Any, b: Any) -> bool:
    """JSON equality: types must agree (``True`` is not ``1``), ``1 == 1.0``, `ABSENT` only
    equals itself, objects compare by keys and values, arrays element by element."""
    if a is ABSENT or b is ABSENT:
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(same_value(v, b[k]) for k, v in a.items())
        )
    if isinstance(a, list | tuple):
        return (
            isinstance(b, list | tuple)
            and len(a) == len(b)
            and all(same_value(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(b, dict | list | tuple | int | float):
        return False
    return bool(type(a) is type(b) and a == b)


# --- row keys ----------------------------------------------------------------------------


def _normal_shape(shape: str) -> str:
    return shape.replace("[]", "")


def _key_fields(row_keys: Mapping[str, str] | None) -> dict[str, str]:
    return {_normal_shape(k): v for k, v in (row_keys or {}).items()}


def _valid_key(value: Any) -> bool:
    return isinstance(value, str) and value != "" and "[" not in value and "]" not in value


def _rows(value: Any, key: str) -> dict[str, dict[str, Any]] | None:
    """The rows of a repeat by key (in list order), or None if the list is not keyed rows."""
    if not isinstance(value, list):
        return None
    rows: dict[str, dict[str, Any]] = {}
    for row in value:
        if not isinstance(row, dict):
            return None
        k = row.get(key)
        if not isinstance(k, str) or not _valid_key(k) or k in rows:
            return None
        rows[k] = row
    return rows


def row_keys_for(fields: Iterable[Any]) -> dict[str, str]:
    """``row_keys`` for a form: each repeat's shape (``members[].illnesses``) → its key field.

    ``fields`` are a form's top-level fields (``FormSchema.fields``): objects with ``name``,
    ``type``, ``fields`` and ``key_of_rows``, as in ``app.forms.schema.Field``.
    """
    out: dict[str, str] = {}

    def visit(level: Iterable[Any], prefix: str) -> None:
        for f in level:
            shape = f"{prefix}{f.name}"
            if f.type == "repeat":
                out[shape] = f.key_of_rows
                visit(f.fields or [], f"{shape}[].")
            elif f.type == "group":
                visit(f.fields or [], f"{shape}.")

    visit(fields, "")
    return out


# --- merge -------------------------------------------------------------------------------


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


class _Merger:
    def __init__(self, row_keys: Mapping[str, str] | None) -> None:
        self.keys = _key_fields(row_keys)
        self.clashes: list[Clash] = []

    def key_of(self, shape: str) -> str:
        return self.keys.get(shape, DEFAULT_ROW_KEY)

    def merge(self, path: str, shape: str, base: Any, server: Any, client: Any) -> Any:
        if same_value(client, base):
            return server
        if same_value(server, base) or same_value(server, client):
            return client
        # both changed, to different values
        if (
            isinstance(server, dict)
            and isinstance(client, dict)
            and (base is ABSENT or isinstance(base, dict))
        ):
            base_object = base if isinstance(base, dict) else {}
            return self.merge_objects(path, shape, base_object, server, client)
        key = self.key_of(shape)
        s_rows, c_rows = _rows(server, key), _rows(client, key)
        b_rows = {} if base is ABSENT else _rows(base, key)
        if s_rows is not None and c_rows is not None and b_rows is not None:
            return self.merge_rows(path, shape, b_rows, s_rows, c_rows)
        self.clashes.append(Clash.between(path, server, client))
        return server

    def merge_objects(
        self,
        path: str,
        shape: str,
        base: dict[str, Any],
        server: dict[str, Any],
        client: dict[str, Any],
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in [*server, *(k for k in client if k not in server)]:
            value = self.merge(
                _join(path, name),
                _join(shape, name),
                base.get(name, ABSENT),
                server.get(name, ABSENT),
                client.get(name, ABSENT),
            )
            if value is not ABSENT:
                out[name] = value
        return out

    def merge_rows(
        self,
        path: str,
        shape: str,
        base: dict[str, dict[str, Any]],
        server: dict[str, dict[str, Any]],
        client: dict[str, dict[str, Any]],
    ) -> list[Any]:
        out: list[Any] = []
        for k in [*server, *(k for k in client if k not in server)]:
            row = self.merge(
                f"{path}[{k}]",
                shape,
                base.get(k, ABSENT),
                server.get(k, ABSENT),
                client.get(k, ABSENT),
            )
            if row is not ABSENT:
                out.append(row)
        return out


def merge3(
    base: dict[str, Any],
    server: dict[str, Any],
    client: dict[str, Any],
    *,
    row_keys: Mapping[str, str] | None = None,
) -> MergeResult:
    """Merge what ``client`` changed since ``base`` into ``server`` (see the module doc)."""
    for name, value in (("base", base), ("server", server), ("client", client)):
        if not isinstance(value, dict):
            raise TypeError(f"merge3: {name} must be a dict, not {type(value).__name__}")
    merger = _Merger(row_keys)
    data = merger.merge("", "", base, server, client)
    return MergeResult(
        data=copy.deepcopy(data),
        clashes=merger.clashes,
        client_changed=changed_paths(base, client, row_keys=row_keys),
    )


def changed_paths(
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    row_keys: Mapping[str, str] | None = None,
) -> list[str]:
    """The paths whose value differs from ``before`` to ``after``, in document order.

    Objects and keyed row lists are followed down; an added or removed field, group or row is
    one path; a repeat whose rows only moved is the repeat's path.
    """
    keys = _key_fields(row_keys)
    out: list[str] = []

    def diff(path: str, shape: str, a: Any, b: Any) -> None:
        if same_value(a, b):
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for name in [*a, *(k for k in b if k not in a)]:
                diff(
                    _join(path, name),
                    _join(shape, name),
                    a.get(name, ABSENT),
                    b.get(name, ABSENT),
                )
            return
        key = keys.get(shape, DEFAULT_ROW_KEY)
        a_rows, b_rows = _rows(a, key), _rows(b, key)
        if a_rows is not None and b_rows is not None:
            found = len(out)
            for k in [*a_rows, *(k for k in b_rows if k not in a_rows)]:
                diff(f"{path}[{k}]", shape, a_rows.get(k, ABSENT), b_rows.get(k, ABSENT))
            if len(out) > found:
                return
        out.append(path)

    diff("", "", before, after)
    return out


# --- paths -------------------------------------------------------------------------------

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)(?:\[([^\[\]]+)\])?")


def parse_path(path: str) -> list[tuple[str, str | None]]:
    """``members[k1].age`` → ``[("members", "k1"), ("age", None)]``."""
    segments: list[tuple[str, str | None]] = []
    pos = 0
    while True:
        m = _SEGMENT.match(path, pos)
        if m is None:
            raise PathError(f"not a data path: {path!r}")
        segments.append((m.group(1), m.group(2)))
        pos = m.end()
        if pos == len(path):
            return segments
        if path[pos] != ".":
            raise PathError(f"not a data path: {path!r}")
        pos += 1


def value_at(data: dict[str, Any], path: str, *, row_keys: Mapping[str, str] | None = None) -> Any:
    """The value at ``path`` in ``data``, or `ABSENT` if nothing is there."""
    keys = _key_fields(row_keys)
    node: Any = data
    shape = ""
    for name, row_key in parse_path(path):
        shape = _join(shape, name)
        node = node.get(name, ABSENT) if isinstance(node, dict) else ABSENT
        if row_key is not None and node is not ABSENT:
            rows = _rows(node, keys.get(shape, DEFAULT_ROW_KEY))
            node = ABSENT if rows is None else rows.get(row_key, ABSENT)
        if node is ABSENT:
            return ABSENT
    return node


def with_value(
    data: dict[str, Any],
    path: str,
    value: Any,
    *,
    row_keys: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A copy of ``data`` with ``value`` at ``path`` (`ABSENT` removes the field or row).

    Missing groups on the way are created; a missing row is appended (``value`` should then
    carry its key). Raises `PathError` if the path runs through a value that is not an
    object or a keyed row list.
    """
    keys = _key_fields(row_keys)
    out = copy.deepcopy(data)
    new = copy.deepcopy(value)
    segments = parse_path(path)
    node: Any = out
    shape = ""
    for i, (name, row_key) in enumerate(segments):
        last = i == len(segments) - 1
        shape = _join(shape, name)
        if not isinstance(node, dict):
            raise PathError(f"{path!r} runs through a value that is not an object")
        if row_key is None:
            if last:
                if new is ABSENT:
                    node.pop(name, None)
                else:
                    node[name] = new
                return out
            if name not in node:
                if new is ABSENT:
                    return out
                node[name] = {}
            node = node[name]
            continue
        key = keys.get(shape, DEFAULT_ROW_KEY)
        if name not in node:
            if new is ABSENT:
                return out
            node[name] = []
        rows = node[name]
        if _rows(rows, key) is None:
            raise PathError(f"{path!r}: {name!r} is not a list of rows keyed by {key!r}")
        at = next((j for j, r in enumerate(rows) if r[key] == row_key), None)
        if last:
            if new is ABSENT:
                if at is not None:
                    del rows[at]
            elif at is None:
                rows.append(new)
            else:
                rows[at] = new
            return out
        if at is None:
            if new is ABSENT:
                return out
            rows.append({key: row_key})
            at = len(rows) - 1
        node = rows[at]
    return out
