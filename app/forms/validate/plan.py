"""What validating against one schema needs, worked out once per schema object.

`plan_for(schema)` gives the schema's `Plan` (remembered for the last 64 schema objects): the
field tree as `Node`s, each with its expressions compiled, its reader, the fields of its level
that settling may change (`work`) and that checking looks at (`checks`); the name index and the
getters expressions read fields with; the dependencies of relevance and calculations, so that
a later settling pass evaluates again only what reads a field that changed (`Plan.walked`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from typing import Any

from app.forms.expressions import (
    Compiled,
    ExpressionError,
    compile_resolved,
    compiled,
    references,
)
from app.forms.schema import Choice, Field, FormSchema, walk
from app.forms.validate.readers import READERS, Read, read_any, read_specs
from app.forms.validate.scope import getter, reference

# How settling treats a field: a group, a repeat, a field with a calculation (never a group or
# a repeat: the schema refuses one), any other field
GROUP, REPEAT, CALCULATED, PLAIN = range(4)

_PLANS: dict[int, tuple[FormSchema, Plan]] = {}
_PLANS_MAX = 64
_PLANS_LOCK = threading.Lock()
_WALKS_MAX = 256


class Node:
    """One field of a schema, with what validating it needs worked out once (see `Plan`)."""

    __slots__ = (
        "field", "name", "type", "path", "kind", "children", "known", "names", "readable",
        "read", "key", "max_length", "choice_names", "choice_rows", "relevant",
        "relevant_deps", "calculation", "calculation_deps", "constraint", "required",
        "choice_filter", "up", "down", "unread", "checked", "media", "dynamic", "shared",
        "may_fail", "checks", "accepted", "low", "high", "inside", "order", "integral", "later",
        "work", "reads", "reference_form", "data_path", "dot",
    )  # fmt: skip

    def __init__(self, f: Field, path: str, children: tuple[Node, ...]) -> None:
        self.field = f
        self.name = f.name
        self.type = f.type
        self.path = path
        # how settling treats it (see `GROUP`)
        self.kind = (
            GROUP if f.type == "group"
            else REPEAT if f.type == "repeat"
            else CALCULATED if f.calculation is not None
            else PLAIN
        )  # fmt: skip
        self.unread = f.type in {"note", "calculate"}
        self.read = None if f.type in {"group", "repeat"} else READERS.get(f.type, read_any)
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
        self.reads: tuple[Read, ...] = ()  # how its children are read (see `read_specs`)
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
        # the data path holds the row's number; see `Plan._node`)
        self.data_path = path
        self.dot = path + "."
        self.later: tuple[str, ...] = ()  # the names of the fields after it in its level
        # the fields in it that are not plain (a relevance, a calculation, a group or repeat)
        self.work: tuple[Node, ...] = ()  # (see `_work`)
        self.integral = f.type in {"integer", "calculate"}  # a computed 2.0 is written 2
        self.order = 0  # its place in the schema, depth first
        self.dynamic = False  # a relevance or a calculation in it (or itself)
        self.shared = False  # settled, a group or repeat is as read (see `Plan._node`)
        self.may_fail = False  # whether checking it (step 3) can raise an issue
        self.checks = Checks(())


class Checks:
    """The fields of one level that checking (step 3) looks at: the others raise no issue.

    `present`: those that are only required (no constraint, choice filter, reference or
    calculation); one with a value passes (settled data holds no empty value), so when the
    level holds them all only `rest` remain to check, in the same order.
    """

    __slots__ = ("nodes", "present", "rest")

    def __init__(self, children: tuple[Node, ...]) -> None:
        self.nodes = tuple(c for c in children if c.may_fail)
        present = [c for c in self.nodes if _only_required(c)]
        self.present = frozenset(c.name for c in present)
        self.rest = tuple(c for c in self.nodes if c not in present)

    def passes(self, level: dict[str, Any]) -> bool:
        """Whether `level` (settled) passes with nothing more to check."""
        return not self.rest and level.keys() >= self.present


def _below(node: Node) -> Iterator[Node]:
    """The fields in `node`, at any depth."""
    for child in node.children:
        yield child
        yield from _below(child)


def _attachments_kept(nodes: tuple[Node, ...]) -> bool:
    """Whether no photo or signature in `nodes` has a relevance or a calculation, nor is in a
    group or repeat with a relevance."""
    for node in nodes:
        if node.media and (node.relevant is not None or node.calculation is not None):
            return False
        if node.media and not _attachments_kept(node.children):
            return False
    return True


def _work(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
    """Those of `nodes` (a level's fields) that settling may change, in their order: the
    fields with a relevance or a calculation, the groups, and the repeats but those it keeps
    as they are (a `shared` repeat)."""
    return tuple(
        n
        for n in nodes
        if n.relevant is not None
        or n.kind == CALCULATED
        or n.kind == GROUP
        or (n.kind == REPEAT and not n.shared)
    )


def _preorder(node: Node) -> int:
    return node.order


def _only_required(node: Node) -> bool:
    return node.kind == PLAIN and node.required is True and not node.checked and not node.unread


def _may_fail(node: Node) -> bool:
    """Whether `check_level` can find an issue at `node` (or in it)."""
    f = node.field
    if node.unread:
        return False
    if node.kind == GROUP:
        return bool(node.checks.nodes)
    if node.kind == REPEAT:
        return f.min_count is not None or f.max_count is not None or bool(node.checks.nodes)
    return node.checked or (node.required is not False and f.calculation is None)


class Plan:
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
            name: getter(paths[0], self.repeats)
            for name, paths in self.by_name.items()
            if len(paths) == 1
        }
        self.getters = {k: v for k, v in getters.items() if "." not in k}
        self.dotted_getters = {k: v for k, v in getters.items() if "." in k}
        # name -> `${name}` compiled to read the scope's tree (see `reference`)
        self.references = {
            name: reference(self.by_name[name][0], self.repeats, get)
            for name, get in self.getters.items()
        }
        self.read_paths: set[str] = set()  # the fields some relevance or calculation reads
        self.nodes = tuple(self._node(f, "", ()) for f in schema.fields)
        for i, node in enumerate(self.nodes):
            node.later = tuple(n.name for n in self.nodes[i + 1 :])
        # a field's path -> the fields with a relevance or calculation reading it, and the
        # groups and repeats enclosing them (where a later pass looks again when it changed)
        self.watchers: dict[str, frozenset[Node]] = {}
        self.count = 0  # the fields numbered so far (`Node.order`)
        self._watch(self.nodes, ())
        self.walks: dict[frozenset[str], dict[str, list[Node]]] = {}
        self.known = {n.name: n for n in self.nodes}
        self.names = frozenset(self.known)
        self.readable = tuple(n for n in self.nodes if not n.unread)
        self.reads = read_specs(self.readable)
        self.work = _work(self.nodes)
        self.checks = Checks(self.nodes)
        # Settling keeps every photo and signature read when none has a relevance or a
        # calculation, or is in a group or repeat with a relevance (an attachment is in a
        # group, which is then not empty, or a row, which is kept).
        self.attachments_as_read = _attachments_kept(self.nodes)
        self.location_field = (
            schema.field_at(schema.location_field) if schema.location_field is not None else None
        )
        self.rules = [(rule, self.compile(rule.when)) for rule in schema.rules]
        self.location_getter = getter(schema.location_field or "", self.repeats)

    def _node(self, f: Field, prefix: str, ancestors: tuple[str, ...]) -> Node:
        path = prefix + f.name
        children = tuple(self._node(c, path + ".", (*ancestors, path)) for c in f.fields or [])
        node = Node(f, path, children)
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
        node.checks = Checks(children)
        node.may_fail = _may_fail(node)
        node.reads = read_specs(node.readable)
        node.work = _work(children)
        return node

    def walked(self, changed: AbstractSet[str]) -> dict[str, list[Node]]:
        """Group or repeat path ("": the top) -> the fields in it a pass after one that changed
        the fields at `changed` looks at again, in order (remembered: passes repeat)."""
        key = frozenset(changed)  # (the paths some relevance or calculation reads: watched)
        walked = self.walks.get(key)
        if walked is None:
            walking: set[Node] = set()
            for path in key:
                walking |= self.watchers[path]
            walked = {}
            for node in sorted(walking, key=_preorder):
                walked.setdefault(node.inside, []).append(node)
            if len(self.walks) >= _WALKS_MAX:
                self.walks.clear()
            self.walks[key] = walked
        return walked

    def _watch(self, nodes: tuple[Node, ...], enclosing: tuple[Node, ...]) -> None:
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
                return compiled(source)(scope)  # raises a new ExpressionError each time

            return fail

    def _dependencies(self, source: str) -> frozenset[str]:
        """The paths of the fields `source` reads (a name that is not one field's never reads)."""
        try:
            names = references(source)
        except ExpressionError:
            return frozenset()
        return frozenset(self.by_name[n][0] for n in names if len(self.by_name.get(n, [])) == 1)


def _identity(schema: FormSchema) -> tuple[Any, ...]:
    return (schema.fields, schema.choice_lists, schema.rules, schema.location_field)


def plan_for(schema: FormSchema) -> Plan:
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
    plan = Plan(schema)
    with _PLANS_LOCK:
        if len(_PLANS) >= _PLANS_MAX:
            _PLANS.pop(next(iter(_PLANS)))
        _PLANS[id(schema)] = (schema, plan)
    return plan


def _choice_row(choice: Choice) -> dict[str, Any]:
    return {**(choice.filter or {}), "name": choice.name}
