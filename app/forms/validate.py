"""Validate a submission's `data` against the exact form version it names.

One entry point, `validate_submission`: pure (no database, no clock: `today`/`now` are passed in;
records are looked up through the `lookup_record` callable). It

1. reads the data level by level: unknown keys, JSON types, static choices, lengths, ranges;
2. settles relevance and calculations together until they stop changing: values of
   non-relevant fields (and of everything inside a non-relevant group or repeat) are DROPPED,
   calculations are recomputed by the server (a client's value for them is ignored);
3. checks what remains: required-when-relevant, constraints, choice filters, repeat bounds,
   references, the location field;
4. applies the form's JSON rules and the action plan's rules (`app/forms/rules.py`).

Errors on a field that turns out not relevant are not reported: its value is dropped anyway
(an unknown key is always refused, wherever it is).
"""

from __future__ import annotations

import math
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.forms.expressions import (
    Compiled,
    ExpressionError,
    _compile_bool,
    _compiled,
    references,
)
from app.forms.schema import CHOICE_REF_PREFIX, Choice, Field, FormSchema, walk

LookupRecord = Callable[[str, str], "dict[str, Any] | None"]
Position = tuple[tuple[str, int], ...]

_EVAL_ERRORS = (ExpressionError, KeyError, TypeError, ValueError, ArithmeticError, IndexError)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOCATION_CODE = re.compile(r"^\d{2}(\d{2}){0,2}$")


@dataclass(frozen=True)
class Issue:
    """An error or a flag at a data path (`household_members.2.age`), in English and Khmer."""

    path: str
    code: str
    message: str
    message_km: str
    urgent: bool = False

    def as_detail(self) -> dict[str, Any]:
        """The contract's validation detail: `{"path", "code", "message", "message_km"}`."""
        detail: dict[str, Any] = {
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "message_km": self.message_km,
        }
        if self.urgent:
            detail["urgent"] = True
        return detail


@dataclass
class ValidationResult:
    errors: list[Issue] = field(default_factory=list)
    flags: list[Issue] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    attachments: list[str] = field(default_factory=list)
    location: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def urgent(self) -> bool:
        return any(flag.urgent for flag in self.flags)


# code -> (English, Khmer); placeholders filled with str.format
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("This field is required.", "ត្រូវការបំពេញ។"),
    "wrong_type": ("Expected {expected}.", "ត្រូវតែជា{expected_km}។"),
    "invalid_choice": (
        "'{value}' is not one of the choices.",
        "«{value}» មិនមែនជាជម្រើសដែលមានទេ។",
    ),
    "filtered_choice": (
        "'{value}' cannot be chosen with the answers given.",
        "«{value}» មិនអាចជ្រើសរើសបានតាមចម្លើយដែលបានផ្ដល់ទេ។",
    ),
    "constraint_failed": ("The value is not accepted.", "តម្លៃនេះមិនត្រូវបានទទួលយកទេ។"),
    "unknown_field": (
        "This field is not part of form {form_id} version {version}.",
        "ចំណុចនេះមិនមែនជាផ្នែកនៃទម្រង់ {form_id} កំណែ {version} ទេ។",
    ),
    "too_many_rows": ("At most {n} rows are allowed.", "អនុញ្ញាតយ៉ាងច្រើន {n} ជួរ។"),
    "too_few_rows": ("At least {n} rows are needed.", "ត្រូវការយ៉ាងតិច {n} ជួរ។"),
    "too_long": ("At most {n} characters are allowed.", "អនុញ្ញាតយ៉ាងច្រើន {n} តួអក្សរ។"),
    "below_min": ("The value must be at least {n}.", "តម្លៃត្រូវតែយ៉ាងតិច {n}។"),
    "above_max": ("The value must be at most {n}.", "តម្លៃត្រូវតែយ៉ាងច្រើន {n}។"),
    "invalid_reference": (
        "No {form_id} record with this ID was found.",
        "រកមិនឃើញកំណត់ត្រា {form_id} ដែលមានលេខសម្គាល់នេះទេ។",
    ),
    "wrong_reference_form": (
        "The record referred to is not a {form_id} record.",
        "កំណត់ត្រាដែលយោងមិនមែនជាកំណត់ត្រា {form_id} ទេ។",
    ),
    "duplicate_row_key": (
        "Another row carries the same {key}.",
        "មានជួរផ្សេងទៀតដែលមាន {key} ដូចគ្នា។",
    ),
    "invalid_location": (
        "A location code has 2, 4 or 6 digits (province, district, commune).",
        "លេខកូដទីតាំងមាន ២ ៤ ឬ ៦ ខ្ទង់ (ខេត្ត ស្រុក ឃុំ)។",
    ),
}

# type -> (English, Khmer) description for wrong_type
EXPECTED: dict[str, tuple[str, str]] = {
    "form": ("an object of fields", "វត្ថុ (object) នៃចំណុចទិន្នន័យ"),
    "text": ("a text", "អត្ថបទ"),
    "integer": ("a whole number", "ចំនួនគត់"),
    "decimal": ("a number", "លេខ"),
    "date": ("a date written YYYY-MM-DD", "កាលបរិច្ឆេទសរសេរជា YYYY-MM-DD"),
    "datetime": (
        "a date and time with a UTC offset (ISO 8601)",
        "កាលបរិច្ឆេទ និងម៉ោង ដែលមានតំបន់ម៉ោង (ISO 8601)",
    ),
    "select_one": ("the name of one choice", "ឈ្មោះជម្រើសមួយ"),
    "select_multiple": ("a list of choice names", "បញ្ជីឈ្មោះជម្រើស"),
    "yes_no": ('"yes" or "no"', '"yes" ឬ "no"'),
    "geopoint": (
        'a point {"lat", "lon", "accuracy"} (degrees, metres)',
        'ចំណុចភូមិសាស្ត្រ {"lat", "lon", "accuracy"} (ដឺក្រេ ម៉ែត្រ)',
    ),
    "photo": ("the SHA-256 (64 hex digits) of an attachment", "SHA-256 (៦៤ ខ្ទង់) នៃឯកសារភ្ជាប់"),
    "signature": (
        "the SHA-256 (64 hex digits) of an attachment",
        "SHA-256 (៦៤ ខ្ទង់) នៃឯកសារភ្ជាប់",
    ),
    "reference": ("a record ID (UUID)", "លេខសម្គាល់កំណត់ត្រា (UUID)"),
    "group": ("an object of fields", "វត្ថុ (object) នៃចំណុចទិន្នន័យ"),
    "repeat": ("a list of rows", "បញ្ជីជួរ"),
    "row": ("a row (an object of fields)", "ជួរមួយ (object)"),
    "row_key": ("a row ID (UUID)", "លេខសម្គាល់ជួរ (UUID)"),
}


def issue(path: str, code: str, *, message_code: str | None = None, **params: Any) -> Issue:
    en, km = MESSAGES[message_code or code]
    return Issue(path, code, en.format(**params), km.format(**params))


def _wrong_type(path: str, kind: str) -> Issue:
    en, km = EXPECTED[kind]
    return issue(path, "wrong_type", expected=en, expected_km=km)


def validate_submission(
    schema: FormSchema,
    data: Any,
    *,
    today: date,
    now: datetime,
    lookup_record: LookupRecord | None = None,
) -> ValidationResult:
    """Validate `data` against `schema`; see the module docstring and docs/forms.md."""
    if not isinstance(data, dict):
        return ValidationResult(errors=[_wrong_type("", "form")])
    run = _Run(schema, today, now, lookup_record)
    plan = run.plan
    typed = run.read_level(plan.nodes, plan.known, data, "")
    cleaned = run.settle(typed)
    errors = [e for e in run.read_errors if e.code == "unknown_field" or not run.dropped(e.path)]
    run.unreadable = {e.path for e in errors}
    errors += run.check_level(plan.nodes, cleaned, _NOWHERE, cleaned)
    result = ValidationResult(errors=errors, data=cleaned)
    result.attachments = sorted(set(_attachments_of(plan.nodes, cleaned)))
    location_issues, result.location = run.resolve_location(cleaned)
    result.errors += location_issues
    rule_errors, result.flags = run.apply_rules(cleaned)
    ruled = {e.path for e in rule_errors}
    # a rule's error replaces the form's own constraint at the same path (the tablet's copy)
    result.errors = [
        e for e in result.errors if not (e.code == "constraint_failed" and e.path in ruled)
    ]
    result.errors += rule_errors
    return result


class _Node:
    """One field of a schema, with what validating it needs worked out once (see `_Plan`)."""

    __slots__ = (
        "field", "name", "type", "path", "kind", "children", "known", "key", "max_length",
        "choice_names", "choice_rows", "relevant", "relevant_deps", "calculation",
        "calculation_deps", "constraint", "required", "choice_filter", "up", "down", "unread",
        "checked", "media",
    )  # fmt: skip

    def __init__(self, f: Field, path: str, children: tuple[_Node, ...]) -> None:
        self.field = f
        self.name = f.name
        self.type = f.type
        self.path = path
        # how settling treats it (the order of the tests in the original `settle_level`)
        self.kind = (
            _GROUP if f.type == "group"
            else _REPEAT if f.type == "repeat"
            else _CALCULATED if f.calculation is not None
            else _PLAIN
        )  # fmt: skip
        self.unread = f.type in {"note", "calculate"}
        self.checked = False  # whether a value has more than its presence checked
        self.media = False
        self.children = children
        self.known = {c.name: c for c in children}
        self.key = f.key_of_rows
        self.max_length = f.text_max_length
        self.choice_names: frozenset[str] = frozenset()
        self.choice_rows: dict[str, dict[str, Any]] = {}
        self.relevant: Compiled | None = None
        self.calculation: Compiled | None = None
        self.constraint: Compiled | None = None
        self.required: bool | Compiled = f.required if isinstance(f.required, bool) else False
        self.choice_filter: Compiled | None = None
        self.relevant_deps: frozenset[str] = frozenset()
        self.calculation_deps: frozenset[str] = frozenset()
        self.up: frozenset[str] = frozenset()
        self.down: frozenset[str] = frozenset()


class _Plan:
    """What validating against one schema needs, worked out once per schema object.

    The field tree with each expression compiled, the name index, the dependencies of
    relevance and calculations (to reuse a result while what it reads has not changed), the
    choice names and rows. A `FormSchema` is treated as immutable once validated against (a
    published version is).
    """

    def __init__(self, schema: FormSchema) -> None:
        self.schema = schema
        self.identity = _identity(schema)
        infos = list(walk(schema.fields))
        self.repeats = {i.path for i in infos if i.field.type == "repeat"}
        self.by_name: dict[str, list[str]] = {}
        for info in infos:
            self.by_name.setdefault(info.field.name, []).append(info.path)
        self.iterations = len(self.by_name) + 2
        # name -> (tree, where) -> raw value, for the names that denote exactly one field
        getters = {
            name: _getter(paths[0], self.repeats)
            for name, paths in self.by_name.items()
            if len(paths) == 1
        }
        self.getters = {k: v for k, v in getters.items() if "." not in k}
        self.dotted_getters = {k: v for k, v in getters.items() if "." in k}
        self.read_paths: set[str] = set()  # the fields some relevance or calculation reads
        self.nodes = tuple(self._node(f, "", ()) for f in schema.fields)
        self.known = {n.name: n for n in self.nodes}
        self.location_field = (
            schema.field_at(schema.location_field) if schema.location_field is not None else None
        )
        self.rules = [(rule, _compile_bool_safely(rule.when)) for rule in schema.rules]

    def _node(self, f: Field, prefix: str, ancestors: tuple[str, ...]) -> _Node:
        path = prefix + f.name
        children = tuple(self._node(c, path + ".", (*ancestors, path)) for c in f.fields or [])
        node = _Node(f, path, children)
        if f.type in {"select_one", "select_multiple"}:
            choices = self.schema.choices_for(f)
            node.choice_names = frozenset(c.name for c in choices)
            node.choice_rows = {c.name: _choice_row(c) for c in choices}
        if f.relevant:
            node.relevant = _compile_bool_safely(f.relevant)
            node.relevant_deps = self._dependencies(f.relevant)
            self.read_paths |= node.relevant_deps
        if f.calculation is not None:
            node.calculation = _compile_safely(f.calculation)
            node.calculation_deps = self._dependencies(f.calculation)
            self.read_paths |= node.calculation_deps
        if f.constraint:
            node.constraint = _compile_bool_safely(f.constraint)
        if isinstance(f.required, str):
            node.required = _compile_bool_safely(f.required)
        if f.choice_filter:
            node.choice_filter = _compile_bool_safely(f.choice_filter)
        node.checked = bool(f.constraint or f.choice_filter or f.type == "reference")
        # a photo or a signature, or a group or repeat holding one
        node.media = f.type in {"photo", "signature"} or any(c.media for c in children)
        below = {info.path for info in walk(f.fields or [], path + ".")}
        node.up = frozenset({path, *ancestors})
        node.down = node.up | below
        return node

    def _dependencies(self, source: str) -> frozenset[str]:
        """The paths of the fields `source` reads (a name that is not one field's never reads)."""
        try:
            names = references(source)
        except ExpressionError:
            return frozenset()
        return frozenset(self.by_name[n][0] for n in names if len(self.by_name.get(n, [])) == 1)


_PLANS: dict[int, tuple[FormSchema, _Plan]] = {}
_PLANS_MAX = 64
_PLANS_LOCK = threading.Lock()


def _identity(schema: FormSchema) -> tuple[int, ...]:
    return tuple(map(id, (schema.fields, schema.choice_lists, schema.rules, schema.location_field)))


def _plan_for(schema: FormSchema) -> _Plan:
    entry = _PLANS.get(id(schema))
    if entry is not None and entry[0] is schema and entry[1].identity == _identity(schema):
        return entry[1]
    plan = _Plan(schema)
    with _PLANS_LOCK:
        if len(_PLANS) >= _PLANS_MAX:
            _PLANS.pop(next(iter(_PLANS)))
        _PLANS[id(schema)] = (schema, plan)
    return plan


def _compile_safely(source: str) -> Compiled:
    """`source` compiled; a source that does not parse fails each time it is evaluated."""
    try:
        return _compiled(source)
    except ExpressionError:

        def fail(scope: Any) -> Any:
            return _compiled(source)(scope)  # raises a new ExpressionError each time

        return fail


def _compile_bool_safely(source: str) -> Compiled:
    try:
        return _compile_bool(source)
    except ExpressionError:
        return _compile_safely(source)


def _getter(path: str, repeats: set[str]) -> Callable[[dict[str, Any], dict[str, int]], Any]:
    """`_Run.value_at` for one path, specialised: (tree, where) -> the value seen from `where`."""
    segs = path.split(".")
    prefixes = [".".join(segs[: i + 1]) for i in range(len(segs))]
    if not any(p in repeats for p in prefixes[:-1]):
        if len(segs) == 1:
            (s0,) = segs
            return lambda tree, where: tree.get(s0) if isinstance(tree, dict) else None
        if len(segs) == 2:
            s0, s1 = segs

            def get2(tree: Any, where: dict[str, int]) -> Any:
                node = tree.get(s0) if isinstance(tree, dict) else None
                return node.get(s1) if isinstance(node, dict) else None

            return get2

        def get(tree: Any, where: dict[str, int]) -> Any:
            node = tree
            for seg in segs:
                node = node.get(seg) if isinstance(node, dict) else None
            return node

        return get
    last = len(segs) - 1
    is_repeat = [p in repeats for p in prefixes]

    def descend(node: Any, i: int, where: dict[str, int]) -> tuple[Any, bool]:
        child = node.get(segs[i]) if isinstance(node, dict) else None
        if i == last:
            return child, False
        if not is_repeat[i]:
            return descend(child, i + 1, where)
        here = prefixes[i]
        rows = child if isinstance(child, list) else []
        if here in where:
            row = rows[where[here]] if where[here] < len(rows) else None
            return descend(row, i + 1, where)
        values: list[Any] = []
        for row in rows:
            value, many = descend(row, i + 1, where)
            values.extend(value if many else [value])
        return values, True

    return lambda tree, where: descend(tree, 0, where)[0]


class _Scope:
    """The context expressions are evaluated in, reused for every evaluation of one run."""

    __slots__ = ("lookup", "current", "today", "now", "tree", "where", "getters", "dotted_getters")

    def __init__(self, plan: _Plan, today: date, now: datetime) -> None:
        self.lookup = self._lookup
        self.current: Any = None
        self.today = today
        self.now = now
        self.tree: dict[str, Any] = {}
        self.where: dict[str, int] = _NOWHERE
        self.getters = plan.getters
        self.dotted_getters = plan.dotted_getters

    def _lookup(self, name: str) -> Any:
        getter = self.getters.get(name)  # names without a dot: never a choice row's column
        if getter is not None:
            value = getter(self.tree, self.where)
            return _for_expression(value) if isinstance(value, dict) else value
        current = self.current
        if isinstance(current, dict) and name.startswith(CHOICE_REF_PREFIX):
            return current.get(name[len(CHOICE_REF_PREFIX) :])  # a choice row's column
        getter = self.dotted_getters.get(name)  # (not a valid field name, but a name)
        if getter is None:
            raise KeyError(name)  # unknown, or the name of several fields
        return _for_expression(getter(self.tree, self.where))


_GROUP, _REPEAT, _CALCULATED, _PLAIN = range(4)
_NOWHERE: dict[str, int] = {}
_EMPTY: dict[str, Any] = {}
_MISSING: Any = object()


class _Run:
    """The state of one validation: the schema's plan and the issues met while reading."""

    def __init__(
        self, schema: FormSchema, today: date, now: datetime, lookup_record: LookupRecord | None
    ) -> None:
        self.schema = schema
        self.plan = plan = _plan_for(schema)
        self.today = today
        self.now = now
        self.lookup_record = lookup_record
        self.read_errors: list[Issue] = []
        self.irrelevant: set[str] = set()
        self.unreadable: set[str] = set()
        self.repeats = plan.repeats
        self.by_name = plan.by_name
        self.scope = _Scope(plan, today, now)
        # settling: results of the previous pass and what changed in it (see `settle`)
        self.relevance: dict[str, bool] = {}
        self.calculated: dict[str, Any] = {}
        self.last_relevance: dict[str, bool] | None = None
        self.last_calculated: dict[str, Any] = {}
        self.changed: set[str] = set()
        self.changes: set[str] = set()

    # --- 1. reading -------------------------------------------------------------------------

    def read_level(
        self, nodes: tuple[_Node, ...], known: dict[str, _Node], level: dict[str, Any], prefix: str
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in level:
            if key not in known:
                self.read_errors.append(
                    issue(
                        prefix + key,
                        "unknown_field",
                        form_id=self.schema.form_id,
                        version=self.schema.version,
                    )
                )
        for node in nodes:
            name = node.name
            value = level.get(name)
            # _is_empty(value), or a note or a calculate (the client's value is not read)
            if value is None or node.unread or value == "" or value == []:
                continue
            path = prefix + name
            kind = node.kind
            if kind == _GROUP:
                if isinstance(value, dict):
                    out[name] = self.read_level(node.children, node.known, value, path + ".")
                else:
                    self.read_errors.append(_wrong_type(path, "group"))
            elif kind == _REPEAT:
                rows = self.read_rows(node, value, path)
                if rows is not None:
                    out[name] = rows
            else:
                problem, clean = self.read_value(node, value, path)
                if problem is not None:
                    self.read_errors.append(problem)
                else:
                    out[name] = clean
        return out

    def read_rows(self, node: _Node, value: Any, path: str) -> list[dict[str, Any]] | None:
        if not isinstance(value, list):
            self.read_errors.append(_wrong_type(path, "repeat"))
            return None
        key = node.key
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        for i, row in enumerate(value):
            row_path = f"{path}.{i}"
            if not isinstance(row, dict):
                self.read_errors.append(_wrong_type(row_path, "row"))
                rows.append({})
                continue
            row_id = row.get(key)
            body = {k: v for k, v in row.items() if k != key}
            clean = self.read_level(node.children, node.known, body, row_path + ".")
            if row_id is None:
                self.read_errors.append(issue(f"{row_path}.{key}", "required"))
            elif not _is_uuid(row_id):
                self.read_errors.append(_wrong_type(f"{row_path}.{key}", "row_key"))
            elif row_id in seen:
                self.read_errors.append(issue(f"{row_path}.{key}", "duplicate_row_key", key=key))
            else:
                seen.add(row_id)
                clean = {key: row_id, **clean}
            rows.append(clean)
        return rows

    def read_value(self, node: _Node, value: Any, path: str) -> tuple[Issue | None, Any]:
        """(problem, cleaned value) for a leaf field: type, static choices, length, range."""
        t = node.type
        if t == "text":
            if not isinstance(value, str):
                return _wrong_type(path, t), None
            if len(value) > node.max_length:
                return issue(path, "too_long", n=node.max_length), None
            return None, value
        if t in {"integer", "decimal"}:
            f = node.field
            number = _as_number(value, integer=t == "integer")
            if number is None:
                return _wrong_type(path, t), None
            if f.min is not None and number < f.min:
                return issue(path, "out_of_range", message_code="below_min", n=_num(f.min)), None
            if f.max is not None and number > f.max:
                return issue(path, "out_of_range", message_code="above_max", n=_num(f.max)), None
            return None, number
        if t == "date":
            return (None, value) if _is_date(value) else (_wrong_type(path, t), None)
        if t == "datetime":
            return (None, value) if _is_datetime(value) else (_wrong_type(path, t), None)
        if t == "yes_no":
            return (None, value) if value in ("yes", "no") else (_wrong_type(path, t), None)
        if t in {"select_one", "select_multiple"}:
            return self.read_choice(node, value, path)
        if t == "geopoint":
            return (None, value) if _is_geopoint(value) else (_wrong_type(path, t), None)
        if t in {"photo", "signature"}:
            ok = isinstance(value, str) and _SHA256.match(value)
            return (None, value) if ok else (_wrong_type(path, t), None)
        if t == "reference":
            return (None, value) if _is_uuid(value) else (_wrong_type(path, t), None)
        raise AssertionError(f"unhandled field type {t}")  # pragma: no cover

    def read_choice(self, node: _Node, value: Any, path: str) -> tuple[Issue | None, Any]:
        names = node.choice_names
        if node.type == "select_one":
            if not isinstance(value, str):
                return _wrong_type(path, "select_one"), None
            if value not in names:
                return issue(path, "invalid_choice", value=value), None
            return None, value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return _wrong_type(path, "select_multiple"), None
        for v in value:
            if v not in names:
                return issue(path, "invalid_choice", value=v), None
        if len(set(value)) != len(value):
            return issue(path, "invalid_choice", value=_first_duplicate(value)), None
        return None, value

    # --- 2. relevance and calculations --------------------------------------------------------

    def settle(self, typed: dict[str, Any]) -> dict[str, Any]:
        """Drop non-relevant values and recompute calculations until nothing changes.

        Each pass reads the tree the previous pass made (the first reads `typed`). A pass
        reuses the previous pass's result for a relevance or a calculation when none of the
        fields it reads changed in the previous pass (same types and values, row for row): the
        expression would compute exactly the same. `changes` collects, during a pass, the paths
        of the fields whose value differs from the tree it read (and their enclosing groups
        and repeats; a group or repeat appearing or vanishing counts for everything in it).
        When no relevance or calculation reads any of them, the next pass would reuse every
        result and make the same tree again, so it would stop there: it is not made.
        (The passes are kept rather than one pass in dependency order: the result is the tree
        at which they stop, which `==` decides, and `1 == 1.0 == True`.)
        """
        tree = typed
        self.last_relevance = None  # nothing to reuse in the first pass
        for _ in range(self.plan.iterations):
            self.irrelevant = set()
            self.relevance, self.calculated, self.changes = {}, {}, set()
            new = self.settle_level(self.plan.nodes, typed, "", _NOWHERE, tree, tree)
            if new == tree:
                break
            tree = new
            if self.changes.isdisjoint(self.plan.read_paths):
                break
            self.last_relevance, self.last_calculated = self.relevance, self.calculated
            self.changed = self.changes
        return tree

    def settle_level(
        self,
        nodes: tuple[_Node, ...],
        level: dict[str, Any],
        data_prefix: str,
        where: dict[str, int],
        tree: dict[str, Any],
        old: dict[str, Any],
    ) -> dict[str, Any]:
        """One level of a pass: `level` is from `typed`, `old` the same place in `tree`."""
        out: dict[str, Any] = {}
        changes = self.changes
        last_relevance = self.last_relevance  # None in the first pass: nothing to reuse
        reuse = last_relevance is not None
        changed = self.changed
        for node in nodes:
            name = node.name
            if node.relevant is not None:
                data_path = data_prefix + name
                if (
                    last_relevance is not None
                    and data_path in last_relevance
                    and node.relevant_deps.isdisjoint(changed)
                ):
                    relevant = last_relevance[data_path]
                else:
                    relevant = self.holds(node.relevant, tree, where, True)
                self.relevance[data_path] = relevant
                if not relevant:
                    self.irrelevant.add(data_path)
                    if name in old:
                        changes.update(node.down)
                    continue
            kind = node.kind
            if kind == _PLAIN:
                if name in level:
                    value = level[name]
                    out[name] = value
                    was = old.get(name, _MISSING)
                    if was is not value and not _same(was, value):
                        changes.update(node.up)
                elif name in old:
                    changes.update(node.up)
            elif kind == _CALCULATED:
                data_path = data_prefix + name
                if (
                    reuse
                    and data_path in self.last_calculated
                    and node.calculation_deps.isdisjoint(changed)
                ):
                    value = self.last_calculated[data_path]
                else:
                    calculation = node.calculation
                    assert calculation is not None
                    value = _fit(node.field, self.compute(calculation, tree, where))
                self.calculated[data_path] = value
                was = old.get(name, _MISSING)
                if value is not None:
                    out[name] = value
                    if was is not value and not _same(was, value):
                        changes.update(node.up)
                elif was is not _MISSING:
                    changes.update(node.up)
            elif kind == _GROUP:
                inside = old.get(name)
                inner = self.settle_level(
                    node.children,
                    level.get(name) or {},
                    data_prefix + name + ".",
                    where,
                    tree,
                    inside if isinstance(inside, dict) else _EMPTY,
                )
                if inner:
                    out[name] = inner
                if (name in out) != (name in old):
                    changes.update(node.up)
            else:  # a repeat
                if name not in level:
                    if name in old:
                        changes.update(node.down)
                    continue
                old_rows = old.get(name)
                rows = level[name]
                aligned = isinstance(old_rows, list) and len(old_rows) == len(rows)
                if not aligned:
                    changes.update(node.down)
                key = node.key
                new_rows = []
                for i, row in enumerate(rows):
                    was_row = old_rows[i] if aligned else _EMPTY  # type: ignore[index]
                    if not isinstance(was_row, dict):
                        changes.update(node.down)
                        was_row = _EMPTY
                    inner = self.settle_level(
                        node.children,
                        row,
                        f"{data_prefix}{name}.{i}.",
                        {**where, node.path: i},
                        tree,
                        was_row,
                    )
                    new_rows.append({key: row[key], **inner} if key in row else inner)
                out[name] = new_rows
        return out

    def dropped(self, data_path: str) -> bool:
        """Whether `data_path` or a path enclosing it was found not relevant."""
        irrelevant = self.irrelevant
        if not irrelevant:
            return False
        if data_path in irrelevant:
            return True
        dot = data_path.find(".")
        while dot >= 0:
            if data_path[:dot] in irrelevant:
                return True
            dot = data_path.find(".", dot + 1)
        return False

    # --- 3. checks on what remains --------------------------------------------------------

    def check_level(
        self,
        nodes: tuple[_Node, ...],
        level: dict[str, Any],
        where: dict[str, int],
        tree: dict[str, Any],
        data_prefix: str = "",
    ) -> list[Issue]:
        found: list[Issue] = []
        irrelevant = self.irrelevant
        for node in nodes:
            if node.unread:  # a note or a calculate
                continue
            name = node.name
            data_path = data_prefix + name
            # Only called inside a level that is not dropped (and a field is never called like
            # a row number), so `dropped(data_path)` comes down to this:
            if data_path in irrelevant:
                continue
            value = level.get(name)
            kind = node.kind
            if kind == _GROUP:
                found += self.check_level(node.children, value or {}, where, tree, data_path + ".")
            elif kind == _REPEAT:
                found += self.check_rows(node, value or [], data_path, where, tree)
            elif node.checked or value is None or value == "" or value == []:
                # (a value with no constraint, choice filter or reference to check passes)
                found += self.check_value(node, value, data_path, where, tree)
        return found

    def check_rows(
        self,
        node: _Node,
        rows: list[dict[str, Any]],
        data_path: str,
        where: dict[str, int],
        tree: dict[str, Any],
    ) -> list[Issue]:
        found: list[Issue] = []
        f = node.field
        if f.min_count is not None and len(rows) < f.min_count:
            found.append(issue(data_path, "too_few_rows", n=f.min_count))
        if f.max_count is not None and len(rows) > f.max_count:
            found.append(issue(data_path, "too_many_rows", n=f.max_count))
        for i, row in enumerate(rows):
            found += self.check_level(
                node.children, row, {**where, node.path: i}, tree, f"{data_path}.{i}."
            )
        return found

    def check_value(
        self, node: _Node, value: Any, data_path: str, where: dict[str, int], tree: dict[str, Any]
    ) -> list[Issue]:
        f = node.field
        if _is_empty(value):
            if data_path in self.unreadable:
                return []  # already reported as wrong_type, invalid_choice, too_long...
            required = node.required
            if not isinstance(required, bool):
                required = self.holds(required, tree, where, default=False)
            is_required = required and f.calculation is None
            return [issue(data_path, "required")] if is_required else []
        found: list[Issue] = []
        if node.constraint is not None and not self.holds(
            node.constraint, tree, where, True, current=value
        ):
            msg = f.constraint_message
            if msg is None:
                found.append(issue(data_path, "constraint_failed"))
            else:
                found.append(Issue(data_path, "constraint_failed", msg.en, msg.km))
        if node.choice_filter is not None:
            found += self.check_choice_filter(node, value, data_path, where, tree)
        if f.type == "reference" and f.reference is not None and self.lookup_record:
            record = self.lookup_record(f.reference.form_id, value)
            if record is None:
                found.append(issue(data_path, "invalid_reference", form_id=f.reference.form_id))
            elif record.get("form_id") != f.reference.form_id:
                found.append(
                    issue(
                        data_path,
                        "invalid_reference",
                        message_code="wrong_reference_form",
                        form_id=f.reference.form_id,
                    )
                )
        return found

    def check_choice_filter(
        self, node: _Node, value: Any, data_path: str, where: dict[str, int], tree: dict[str, Any]
    ) -> list[Issue]:
        """A chosen value must pass the field's choice_filter, where the server can evaluate it.

        The filter is evaluated once per chosen choice, with the choice row (`name` and its
        `filter` properties) as `current`: bare names read its columns, as in XLSForm.
        """
        rows = node.choice_rows
        choice_filter = node.choice_filter
        assert choice_filter is not None
        for name in value if isinstance(value, list) else [value]:
            row = rows[name]
            if not self.holds(choice_filter, tree, where, True, current=row):
                return [
                    issue(data_path, "invalid_choice", message_code="filtered_choice", value=name)
                ]
        return []

    # --- expressions -----------------------------------------------------------------------

    def value_at(self, tree: dict[str, Any], path: str, where: dict[str, int]) -> Any:
        """A field's value seen from a position: same row inside its repeat, else all rows."""
        value, _ = self._descend(tree, path.split("."), 0, "", where)
        return value

    def _descend(
        self, node: Any, segs: list[str], i: int, prefix: str, where: dict[str, int]
    ) -> tuple[Any, bool]:
        here = prefix + segs[i]
        child = node.get(segs[i]) if isinstance(node, dict) else None
        if i == len(segs) - 1:
            return child, False
        if here not in self.repeats:
            return self._descend(child, segs, i + 1, here + ".", where)
        rows = child if isinstance(child, list) else []
        if here in where:
            row = rows[where[here]] if where[here] < len(rows) else None
            return self._descend(row, segs, i + 1, here + ".", where)
        values: list[Any] = []
        for row in rows:
            value, many = self._descend(row, segs, i + 1, here + ".", where)
            values.extend(value if many else [value])
        return values, True

    def holds(
        self,
        compiled: Compiled,
        tree: dict[str, Any],
        where: dict[str, int],
        default: bool,
        current: Any = None,
    ) -> bool:
        """A compiled boolean expression's value here; `default` when it cannot be evaluated."""
        scope = self.scope
        scope.tree, scope.where, scope.current = tree, where, current
        try:
            return bool(compiled(scope))
        except _EVAL_ERRORS:
            return default

    def compute(self, compiled: Compiled, tree: dict[str, Any], where: dict[str, int]) -> Any:
        scope = self.scope
        scope.tree, scope.where, scope.current = tree, where, None
        try:
            return compiled(scope)
        except _EVAL_ERRORS:
            return None

    # --- 4. location and rules ---------------------------------------------------------------

    def resolve_location(self, data: dict[str, Any]) -> tuple[list[Issue], str | None]:
        """The location code deciding the record's scope (None: the creator's scope)."""
        path = self.schema.location_field
        if path is None:
            return [], None
        loc_field = self.plan.location_field
        value = self.value_at(data, path, {})
        if _is_empty(value) or loc_field is None or self.dropped(path):
            return [], None
        if loc_field.type == "reference":
            if self.lookup_record is None or loc_field.reference is None:
                return [], None
            record = self.lookup_record(loc_field.reference.form_id, value)
            location = record.get("location") if record else None
            return [], location if isinstance(location, str) else None
        if not isinstance(value, str) or not _LOCATION_CODE.match(value):
            return [issue(path, "invalid_location")], None
        return [], value

    def apply_rules(self, data: dict[str, Any]) -> tuple[list[Issue], list[Issue]]:
        from app.forms.rules import check_domain_rules  # rules.py imports Issue from here

        errors: list[Issue] = []
        flags: list[Issue] = []
        for rule, when in self.plan.rules:
            if self.holds(when, data, _NOWHERE, default=False):
                found = Issue(
                    rule.path, rule.issue_code, rule.message.en, rule.message.km, rule.urgent
                )
                (errors if rule.kind == "refuse" else flags).append(found)
        domain_errors, domain_flags = check_domain_rules(
            self.schema.form_id, data, lookup_record=self.lookup_record
        )
        return errors + domain_errors, flags + domain_flags


# --- small pure helpers ----------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return str(uuid.UUID(value)) == value  # canonical: lowercase, hyphenated
    except ValueError:
        return False


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
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _is_geopoint(value: Any) -> bool:
    if not isinstance(value, dict) or not {"lat", "lon", "accuracy"} <= set(value):
        return False
    if not set(value) <= {"lat", "lon", "accuracy", "altitude"}:
        return False
    numbers = {k: _as_number(v, integer=False) for k, v in value.items()}
    if any(n is None for n in numbers.values()):
        return False
    lat, lon, acc = numbers["lat"], numbers["lon"], numbers["accuracy"]
    assert lat is not None and lon is not None and acc is not None
    return -90 <= lat <= 90 and -180 <= lon <= 180 and acc >= 0


def _first_duplicate(values: list[str]) -> str:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            return v
        seen.add(v)
    return ""  # pragma: no cover


def _choice_row(choice: Choice) -> dict[str, Any]:
    return {**(choice.filter or {}), "name": choice.name}


def _for_expression(value: Any) -> Any:
    """A geopoint reads as ODK's "lat lon altitude accuracy"; other values pass unchanged."""
    if isinstance(value, dict) and "lat" in value:
        return " ".join(str(value.get(k, 0)) for k in ("lat", "lon", "altitude", "accuracy"))
    return value


def _same(a: Any, b: Any) -> bool:
    """Same type and value, all the way down (so an expression reading either sees the same;
    `-0.0` is not `0.0`, `1` is not `1.0` nor `True`); NaN is never the same (to be safe)."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is float:
        return bool(a == b and math.copysign(1.0, a) == math.copysign(1.0, b))
    if kind is list or kind is tuple:
        return len(a) == len(b) and all(map(_same, a, b))
    if kind is dict:
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _fit(f: Field, value: Any) -> Any:
    """A computed value in the field's type; None when empty or not a finite number."""
    if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if f.type in {"integer", "calculate"} and isinstance(value, float) and value.is_integer():
        return int(value)
    if f.type == "text" and not isinstance(value, str):
        return str(value)
    return value


def _attachments_of(nodes: tuple[_Node, ...], level: dict[str, Any]) -> Iterator[str]:
    """The attachments named in `level`: photos and signatures, in groups and repeats too."""
    for node in nodes:
        if not node.media:
            continue
        value = level.get(node.name)
        if value is None:
            continue
        if node.kind == _GROUP:
            yield from _attachments_of(node.children, value)
        elif node.kind == _REPEAT:
            for row in value:
                yield from _attachments_of(node.children, row)
        else:
            yield value
