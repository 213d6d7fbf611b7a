"""How expressions read a submission: the evaluation context of one validation.

A field's value is read from the tree being settled (`Scope.tree`) as seen from `Scope.where`
(repeat path -> row number: inside a row its sibling fields are single values, from outside a
repeat its fields are lists). `getter` makes, once per field, the function reading it;
`reference` tells the expression compiler how `${name}` reads it (straight from the tree
outside repeats). A geopoint reads as ODK's "lat lon altitude accuracy" text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from app.forms.expressions import (
    Compiled,
    ExpressionError,
    TreeField,
    normalize,
    to_bool,
)
from app.forms.schema import CHOICE_REF_PREFIX

# (tree, where) -> the raw value of one field
Getter = Callable[[dict[str, Any], dict[str, int]], Any]

# what evaluating an expression may raise; the caller then takes a default (see `Scope.holds`)
EVAL_ERRORS = (ExpressionError, KeyError, TypeError, ValueError, ArithmeticError, IndexError)
NOWHERE: dict[str, int] = {}  # `where` outside every repeat (never changed)


def getter(path: str, repeats: set[str]) -> Getter:
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


def reference(path: str, repeats: set[str], get: Getter) -> TreeField | Compiled:
    """How an expression reads `${name}` for the field at `path`: what `Scope.lookup` returns
    (what `get`, the field's getter, reads; a geopoint as text), normalised as
    `expressions.normalize` does; straight from the scope's tree outside repeats."""
    segs = tuple(path.split("."))
    if len(segs) == 1 or (len(segs) == 2 and segs[0] not in repeats):
        return TreeField(segs, _normalized)  # (the tree is a dict: a submission is)

    def deeper(scope: Scope) -> Any:
        return _normalized(get(scope.tree, scope.where))

    return deeper


def _normalized(raw: Any) -> Any:
    return normalize(_for_expression(raw) if isinstance(raw, dict) else raw)


def _for_expression(value: Any) -> Any:
    """A geopoint reads as ODK's "lat lon altitude accuracy"; other values pass unchanged."""
    if isinstance(value, dict) and "lat" in value:
        return " ".join(str(value.get(k, 0)) for k in ("lat", "lon", "altitude", "accuracy"))
    return value


class Scope:
    """The context expressions are evaluated in, reused for every evaluation of one validation.

    `getters` reads the names that denote one field, `dotted_getters` those with a dot (not
    valid field names, but names); a choice row (`current`, in a choice filter) answers
    `${choice.column}`."""

    __slots__ = ("current", "today", "now", "tree", "where", "getters", "dotted_getters")

    def __init__(
        self,
        getters: dict[str, Getter],
        dotted_getters: dict[str, Getter],
        today: date,
        now: datetime,
    ) -> None:
        self.current: Any = None
        self.today = today
        self.now = now
        self.tree: dict[str, Any] = {}
        self.where: dict[str, int] = NOWHERE
        self.getters = getters
        self.dotted_getters = dotted_getters

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

    def holds(
        self,
        compiled: Compiled,
        tree: dict[str, Any],
        where: dict[str, int],
        default: bool,
        current: Any = None,
    ) -> bool:
        """A compiled boolean expression's value in `tree` at `where` (`current`: `.`);
        `default` when it cannot be evaluated."""
        self.tree, self.where, self.current = tree, where, current
        try:
            value = compiled(self)
            return value if value is True or value is False else to_bool(value)
        except EVAL_ERRORS:
            return default
