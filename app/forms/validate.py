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
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from app.forms.expressions import (
    Compiled,
    ExpressionError,
    TreeField,
    _compiled,
    _normalize,
    _to_bool,
    compile_resolved,
    references,
)
from app.forms.issues import Issue, LookupRecord, issue, wrong_type
from app.forms.rules import check_domain_rules
from app.forms.schema import CHOICE_REF_PREFIX, Choice, Field, FormSchema, walk

Position = tuple[tuple[str, int], ...]

_EVAL_ERRORS = (ExpressionError, KeyError, TypeError, ValueError, ArithmeticError, IndexError)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOCATION_CODE = re.compile(r"^\d{2}(\d{2}){0,2}$")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_GEOPOINT_NEEDS = frozenset({"lat", "lon", "accuracy"})
_GEOPOINT_KEYS = frozenset({"lat", "lon", "accuracy", "altitude"})


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
        return ValidationResult(errors=[wrong_type("", "form")])
    run = _Run(schema, today, now, lookup_record)
    plan = run.plan
    typed = run.read_level(plan.reads, plan.names, data, "", {})
    cleaned = run.settle(typed)
    errors = run.read_errors
    if errors:
        errors = [e for e in errors if e.code == "unknown_field" or not run.dropped(e.path)]
        run.unreadable = {e.path for e in errors}
    run.check_level(plan.checks, cleaned, _NOWHERE, cleaned, "", errors)
    if plan.attachments_as_read:
        attachments = sorted(set(run.attachments))
    else:
        attachments = sorted(set(_attachments_of(plan.nodes, cleaned)))
    location_issues, location = run.resolve_location(cleaned)
    errors += location_issues
    rule_errors, flags = run.apply_rules(cleaned)
    if rule_errors:
        ruled = {e.path for e in rule_errors}
        # a rule's error replaces the form's own constraint at the same path (the tablet's copy)
        errors = [e for e in errors if not (e.code == "constraint_failed" and e.path in ruled)]
        errors += rule_errors
    return ValidationResult(
        errors=errors, flags=flags, data=cleaned, attachments=attachments, location=location
    )


class _Node:
    """One field of a schema, with what validating it needs worked out once (see `_Plan`)."""

    __slots__ = (
        "field", "name", "type", "path", "kind", "children", "known", "names", "readable",
        "read", "key", "max_length", "choice_names", "choice_rows", "relevant",
        "relevant_deps", "calculation", "calculation_deps", "constraint", "required",
        "choice_filter", "up", "down", "unread", "checked", "media", "dynamic", "shared",
        "may_fail", "checks", "accepted", "low", "high", "inside", "order", "integral", "later",
        "work", "reads", "reference_form", "data_path", "dot",
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
        self.read = None if f.type in {"group", "repeat"} else _READERS.get(f.type, _read_any)
        self.checked = False  # whether a value has more than its presence checked
        self.media = False
        self.children = children
        self.known = {c.name: c for c in children}
        self.key = f.key_of_rows
        # the form a reference's record must be of (None: not a reference)
        self.reference_form = (
            f.reference.form_id if f.type == "reference" and f.reference is not None else None
        )
        # the names a level of it may hold (a row holds its key too); the children read
        self.names = frozenset({*self.known, self.key} if f.type == "repeat" else self.known)
        self.readable = tuple(c for c in children if not c.unread)
        self.reads: tuple[_Read, ...] = ()  # (see `_reads`)
        self.max_length = f.text_max_length
        self.choice_names: frozenset[str] = frozenset()
        self.choice_rows: dict[str, dict[str, Any]] = {}
        # the names a select_one's or a yes_no's value may be, what an integer may be
        self.accepted = frozenset({"yes", "no"}) if f.type == "yes_no" else self.choice_names
        self.low = -math.inf if f.min is None else f.min
        self.high = math.inf if f.max is None else f.max
        self.relevant: Compiled | None = None
        self.calculation: Compiled | None = None
        self.constraint: Compiled | None = None
        self.required: bool | Compiled = f.required if isinstance(f.required, bool) else False
        self.choice_filter: Compiled | None = None
        self.relevant_deps: frozenset[str] = frozenset()
        self.calculation_deps: frozenset[str] = frozenset()
        self.up: frozenset[str] = frozenset()
        self.down: frozenset[str] = frozenset()
        self.inside = path.rpartition(".")[0]  # the path of its group or repeat ("": none)
        # its data path, and that followed by a dot, when it is in no repeat ("": in one, where
        # the data path holds the row's number; see `_Plan._node`)
        self.data_path = path
        self.dot = path + "."
        self.later: tuple[str, ...] = ()  # the names of the fields after it in its level
        # the fields in it that are not plain (a relevance, a calculation, a group or repeat)
        self.work: tuple[_Node, ...] = ()  # (see `_work`)
        self.integral = f.type in {"integer", "calculate"}  # a computed 2.0 is written 2
        self.order = 0  # its place in the schema, depth first
        self.dynamic = False  # a relevance or a calculation in it (or itself)
        self.shared = False  # settled, a group or repeat is as read (see `_Plan._node`)
        self.may_fail = False  # whether checking it (step 3) can raise an issue
        self.checks = _Checks(())


class _Checks:
    """The fields of one level that checking (step 3) looks at: the others raise no issue.

    `present`: those that are only required (no constraint, choice filter, reference or
    calculation); one with a value passes (settled data holds no empty value), so when the
    level holds them all only `rest` remain to check, in the same order.
    """

    __slots__ = ("nodes", "present", "rest")

    def __init__(self, children: tuple[_Node, ...]) -> None:
        self.nodes = tuple(c for c in children if c.may_fail)
        present = [c for c in self.nodes if _only_required(c)]
        self.present = frozenset(c.name for c in present)
        self.rest = tuple(c for c in self.nodes if c not in present)

    def passes(self, level: dict[str, Any]) -> bool:
        """Whether `level` (settled) passes with nothing more to check."""
        return not self.rest and level.keys() >= self.present


def _put(level: dict[str, Any], node: _Node, value: Any) -> None:
    """Set (`_MISSING`: remove) `node`'s value in `level`, whose keys are in the fields' order."""
    name = node.name
    if value is _MISSING:
        level.pop(name, None)
    elif name in level:
        level[name] = value
    else:  # added last: the fields after it go after it again
        level[name] = value
        for later in node.later:
            if later in level:
                level[later] = level.pop(later)


# How `read_level` reads a field: (name, fast, a, b, node). `fast` says which common values
# pass at once, as the field's reader would pass them: an int from `a` to `b` (_INTEGER); a str
# in `a` (_NAME: a choice's name, "yes" or "no"); a str of 1 to `a` characters (_TEXT); a str
# `a(value)` is true for (_MATCH: a date, a record ID; _ATTACHMENT: a photo's or a signature's
# SHA-256, also noted in `_Run.attachments`). Any other value (and any of another type: 0) goes
# to `node.read`, or is a group's or a repeat's.
_Read = tuple[str, int, Any, Any, _Node]
_INTEGER, _NAME, _TEXT, _MATCH, _ATTACHMENT = 1, 2, 3, 4, 5


def _reads(nodes: tuple[_Node, ...]) -> tuple[_Read, ...]:
    return tuple(_read_spec(node) for node in nodes)


def _read_spec(node: _Node) -> _Read:
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
    return (node.name, 0, None, None, node)


def _below(node: _Node) -> Iterator[_Node]:
    """The fields in `node`, at any depth."""
    for child in node.children:
        yield child
        yield from _below(child)


def _attachments_kept(nodes: tuple[_Node, ...]) -> bool:
    """Whether no photo or signature in `nodes` has a relevance or a calculation, nor is in a
    group or repeat with a relevance."""
    for node in nodes:
        if node.media and (node.relevant is not None or node.calculation is not None):
            return False
        if node.media and not _attachments_kept(node.children):
            return False
    return True


def _work(nodes: tuple[_Node, ...]) -> tuple[_Node, ...]:
    """Those of `nodes` (a level's fields) that settling may change, in their order: the
    fields with a relevance or a calculation, the groups, and the repeats but those it keeps
    as they are (a `shared` repeat)."""
    return tuple(
        n
        for n in nodes
        if n.relevant is not None
        or n.kind == _CALCULATED
        or n.kind == _GROUP
        or (n.kind == _REPEAT and not n.shared)
    )


def _preorder(node: _Node) -> int:
    return node.order


def _only_required(node: _Node) -> bool:
    return node.kind == _PLAIN and node.required is True and not node.checked and not node.unread


def _may_fail(node: _Node) -> bool:
    """Whether `check_level` can find an issue at `node` (or in it)."""
    f = node.field
    if node.unread:
        return False
    if node.kind == _GROUP:
        return bool(node.checks.nodes)
    if node.kind == _REPEAT:
        return f.min_count is not None or f.max_count is not None or bool(node.checks.nodes)
    return node.checked or (node.required is not False and f.calculation is None)


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
        # name -> `${name}` compiled to read the scope's tree (see `_reference`)
        self.references = {
            name: _reference(self.by_name[name][0], self.repeats, getter)
            for name, getter in self.getters.items()
        }
        self.read_paths: set[str] = set()  # the fields some relevance or calculation reads
        self.nodes = tuple(self._node(f, "", ()) for f in schema.fields)
        for i, node in enumerate(self.nodes):
            node.later = tuple(n.name for n in self.nodes[i + 1 :])
        # a field's path -> the fields with a relevance or calculation reading it, and the
        # groups and repeats enclosing them (where a later pass looks again when it changed)
        self.watchers: dict[str, frozenset[_Node]] = {}
        self.count = 0  # the fields numbered so far (`_Node.order`)
        self._watch(self.nodes, ())
        self.walks: dict[frozenset[str], dict[str, list[_Node]]] = {}
        self.known = {n.name: n for n in self.nodes}
        self.names = frozenset(self.known)
        self.readable = tuple(n for n in self.nodes if not n.unread)
        self.reads = _reads(self.readable)
        self.work = _work(self.nodes)
        self.checks = _Checks(self.nodes)
        # Settling keeps every photo and signature read when none has a relevance or a
        # calculation, or is in a group or repeat with a relevance (an attachment is in a
        # group, which is then not empty, or a row, which is kept).
        self.attachments_as_read = _attachments_kept(self.nodes)
        self.location_field = (
            schema.field_at(schema.location_field) if schema.location_field is not None else None
        )
        self.rules = [(rule, self.compile(rule.when)) for rule in schema.rules]
        self.location_getter = _getter(schema.location_field or "", self.repeats)
        self.check_domain_rules = check_domain_rules

    def _node(self, f: Field, prefix: str, ancestors: tuple[str, ...]) -> _Node:
        path = prefix + f.name
        children = tuple(self._node(c, path + ".", (*ancestors, path)) for c in f.fields or [])
        node = _Node(f, path, children)
        if f.type == "repeat":  # the data paths in it hold a row's number
            for inner in _below(node):
                inner.data_path = inner.dot = ""
        for i, child in enumerate(children):
            child.later = tuple(c.name for c in children[i + 1 :])
        if f.type in {"select_one", "select_multiple"}:
            choices = self.schema.choices_for(f)
            node.choice_names = node.accepted = frozenset(c.name for c in choices)
            node.choice_rows = {c.name: _choice_row(c) for c in choices}
        # A note's relevance changes nothing the server keeps (a note holds no value, nor
        # fields): it is not evaluated.
        if f.relevant and not (f.type == "note" and f.calculation is None):
            node.relevant = self.compile(f.relevant)
            node.relevant_deps = self._dependencies(f.relevant)
            self.read_paths |= node.relevant_deps
        if f.calculation is not None:
            node.calculation = self.compile(f.calculation)
            node.calculation_deps = self._dependencies(f.calculation)
            self.read_paths |= node.calculation_deps
        if f.constraint:
            node.constraint = self.compile(f.constraint)
        if isinstance(f.required, str):
            node.required = self.compile(f.required)
        if f.choice_filter:
            node.choice_filter = self.compile(f.choice_filter)
        node.checked = bool(f.constraint or f.choice_filter or f.type == "reference")
        # a photo or a signature, or a group or repeat holding one
        node.media = f.type in {"photo", "signature"} or any(c.media for c in children)
        below = list(walk(f.fields or [], path + "."))
        node.up = frozenset({path, *ancestors})
        node.down = node.up | {info.path for info in below}
        node.dynamic = (
            node.relevant is not None
            or node.calculation is not None
            or any(c.dynamic for c in children)
        )
        # Settled, a group or repeat with no relevance, calculation or group in it holds what
        # was read (a group is dropped when empty; a row is its key and its fields, in order).
        node.shared = (
            f.type in {"group", "repeat"}
            and not node.dynamic
            and all(info.field.type != "group" for info in below)
            and all(c.shared for c in children if c.type == "repeat")
            and (f.type == "group" or node.key not in node.known)
        )
        node.checks = _Checks(children)
        node.may_fail = _may_fail(node)
        node.reads = _reads(node.readable)
        node.work = _work(children)
        return node

    def walked(self, changed: AbstractSet[str]) -> dict[str, list[_Node]]:
        """Group or repeat path ("": the top) -> the fields in it a pass after one that changed
        the fields at `changed` looks at again, in order (remembered: passes repeat)."""
        key = frozenset(changed)  # (the paths some relevance or calculation reads: watched)
        walked = self.walks.get(key)
        if walked is None:
            walking: set[_Node] = set()
            for path in key:
                walking |= self.watchers[path]
            walked = {}
            for node in sorted(walking, key=_preorder):
                walked.setdefault(node.inside, []).append(node)
            if len(self.walks) >= _WALKS_MAX:
                self.walks.clear()
            self.walks[key] = walked
        return walked

    def _watch(self, nodes: tuple[_Node, ...], enclosing: tuple[_Node, ...]) -> None:
        for node in nodes:
            node.order = self.count
            self.count += 1
            # only the paths some relevance or calculation reads are counted as changes
            node.up &= self.read_paths
            node.down &= self.read_paths
            for path in node.relevant_deps | node.calculation_deps:
                self.watchers[path] = self.watchers.get(path, frozenset()) | {*enclosing, node}
            self._watch(node.children, (*enclosing, node))

    def compile(self, source: str) -> Compiled:
        """`source` compiled; a source that does not parse fails each time it is evaluated."""
        try:
            return compile_resolved(source, self.references.get)
        except ExpressionError:

            def fail(scope: Any) -> Any:
                return _compiled(source)(scope)  # raises a new ExpressionError each time

            return fail

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
_WALKS_MAX = 256


def _identity(schema: FormSchema) -> tuple[Any, ...]:
    return (schema.fields, schema.choice_lists, schema.rules, schema.location_field)


def _plan_for(schema: FormSchema) -> _Plan:
    entry = _PLANS.get(id(schema))
    if entry is not None and entry[0] is schema:
        known = entry[1].identity
        if (
            known[0] is schema.fields
            and known[1] is schema.choice_lists
            and known[2] is schema.rules
            and known[3] is schema.location_field
        ):
            return entry[1]
    plan = _Plan(schema)
    with _PLANS_LOCK:
        if len(_PLANS) >= _PLANS_MAX:
            _PLANS.pop(next(iter(_PLANS)))
        _PLANS[id(schema)] = (schema, plan)
    return plan


def _reference(
    path: str, repeats: set[str], getter: Callable[[dict[str, Any], dict[str, int]], Any]
) -> TreeField | Compiled:
    """How an expression reads `${name}` for the field at `path`: what `_Scope.lookup` returns
    (its `getter`'s value, a geopoint as text), normalised as `expressions._normalize` does;
    straight from the scope's tree outside repeats."""
    segs = tuple(path.split("."))
    if len(segs) == 1 or (len(segs) == 2 and segs[0] not in repeats):
        return TreeField(segs, _normalized)  # (the tree is a dict: a submission is)

    def deeper(scope: _Scope) -> Any:
        return _normalized(getter(scope.tree, scope.where))

    return deeper


def _normalized(raw: Any) -> Any:
    return _normalize(_for_expression(raw) if isinstance(raw, dict) else raw)


def _getter(path: str, repeats: set[str]) -> Callable[[dict[str, Any], dict[str, int]], Any]:
    """(tree, where) -> the value of the field at `path` seen from `where`: same row inside its
    repeat, else all rows."""
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

    __slots__ = ("current", "today", "now", "tree", "where", "getters", "dotted_getters")

    def __init__(self, plan: _Plan, today: date, now: datetime) -> None:
        self.current: Any = None
        self.today = today
        self.now = now
        self.tree: dict[str, Any] = {}
        self.where: dict[str, int] = _NOWHERE
        self.getters = plan.getters
        self.dotted_getters = plan.dotted_getters

    def lookup(self, name: str) -> Any:
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
_NO_PATHS: frozenset[str] = frozenset()
_NO_WALKS: dict[str, list[_Node]] = {}  # (never changed)
_NO_ROWS: list[Any] = []  # compared with, never changed
_MISSING: Any = object()
_INVALID: Any = object()  # what a reader returns for a value it refused


class _Run:
    """The state of one validation: the schema's plan and the issues met while reading."""

    # False: every pass of `settle` works everything out again and copies every level (the
    # plain algorithm, which tests compare the incremental one with)
    incremental = True

    def __init__(
        self, schema: FormSchema, today: date, now: datetime, lookup_record: LookupRecord | None
    ) -> None:
        self.schema = schema
        self.plan = plan = _plan_for(schema)
        self.lookup_record = lookup_record
        self.read_errors: list[Issue] = []
        self.attachments: list[str] = []  # the photos and signatures read
        self.irrelevant: set[str] = set()
        self.unreadable: AbstractSet[str] = _NO_PATHS  # (see `validate_submission`)
        self.scope = _Scope(plan, today, now)
        # settling (see `settle`): the relevance found at each data path (a calculation's
        # last value is in the tree), the paths of the fields changed by the previous pass and
        # by this one
        self.relevance: dict[str, bool] = {}
        self.changed: AbstractSet[str] = _NO_PATHS
        self.changes: set[str] = set()
        # group or repeat path ("": the top) -> the fields in it a later pass looks at again
        self.walked: dict[str, list[_Node]] = _NO_WALKS

    # --- 1. reading -------------------------------------------------------------------------

    def read_level(
        self,
        reads: tuple[_Read, ...],
        names: frozenset[str],
        level: dict[str, Any],
        prefix: str,
        out: dict[str, Any],
    ) -> dict[str, Any]:
        """Read the fields of `level` into `out`: `reads` are those a client's value is read for
        (see `_reads`), `names` those the level may hold."""
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
                value = read(node, value, prefix, self.read_errors)
                if value is not _INVALID:
                    out[name] = value
                    if fast == _ATTACHMENT:
                        self.attachments.append(value)
            elif value == "" or value == _NO_ROWS:  # (as _is_empty)
                continue
            elif node.kind == _GROUP:
                if isinstance(value, dict):
                    out[name] = self.read_level(
                        node.reads, node.names, value, node.dot or prefix + name + ".", {}
                    )
                else:
                    self.read_errors.append(wrong_type(prefix + name, "group"))
            else:
                rows = self.read_rows(node, value, prefix + name)
                if rows is not None:
                    out[name] = rows
        return out

    def read_unknown(self, names: frozenset[str], level: dict[str, Any], prefix: str) -> None:
        for key in level:
            if key not in names:
                self.read_errors.append(
                    issue(
                        prefix + key,
                        "unknown_field",
                        form_id=self.schema.form_id,
                        version=self.schema.version,
                    )
                )

    def read_rows(self, node: _Node, value: Any, path: str) -> list[dict[str, Any]] | None:
        errors = self.read_errors
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
            elif not _is_uuid(row_id):
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

    # --- 2. relevance and calculations --------------------------------------------------------

    def settle(self, typed: dict[str, Any]) -> dict[str, Any]:
        """Drop non-relevant values and recompute calculations until nothing changes.

        Each pass reads the tree the previous pass made (the first reads `typed`) and makes a
        new one from `typed`. `changes` collects, during a pass, the paths of the fields whose
        value differs from the tree it read (same types and values, row for row; and their
        enclosing groups and repeats; a group or repeat appearing or vanishing counts for
        everything in it), those some relevance or calculation reads (`_Plan.read_paths`: the
        others change nothing in the next pass). When there is none, the next pass would
        compute the same and make the same tree again, so it would stop there: it is not made.
        (The passes are kept rather than one pass in dependency order: the result is the tree
        at which they stop, which `==` decides, and `1 == 1.0 == True`.)

        Only the first pass works everything out (`settle_fresh`). A later pass
        (`settle_again`) evaluates again only the relevances and calculations reading a field
        that changed in the previous pass: the others would compute exactly what they computed
        then. Every other group, repeat or field is then as the previous pass made it, so that
        pass's value is taken as it is; one that becomes relevant again is worked out afresh.
        """
        plan = self.plan
        tree = typed
        if self.incremental:  # (`settle_fresh` where the tree read is `typed`)
            new = self.settle_first(plan.work, typed, "", _NOWHERE, typed)
        else:
            new = self.settle_fresh(plan.nodes, typed, "", _NOWHERE, typed, typed)
        for _ in range(plan.iterations - 1):
            if new == tree:
                return tree
            tree = new
            if not self.changes:  # (it holds only paths some expression reads)
                return tree
            new = self.next_pass(typed, tree)
        return tree if new == tree else new

    def next_pass(self, typed: dict[str, Any], tree: dict[str, Any]) -> dict[str, Any]:
        self.changed, self.changes = self.changes, set()
        if not self.incremental:
            self.relevance, self.irrelevant = {}, set()
            return self.settle_fresh(self.plan.nodes, typed, "", _NOWHERE, tree, tree)
        self.walked = self.plan.walked(self.changed)
        return self.settle_again("", typed, "", _NOWHERE, tree, tree)

    def settle_fresh(
        self,
        nodes: tuple[_Node, ...],
        level: dict[str, Any],
        data_prefix: str,
        where: dict[str, int],
        tree: dict[str, Any],
        old: dict[str, Any],
        work: tuple[_Node, ...] | None = None,
        relevant: bool = False,
    ) -> dict[str, Any]:
        """One level, everything worked out: `level` is from `typed`, `old` the same place in
        `tree`, which the expressions read. `work`: those of `nodes` that are not plain fields
        (see `settle_first`). `relevant`: `nodes` were just found relevant."""
        if work is not None and old is level and self.incremental:
            return self.settle_first(work, level, data_prefix, where, tree)
        out: dict[str, Any] = {}
        changes = self.changes
        for node in nodes:
            name = node.name
            if node.relevant is not None and not relevant:
                data_path = node.data_path or data_prefix + name
                is_relevant = self.holds(node.relevant, tree, where, True)
                self.relevance[data_path] = is_relevant
                if not is_relevant:
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
                value = self.calculate(node, tree, where)
                was = old.get(name, _MISSING)
                if value is not None:
                    out[name] = value
                    if was is not value and not _same(was, value):
                        changes.update(node.up)
                elif was is not _MISSING:
                    changes.update(node.up)
            elif kind == _GROUP:
                inside = old.get(name)
                inner = self.settle_fresh(
                    node.children,
                    level.get(name) or {},
                    node.dot or data_prefix + name + ".",
                    where,
                    tree,
                    inside if isinstance(inside, dict) else _EMPTY,
                    node.work,
                )
                if inner:
                    out[name] = inner
                if (name in out) != (name in old):
                    changes.update(node.up)
            else:
                self.settle_rows(node, level, data_prefix, where, tree, old, out)
        return out

    def settle_first(
        self,
        work: tuple[_Node, ...],
        level: dict[str, Any],
        data_prefix: str,
        where: dict[str, int],
        tree: dict[str, Any],
    ) -> dict[str, Any]:
        """`settle_fresh` where the tree read is `typed` (the first pass): a copy of `level`
        with what `work` changes in it. A plain field is kept as read, in its place (the
        level's keys are in the fields' order), unchanged; so is a group or repeat with no
        relevance, calculation or group in it (`shared`) but an empty group, dropped."""
        out = dict(level)
        changes = self.changes
        for node in work:
            name = node.name
            if node.relevant is not None:
                data_path = node.data_path or data_prefix + name
                is_relevant = self.holds(node.relevant, tree, where, True)
                self.relevance[data_path] = is_relevant
                if not is_relevant:
                    self.irrelevant.add(data_path)
                    if name in level:
                        del out[name]
                        changes.update(node.down)
                    continue
            kind = node.kind
            if kind == _CALCULATED:
                value = self.calculate(node, tree, where)
                was = level.get(name, _MISSING)
                if value is None:
                    if was is _MISSING:
                        continue
                    del out[name]
                elif was is _MISSING:
                    _put(out, node, value)
                elif was is value or _same(was, value):
                    continue  # (the same type and value: kept as read)
                else:
                    out[name] = value  # (in its place)
                changes.update(node.up)
            elif kind == _GROUP:
                inside = level.get(name)
                if node.shared:
                    if inside is not None and not inside:  # an empty group
                        del out[name]
                        changes.update(node.up)
                    continue
                if inside:  # (as read: a dict) `settle_fresh` would go on here
                    value = self.settle_first(
                        node.work, inside, node.dot or f"{data_prefix}{name}.", where, tree
                    )
                else:
                    value = self.settle_fresh(
                        node.children,
                        {},
                        node.dot or f"{data_prefix}{name}.",
                        where,
                        tree,
                        _EMPTY,
                    )
                if inside is None:
                    if value:
                        _put(out, node, value)
                        changes.update(node.up)
                elif value:
                    out[name] = value  # (in its place)
                else:
                    del out[name]
                    changes.update(node.up)
            elif kind == _REPEAT:  # (not `shared`: see `_Plan._node`)
                self.settle_rows(node, level, data_prefix, where, tree, level, out)
        return out

    def settle_rows(
        self,
        node: _Node,
        level: dict[str, Any],
        data_prefix: str,
        where: dict[str, int],
        tree: dict[str, Any],
        old: dict[str, Any],
        out: dict[str, Any],
    ) -> None:
        """A repeat's rows, worked out (see `settle_fresh`): as many as were read."""
        name = node.name
        if name not in level:
            if name in old:
                self.changes.update(node.down)
            return
        old_rows = old.get(name)
        rows = level[name]
        aligned = isinstance(old_rows, list) and len(old_rows) == len(rows)
        if not aligned:
            self.changes.update(node.down)
        key = node.key
        new_rows = []
        for i, row in enumerate(rows):
            was_row = old_rows[i] if aligned else _EMPTY  # type: ignore[index]
            if not isinstance(was_row, dict):
                self.changes.update(node.down)
                was_row = _EMPTY
            inner = self.settle_fresh(
                node.children,
                row,
                f"{data_prefix}{name}.{i}.",
                {**where, node.path: i},
                tree,
                was_row,
                node.work,
            )
            new_rows.append({key: row[key], **inner} if key in row else inner)
        out[name] = new_rows

    def settle_again(
        self,
        inside: str,
        level: dict[str, Any],
        data_prefix: str,
        where: dict[str, int],
        tree: dict[str, Any],
        old: dict[str, Any],
    ) -> dict[str, Any]:
        """One level of a later pass, which the previous pass reached too (see `settle`).

        `inside` is the path of the group or repeat the level is of ("": the top). Only the
        fields in which something must be evaluated again are looked at (`walked`); `old`
        itself is the result when none of them changed (as a new level, it would be the same)."""
        out = old
        for node in self.walked.get(inside, ()):
            name = node.name
            was = old.get(name, _MISSING)
            if node.kind == _CALCULATED and node.relevant is None:  # (the common case, at once)
                value = self.recalculate(node, where, tree, was)
            else:
                value = self.again(node, level, data_prefix, where, tree, old, was)
            if value is was:
                continue
            if out is old:
                out = dict(old)
            if was is _MISSING or value is _MISSING:
                _put(out, node, value)
            else:
                out[name] = value  # (in its place)
        return out

    def again(
        self,
        node: _Node,
        level: dict[str, Any],
        data_prefix: str,
        where: dict[str, int],
        tree: dict[str, Any],
        old: dict[str, Any],
        was: Any,
    ) -> Any:
        """A field's value in a later pass (`_MISSING`: none; `was`: the previous pass's):
        see `settle_again`."""
        name = node.name
        if node.relevant is not None:
            data_path = node.data_path or data_prefix + name
            before = relevant = self.relevance[data_path]
            if not node.relevant_deps.isdisjoint(self.changed):
                relevant = self.holds(node.relevant, tree, where, True)
                self.relevance[data_path] = relevant
            if not relevant:
                if before:
                    self.drop(node, data_path, old)
                return _MISSING
            if not before:  # relevant again: worked out afresh
                self.irrelevant.discard(data_path)
                out = self.settle_fresh((node,), level, data_prefix, where, tree, old, None, True)
                return out.get(name, _MISSING)
        kind = node.kind
        if kind == _CALCULATED:
            return self.recalculate(node, where, tree, was)
        if kind == _GROUP:
            inner = self.settle_again(
                node.path,
                level.get(name) or {},
                node.dot or data_prefix + name + ".",
                where,
                tree,
                was if isinstance(was, dict) else _EMPTY,
            )
            if bool(inner) != (was is not _MISSING):
                self.changes.update(node.up)
            return inner if inner else _MISSING
        if kind == _REPEAT and name in level:  # the previous pass made as many rows
            return self.settle_rows_again(node, level[name], data_prefix, where, tree, was)
        return was  # a field whose relevance has not changed

    def settle_rows_again(
        self,
        node: _Node,
        rows: list[dict[str, Any]],
        data_prefix: str,
        where: dict[str, int],
        tree: dict[str, Any],
        old_rows: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        key = node.key
        new_rows = old_rows
        for i, row in enumerate(rows):
            was_row = old_rows[i]
            inner = self.settle_again(
                node.path,
                row,
                f"{data_prefix}{node.name}.{i}.",
                {**where, node.path: i},
                tree,
                was_row,
            )
            if inner is not was_row:
                if new_rows is old_rows:
                    new_rows = list(old_rows)
                new_rows[i] = {key: row[key], **inner} if key in row else inner
        return new_rows

    def recalculate(
        self, node: _Node, where: dict[str, int], tree: dict[str, Any], was: Any
    ) -> Any:
        """A calculation in a later pass, evaluated again only when what it reads changed: its
        value (`was`, the previous one, when the same in type and value) or `_MISSING`."""
        if node.calculation_deps.isdisjoint(self.changed):
            return was
        value = self.calculate(node, tree, where)
        if value is None:
            if was is not _MISSING:
                self.changes.update(node.up)
            return _MISSING
        if was is value or _same(was, value):
            return was
        self.changes.update(node.up)
        return value

    def drop(self, node: _Node, data_path: str, old: dict[str, Any]) -> None:
        """A field found not relevant in a later pass, which the previous pass kept."""
        self.irrelevant.add(data_path)
        if node.name in old:
            self.changes.update(node.down)
        if node.children:
            # This pass does not go in, so what was found not relevant in it no longer holds
            # (were it relevant again, a pass would work it all out afresh). The relevances
            # found in it are left: they are read only in a level the previous pass reached.
            inside = data_path + "."
            self.irrelevant -= {p for p in self.irrelevant if p.startswith(inside)}

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
        checks: _Checks,
        level: dict[str, Any],
        where: dict[str, int],
        tree: dict[str, Any],
        data_prefix: str,
        found: list[Issue],
    ) -> None:
        """Add to `found` the issues of the fields `checks` lists in `level` (settled)."""
        get = level.get
        for node in checks.rest if level.keys() >= checks.present else checks.nodes:
            value = get(node.name)
            kind = node.kind
            if kind == _GROUP and value is not None and node.checks.passes(value):
                continue  # (nothing in it can raise an issue)
            # Only called inside a level that is not dropped (and a field is never called like
            # a row number), so `dropped(data_path)` comes down to this (a field is found not
            # relevant only when it has a relevance):
            if (
                node.relevant is not None
                and (node.data_path or data_prefix + node.name) in self.irrelevant
            ):
                continue
            if kind == _GROUP:
                dot = node.dot or data_prefix + node.name + "."
                self.check_level(node.checks, value or {}, where, tree, dot, found)
            elif kind == _REPEAT:
                self.check_rows(node, value or [], data_prefix + node.name, where, tree, found)
            elif value is None or value == "" or value == _NO_ROWS:  # _is_empty(value)
                self.check_empty(node, data_prefix + node.name, where, tree, found)
            elif node.checked:
                self.check_value(node, value, data_prefix, where, tree, found)

    def check_rows(
        self,
        node: _Node,
        rows: list[dict[str, Any]],
        data_path: str,
        where: dict[str, int],
        tree: dict[str, Any],
        found: list[Issue],
    ) -> None:
        f = node.field
        if f.min_count is not None and len(rows) < f.min_count:
            found.append(issue(data_path, "too_few_rows", n=f.min_count))
        if f.max_count is not None and len(rows) > f.max_count:
            found.append(issue(data_path, "too_many_rows", n=f.max_count))
        checks = node.checks
        for i, row in enumerate(rows):
            if not checks.passes(row):
                inside = {**where, node.path: i}
                self.check_level(checks, row, inside, tree, f"{data_path}.{i}.", found)

    def check_empty(
        self,
        node: _Node,
        data_path: str,
        where: dict[str, int],
        tree: dict[str, Any],
        found: list[Issue],
    ) -> None:
        if data_path in self.unreadable:
            return  # already reported as wrong_type, invalid_choice, too_long...
        required = node.required
        if not isinstance(required, bool):
            required = self.holds(required, tree, where, default=False)
        if required and node.field.calculation is None:
            found.append(issue(data_path, "required"))

    def check_value(
        self,
        node: _Node,
        value: Any,
        data_prefix: str,
        where: dict[str, int],
        tree: dict[str, Any],
        found: list[Issue],
    ) -> None:
        data_path = node.data_path or data_prefix + node.name
        if node.constraint is not None and not self.holds(
            node.constraint, tree, where, True, current=value
        ):
            msg = node.field.constraint_message
            if msg is None:
                found.append(issue(data_path, "constraint_failed"))
            else:
                found.append(Issue(data_path, "constraint_failed", msg.en, msg.km))
        if node.choice_filter is not None:
            found += self.check_choice_filter(node, value, data_path, where, tree)
        form_id = node.reference_form
        if form_id is not None and self.lookup_record:
            record = self.lookup_record(form_id, value)
            if record is None:
                found.append(issue(data_path, "invalid_reference", form_id=form_id))
            elif record.get("form_id") != form_id:
                found.append(
                    issue(
                        data_path,
                        "invalid_reference",
                        variant="wrong_form",
                        form_id=form_id,
                    )
                )

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
                return [issue(data_path, "invalid_choice", variant="filtered", value=name)]
        return []

    # --- expressions -----------------------------------------------------------------------

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
            value = compiled(scope)
            return value if value is True or value is False else _to_bool(value)
        except _EVAL_ERRORS:
            return default

    def calculate(self, node: _Node, tree: dict[str, Any], where: dict[str, int]) -> Any:
        """`node`'s calculation here, in the field's type (`_fit`): None when empty or failing."""
        scope = self.scope
        scope.tree, scope.where, scope.current = tree, where, None
        calculation = node.calculation
        assert calculation is not None
        try:
            value = calculation(scope)
        except _EVAL_ERRORS:
            return None
        return _fit(node, value)

    # --- 4. location and rules ---------------------------------------------------------------

    def resolve_location(self, data: dict[str, Any]) -> tuple[list[Issue], str | None]:
        """The location code deciding the record's scope (None: the creator's scope)."""
        path = self.schema.location_field
        if path is None:
            return [], None
        loc_field = self.plan.location_field
        value = self.plan.location_getter(data, _NOWHERE)
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
        errors: list[Issue] = []
        flags: list[Issue] = []
        for rule, when in self.plan.rules:
            if self.holds(when, data, _NOWHERE, default=False):
                found = Issue(
                    rule.path, rule.issue_code, rule.message.en, rule.message.km, rule.urgent
                )
                (errors if rule.kind == "refuse" else flags).append(found)
        domain_errors, domain_flags = self.plan.check_domain_rules(
            self.schema.form_id, data, lookup_record=self.lookup_record
        )
        return errors + domain_errors, flags + domain_flags


# --- 1. reading a field's value: (node, value, prefix, errors) -> the value, or _INVALID ------
#
# `_Node.read` takes a value of a common exact type that passes at once (`read_level` takes
# those of a few types itself), and gives any other to `_read_any`: not read if empty, else read
# by the field type's full reader (`_FULL_READERS`), which refuses it with an issue or keeps it.


def _read_any(node: _Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    if value == "" or value == _NO_ROWS:  # (None is not given) empty: not read
        return _INVALID
    return _FULL_READERS.get(node.type, _read_other)(node, value, prefix, errors)


def _read_date(node: _Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    if type(value) is str and _is_date_text(value):
        return value
    return _read_any(node, value, prefix, errors)


def _read_hash(node: _Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    """A photo's or a signature's value."""
    if type(value) is str and _SHA256.match(value):
        return value
    return _read_any(node, value, prefix, errors)


def _read_reference(node: _Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    if type(value) is str and _UUID.fullmatch(value):
        return value
    return _read_any(node, value, prefix, errors)


def _read_geopoint(node: _Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    """A geopoint of plain numbers passes here as `_is_geopoint` passes it (a comparison
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
    return _read_any(node, value, prefix, errors)


def _refuse(node: _Node, prefix: str, errors: list[Issue], found: Issue | None = None) -> Any:
    errors.append(found or wrong_type(prefix + node.name, node.type))
    return _INVALID


def _text(node: _Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    if not isinstance(value, str):
        return _refuse(node, prefix, errors)
    if len(value) > node.max_length:
        found = issue(prefix + node.name, "too_long", n=node.max_length)
        return _refuse(node, prefix, errors, found)
    return value


def _number(node: _Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
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


def _select_one(node: _Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    if not isinstance(value, str):
        return _refuse(node, prefix, errors)
    if value not in node.choice_names:
        found = issue(prefix + node.name, "invalid_choice", value=value)
        return _refuse(node, prefix, errors, found)
    return value


def _select_multiple(node: _Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
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


def _passing(test: Callable[[Any], Any]) -> Callable[[_Node, Any, str, list[Issue]], Any]:
    """A full reader keeping a value that passes `test`, refusing any other as the wrong type."""

    def read(node: _Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
        return value if test(value) else _refuse(node, prefix, errors)

    return read


def _read_other(node: _Node, value: Any, prefix: str, errors: list[Issue]) -> Any:
    raise AssertionError(f"unhandled field type {node.type}")  # pragma: no cover


def _is_hash(value: Any) -> bool:
    return isinstance(value, str) and _SHA256.match(value) is not None


Reader = Callable[[_Node, Any, str, list[Issue]], Any]
_READERS: dict[str, Reader] = {
    "date": _read_date,
    "geopoint": _read_geopoint,
    "photo": _read_hash,
    "signature": _read_hash,
    "reference": _read_reference,
}
_FULL_READERS: dict[str, Reader] = {
    "text": _text,
    "integer": _number,
    "decimal": _number,
    "date": _passing(lambda v: _is_date(v)),
    "datetime": _passing(lambda v: _is_datetime(v)),
    "yes_no": _passing(lambda v: v in ("yes", "no")),
    "select_one": _select_one,
    "select_multiple": _select_multiple,
    "geopoint": _passing(lambda v: _is_geopoint(v)),
    "photo": _passing(_is_hash),
    "signature": _passing(_is_hash),
    "reference": _passing(lambda v: _is_uuid(v)),
}


# --- small pure helpers ----------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _is_uuid(value: Any) -> bool:
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


# (see `_read_spec`) what `_READERS` pass at once, for a str (and `_read_hash`: `_SHA256.match`)
_MATCHES: dict[str, Callable[[str], Any]] = {"date": _is_date_text, "reference": _UUID.fullmatch}


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _is_geopoint(value: Any) -> bool:
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


def _fit(node: _Node, value: Any) -> Any:
    """A computed value in the field's type; None when empty or not a finite number."""
    if type(value) is float:  # (the common case first)
        if not math.isfinite(value):
            return None
        if node.integral and value.is_integer():
            return int(value)
        return str(value) if node.type == "text" else value
    if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if node.integral and isinstance(value, float) and value.is_integer():
        return int(value)
    if node.type == "text" and not isinstance(value, str):
        return str(value)
    return value


def _attachments_of(
    nodes: tuple[_Node, ...], level: dict[str, Any], found: list[str] | None = None
) -> list[str]:
    """The attachments named in `level`: photos and signatures, in groups and repeats too."""
    found = [] if found is None else found
    for node in nodes:
        if not node.media:
            continue
        value = level.get(node.name)
        if value is None:
            continue
        if node.kind == _GROUP:
            _attachments_of(node.children, value, found)
        elif node.kind == _REPEAT:
            for row in value:
                _attachments_of(node.children, row, found)
        else:
            found.append(value)
    return found
