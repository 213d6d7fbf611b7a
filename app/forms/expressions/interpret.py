"""The tree interpreter: the reference meaning of an expression.

:func:`interpret` evaluates a syntax tree in a :class:`Context`, every operand and argument
left to right (no short-circuit, ``if()`` included), so an unknown reference always fails. The
generated code (``compile``) must compute exactly what this computes, and is tested against it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.forms.expressions.errors import ExpressionError
from app.forms.expressions.functions import (
    date_number,
    extreme,
    format_date,
    is_empty,
    items_of,
    regex_matches,
    round_half_up,
    substr,
    sum_of,
    to_date,
    truncated,
)
from app.forms.expressions.syntax import (
    BinOp,
    Column,
    Current,
    Neg,
    Node,
    Num,
    Ref,
    Str,
)
from app.forms.expressions.values import (
    BLANK,
    Value,
    arithmetic,
    equal,
    normalize,
    to_bool,
    to_number,
    to_string,
)


@dataclass(frozen=True, kw_only=True)
class Context:
    """Where an expression is evaluated.

    ``lookup(name)`` returns field ``name``'s value as seen from here (a list of values
    for a field inside a repeat seen from outside it; a list per instance for a repeat's
    own name) and raises KeyError for an unknown name. ``current`` is ``.``; in a choice
    filter it is the choice row (a mapping of column to value), whose columns bare names read.
    """

    lookup: Callable[[str], Any]
    current: Any = None
    today: date
    now: datetime


def interpret(node: Node, ctx: Context) -> Value:
    """``node``'s value in ``ctx``; raise ExpressionError where it cannot be evaluated."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Str):
        return node.value
    if isinstance(node, Ref):
        try:
            raw = ctx.lookup(node.name)
        except KeyError:
            raise ExpressionError(f"unknown field '${{{node.name}}}'") from None
        return normalize(raw)
    if isinstance(node, Current):
        return normalize(ctx.current)
    if isinstance(node, Column):
        if not isinstance(ctx.current, Mapping):
            raise ExpressionError(
                f"'{node.name}' is a choice column, but there is no choice row here"
                " (a string needs quotes)"
            )
        return normalize(ctx.current.get(node.name))
    if isinstance(node, Neg):
        return -to_number(interpret(node.operand, ctx))
    if isinstance(node, BinOp):
        left, right = interpret(node.left, ctx), interpret(node.right, ctx)
        op = node.op
        if op == "or":
            return to_bool(left) or to_bool(right)
        if op == "and":
            return to_bool(left) and to_bool(right)
        if op == "=":
            return equal(left, right)
        if op == "!=":
            return not equal(left, right)
        x, y = to_number(left), to_number(right)
        if op == "<":
            return x < y
        if op == "<=":
            return x <= y
        if op == ">":
            return x > y
        if op == ">=":
            return x >= y
        return arithmetic(op, x, y)
    return call(node.name, [interpret(arg, ctx) for arg in node.args], ctx)


def call(name: str, a: list[Value], ctx: Context) -> Value:
    """Function ``name`` of the evaluated arguments ``a`` (``string()``, ``number()`` and
    ``string-length()`` without one read ``.``)."""
    s = to_string
    n = to_number
    if name in ("string", "number", "string-length") and not a:
        a = [normalize(ctx.current)]
    match name:
        case "not":
            return not to_bool(a[0])
        case "true" | "false":
            return name == "true"
        case "boolean":
            return to_bool(a[0])
        case "selected":
            return s(a[1]).strip(BLANK) in items_of(a[0])
        case "count-selected":
            return float(len(items_of(a[0])))
        case "string-length":
            return float(len(s(a[0])))
        case "today":
            return ctx.today.isoformat()
        case "now":
            return ctx.now.isoformat()
        case "date":
            return to_date(a[0])
        case "decimal-date-time":
            return date_number(a[0])
        case "format-date":
            return format_date(a[0], s(a[1]))
        case "if":
            return a[1] if to_bool(a[0]) else a[2]
        case "coalesce":
            return a[1] if is_empty(a[0]) else a[0]
        case "concat":
            return "".join(s(v) for v in a)
        case "contains":
            return s(a[1]) in s(a[0])
        case "starts-with":
            return s(a[0]).startswith(s(a[1]))
        case "ends-with":
            return s(a[0]).endswith(s(a[1]))
        case "substr":
            return substr(s(a[0]), n(a[1]), n(a[2]) if len(a) > 2 else None)
        case "string":
            return s(a[0])
        case "number":
            return n(a[0])
        case "int":
            return truncated(n(a[0]), math.trunc)
        case "floor":
            return truncated(n(a[0]), math.floor)
        case "ceiling":
            return truncated(n(a[0]), math.ceil)
        case "abs":
            return abs(n(a[0]))
        case "round":
            return round_half_up(n(a[0]), n(a[1]) if len(a) > 1 else 0.0)
        case "regex":
            return regex_matches(s(a[0]), s(a[1]))
        case "count":
            if not isinstance(a[0], list):
                raise ExpressionError("count() needs a repeat or a list")
            return float(len(a[0]))
        case "sum":
            return sum_of(a[0])
        case "min" | "max":
            return extreme(a, name == "min")
    raise ExpressionError(f"unknown function '{name}()'")  # pragma: no cover - parse checks
