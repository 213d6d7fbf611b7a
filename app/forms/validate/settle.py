"""Step 2, settling: relevance and calculations worked out together until they stop changing.

Values of fields that are not relevant (and of everything inside a group or repeat that is
not) are dropped; calculations are recomputed by the server, a client's value for them is
ignored. `Settler.settle` describes the passes; `Settler.incremental` (on) makes a later pass
look only at what reads a field that changed, which tests/unit/test_validate_equivalence.py
compares with the plain passes (off).
"""

from __future__ import annotations

import math
from collections.abc import Set as AbstractSet
from typing import Any

from app.forms.validate.plan import CALCULATED, GROUP, PLAIN, REPEAT, Node, Plan
from app.forms.validate.scope import EVAL_ERRORS, NOWHERE, Scope

_EMPTY: dict[str, Any] = {}
_NO_PATHS: frozenset[str] = frozenset()
_NO_WALKS: dict[str, list[Node]] = {}  # (never changed)
_MISSING: Any = object()


class Settler:
    """The settling of one submission: what it found not relevant (`irrelevant`, data paths)
    and, while it runs, the state its passes share (see `settle`)."""

    # False: every pass of `settle` works everything out again and copies every level (the
    # plain algorithm, which tests compare the incremental one with)
    incremental = True

    __slots__ = (
        "plan", "scope", "holds", "irrelevant", "relevance", "changed", "changes", "walked",
    )  # fmt: skip

    def __init__(self, plan: Plan, scope: Scope) -> None:
        self.plan = plan
        self.scope = scope
        self.holds = scope.holds
        self.irrelevant: set[str] = set()
        # the relevance found at each data path (a calculation's last value is in the tree),
        # the paths of the fields changed by the previous pass and by this one
        self.relevance: dict[str, bool] = {}
        self.changed: AbstractSet[str] = _NO_PATHS
        self.changes: set[str] = set()
        # group or repeat path ("": the top) -> the fields in it a later pass looks at again
        self.walked: dict[str, list[Node]] = _NO_WALKS

    def settle(self, typed: dict[str, Any]) -> dict[str, Any]:
        """Drop non-relevant values and recompute calculations until nothing changes.

        Each pass reads the tree the previous pass made (the first reads `typed`) and makes a
        new one from `typed`. `changes` collects, during a pass, the paths of the fields whose
        value differs from the tree it read (same types and values, row for row; and their
        enclosing groups and repeats; a group or repeat appearing or vanishing counts for
        everything in it), those some relevance or calculation reads (`Plan.read_paths`: the
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
            new = self.settle_first(plan.work, typed, "", NOWHERE, typed)
        else:
            new = self.settle_fresh(plan.nodes, typed, "", NOWHERE, typed, typed)
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
            return self.settle_fresh(self.plan.nodes, typed, "", NOWHERE, tree, tree)
        self.walked = self.plan.walked(self.changed)
        return self.settle_again("", typed, "", NOWHERE, tree, tree)

    def settle_fresh(
        self,
        nodes: tuple[Node, ...],
        level: dict[str, Any],
        data_prefix: str,
        where: dict[str, int],
        tree: dict[str, Any],
        old: dict[str, Any],
        work: tuple[Node, ...] | None = None,
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
            if kind == PLAIN:
                if name in level:
                    value = level[name]
                    out[name] = value
                    was = old.get(name, _MISSING)
                    if was is not value and not _same(was, value):
                        changes.update(node.up)
                elif name in old:
                    changes.update(node.up)
            elif kind == CALCULATED:
                value = self.calculate(node, tree, where)
                was = old.get(name, _MISSING)
                if value is not None:
                    out[name] = value
                    if was is not value and not _same(was, value):
                        changes.update(node.up)
                elif was is not _MISSING:
                    changes.update(node.up)
            elif kind == GROUP:
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
        work: tuple[Node, ...],
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
            if kind == CALCULATED:
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
            elif kind == GROUP:
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
            elif kind == REPEAT:  # (not `shared`: see `Plan._node`)
                self.settle_rows(node, level, data_prefix, where, tree, level, out)
        return out

    def settle_rows(
        self,
        node: Node,
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
            if node.kind == CALCULATED and node.relevant is None:  # (the common case, at once)
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
        node: Node,
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
        if kind == CALCULATED:
            return self.recalculate(node, where, tree, was)
        if kind == GROUP:
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
        if kind == REPEAT and name in level:  # the previous pass made as many rows
            return self.settle_rows_again(node, level[name], data_prefix, where, tree, was)
        return was  # a field whose relevance has not changed

    def settle_rows_again(
        self,
        node: Node,
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

    def recalculate(self, node: Node, where: dict[str, int], tree: dict[str, Any], was: Any) -> Any:
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

    def drop(self, node: Node, data_path: str, old: dict[str, Any]) -> None:
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

    def calculate(self, node: Node, tree: dict[str, Any], where: dict[str, int]) -> Any:
        """`node`'s calculation here, in the field's type (`_fit`): None when empty or failing."""
        scope = self.scope
        scope.tree, scope.where, scope.current = tree, where, None
        calculation = node.calculation
        assert calculation is not None
        try:
            value = calculation(scope)
        except EVAL_ERRORS:
            return None
        return _fit(node, value)


def _put(level: dict[str, Any], node: Node, value: Any) -> None:
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


def _fit(node: Node, value: Any) -> Any:
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
