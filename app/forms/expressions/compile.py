"""The fast path: an expression compiled to one straight-line Python function.

``compiled(source)`` turns a syntax tree into one Python function, once per source: each node
becomes a line of straight code assigning its value to a local (no dispatch on the node's type
and no call per node at evaluation time; the common case of a conversion, ``to_number`` of a
float or ``to_bool`` of a boolean, is the value itself, inline), and a subtree of literals is
folded into its value. The code computes exactly what ``interpret`` computes, in the same order
(every operand and argument evaluated, left to right, with the same helpers), so the same
values and the same errors come out; ``interpret`` stays the reference
(``tests/unit/test_expressions_tree.py``, ``tests/unit/test_validate_equivalence.py``). ``ctx``
is anything with ``lookup``, ``current``, ``today`` and ``now`` (the validator passes a reusable
scope of its own, whose tree ``compile_resolved`` reads directly).

The source is made from the tree alone: constants, closures and helpers are bound as names of
the function's globals, never written into the code as text from the form.

It pays for itself: with it, validating the built-in forms' realistic submissions takes two
thirds of the time it takes with the tree interpreter (``generate_code(False)``):
``bench/validate_bench.py --cpu`` against ``--cpu --interpret``, best of 4 x 15 rounds, 68 against
103 µs per submission on average over the ten forms; institution_inspection 107 against 212,
placement_recommendation 122 against 184, child_registration 72 against 114, institution 35
against 52. Measure again when changing either evaluator; the day the interpreter is as fast,
remove the code generator and keep what ``generate_code(False)`` does
(``tests/unit/test_validate_equivalence.py`` shows the validator gives the same either way).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.forms.expressions.errors import ExpressionError
from app.forms.expressions.functions import IMPLEMENTATIONS, NUMERIC_IMPLEMENTATIONS
from app.forms.expressions.interpret import call, interpret
from app.forms.expressions.syntax import (
    BinOp,
    Call,
    Column,
    Current,
    Neg,
    Node,
    Num,
    Ref,
    Str,
    parse,
)
from app.forms.expressions.values import Value, divide, equal, modulo, normalize, to_bool, to_number

Compiled = Callable[[Any], Any]


@dataclass(frozen=True)
class TreeField:
    """A field read straight from ``ctx.tree`` (a dict): the value at ``keys`` (None where a key
    is missing or a level is not a dict); a string, a float or a boolean as it is, an int as its
    float, None as ``''`` (as ``normalize`` makes them), anything else as ``finish`` makes it."""

    keys: tuple[str, ...]
    finish: Callable[[Any], Value]


# A resolver gives, for a field name, how to read ``${name}`` some faster way than through
# ``ctx.lookup`` (the validator reads its own tree): a TreeField, or a compiled ``${name}``; the
# same value or the same error either way. None: read through ``ctx.lookup``.
Resolve = Callable[[str], "TreeField | Compiled | None"]


_NO_LEVEL: dict[str, Any] = {}  # (never changed) where a TreeField's level is not a dict


def _tree_value(raw: Any, finish: Callable[[Any], Value]) -> Value:
    """A TreeField's value as read: ``raw`` normalised as TreeField says."""
    kind = type(raw)
    if kind is str or kind is float or kind is bool:
        return raw  # type: ignore[no-any-return]
    if kind is int:
        return float(raw)
    return "" if raw is None else finish(raw)


def _tree_number(raw: Any, finish: Callable[[Any], Value]) -> float:
    """``to_number`` of a TreeField's value (``raw`` as read)."""
    return to_number(_tree_value(raw, finish))


def _tree_equal(raw: Any, finish: Callable[[Any], Value], text: str, number: float) -> bool:
    """``equal`` of a TreeField's value (``raw`` as read; not a str) and ``text``, whose number
    is ``number``: a number compares as a number (as ``equal`` does)."""
    kind = type(raw)
    if kind is int or kind is float:
        x = float(raw)
        return x == number or abs(x - number) < 1e-12
    return equal(_tree_value(raw, finish), text)


@lru_cache(maxsize=4096)
def compiled(source: str) -> Compiled:
    """``source`` compiled; raise ExpressionError as :func:`parse` does."""
    return _compile(parse(source), None)


def compile_resolved(source: str, resolve: Resolve) -> Compiled:
    """``source`` compiled, its references compiled by ``resolve`` where it gives one; raise
    ExpressionError as :func:`parse` does. Not cached: a resolver belongs to its caller."""
    return _compile(parse(source), resolve)


_generating = True  # (see `generate_code`)


def generate_code(enabled: bool) -> None:
    """Whether what is compiled from now on is generated code (True, the default) or the tree
    interpreter behind the same signature (False): the same values and the same errors either
    way. For measuring what the generated code gains (``bench/validate_bench.py --interpret``)
    and for testing the validator both ways. Forgets what ``compiled`` remembered; a validation
    plan made before keeps what it compiled (a plan is per schema object)."""
    global _generating
    _generating = enabled
    compiled.cache_clear()


def _compile(node: Node, resolve: Resolve | None) -> Compiled:
    if not _generating:
        return _interpreted(node)
    try:
        code = _Code(resolve)
        result = code.emit(node)
        return code.function(result)
    except RecursionError:  # pragma: no cover - a tree deeper than the stack: interpret it
        return _interpreted(node)


def _interpreted(node: Node) -> Compiled:
    return lambda ctx: interpret(node, ctx)


_CONTEXT_FUNCTIONS = frozenset({"today", "now"})
_CURRENT_FUNCTIONS = frozenset({"string", "number", "string-length"})  # '.' with no argument


def _is_constant(node: Node) -> bool:
    """Whether ``node``'s value depends on nothing in the context."""
    if isinstance(node, Num | Str):
        return True
    if isinstance(node, Neg):
        return _is_constant(node.operand)
    if isinstance(node, BinOp):
        return _is_constant(node.left) and _is_constant(node.right)
    if isinstance(node, Call):
        if node.name in _CONTEXT_FUNCTIONS or (node.name in _CURRENT_FUNCTIONS and not node.args):
            return False
        return all(_is_constant(arg) for arg in node.args)
    return False  # Ref, Current, Column


_PYTHON_OPERATORS = frozenset({"<", "<=", ">", ">=", "+", "-", "*"})  # (the same on floats)


class _Code:
    """The body of one compiled expression: lines assigning locals ``v0, v1, ...``; constants,
    closures and helpers are names of the function's globals (``k0, k1, ...``).

    ``kinds`` holds the type of a local or constant whose type is known (a float from
    arithmetic, a boolean from a comparison): its conversion to that type is itself.
    ``reads`` holds the locals holding what ``ctx.tree`` has at some keys (a TreeField's
    levels), read once: evaluating an expression changes no tree (nor ``ctx.current``, read
    once too); ``levels`` those holding the dict at some keys, or an empty one where there is
    none (whose ``get`` finds nothing)."""

    def __init__(self, resolve: Resolve | None) -> None:
        self.resolve = resolve
        self.lines: list[str] = []
        self.kinds: dict[str, type] = {}
        self.reads: dict[tuple[str, ...], str] = {}
        self.levels: dict[tuple[str, ...], str] = {}
        self.resolutions: dict[str, TreeField | Compiled | None] = {}
        self.current_read: str | None = None
        self.globals: dict[str, Any] = {
            "normalize": normalize, "to_number": to_number, "to_bool": to_bool,
            "equal": equal, "divide": divide, "modulo": modulo, "call": call,
            "tree_number": _tree_number, "tree_equal": _tree_equal, "NO_LEVEL": _NO_LEVEL,
            "NAN": math.nan,
        }  # fmt: skip

    def function(self, result: str) -> Compiled:
        body = "".join(f"    {line}\n" for line in self.lines)
        source = f"def expression(ctx):\n{body}    return {result}\n"
        exec(compile(source, "<expression>", "exec"), self.globals)  # (made from the tree above)
        fn: Compiled = self.globals["expression"]
        return fn

    def bind(self, value: Any) -> str:
        name = f"k{len(self.globals)}"
        self.globals[name] = value
        self.kinds[name] = type(value)
        return name

    def assign(self, expression: str, kind: type | None = None) -> str:
        name = f"v{len(self.lines)}"
        self.lines.append(f"{name} = {expression}")
        if kind is not None:
            self.kinds[name] = kind
        return name

    def number(self, v: str) -> str:
        if self.kinds.get(v) is float:
            return v
        return f"({v} if type({v}) is float else to_number({v}))"

    def boolean(self, v: str) -> str:
        if self.kinds.get(v) is bool:
            return v
        return f"({v} if {v} is True or {v} is False else to_bool({v}))"

    def emit(self, node: Node) -> str:
        """Code computing ``node``'s value into a local (or a constant); its name."""
        if isinstance(node, Num | Str):
            return self.bind(node.value)
        if isinstance(node, BinOp | Neg | Call) and _is_constant(node):
            try:
                value = interpret(node, None)  # type: ignore[arg-type]  # (it reads no context)
            except RecursionError:
                raise  # (see _compile)
            except Exception:  # it fails at evaluation time, as it should: keep it unfolded
                return self.assign(f"{self.bind(lambda ctx: interpret(node, ctx))}(ctx)")
            return self.bind(value)
        if isinstance(node, Ref):
            resolved = self.resolved(node.name)
            if isinstance(resolved, TreeField):
                return self.emit_tree_field(resolved)
            ref = resolved if resolved is not None else compile_reference(node.name)
            return self.assign(f"{self.bind(ref)}(ctx)")
        if isinstance(node, Current):
            return self.normalized(self.current())
        if isinstance(node, Column):
            return self.assign(f"{self.bind(_compile_column(node.name))}(ctx)")
        if isinstance(node, Neg):
            return self.assign(f"-{self.emit_number(node.operand)}", float)
        if isinstance(node, BinOp):
            return self.emit_binop(node)
        return self.emit_call(node)

    def emit_tree_field(self, field: TreeField) -> str:
        return self.normalized(self.tree_value(field.keys), self.bind(field.finish))

    def tree_value(self, keys: tuple[str, ...]) -> str:
        """The local holding what ``ctx.tree`` has at ``keys`` (None where nothing is)."""
        v = self.reads.get(keys)
        if v is None:
            level = "ctx.tree" if len(keys) == 1 else self.tree_level(keys[:-1])
            v = self.reads[keys] = self.assign(f"{level}.get({self.bind(keys[-1])})")
        return v

    def tree_level(self, keys: tuple[str, ...]) -> str:
        """The local holding the dict at ``keys`` in ``ctx.tree``, or an empty one."""
        d = self.levels.get(keys)
        if d is None:
            v = self.tree_value(keys)
            d = self.levels[keys] = self.assign(f"{v} if isinstance({v}, dict) else NO_LEVEL")
        return d

    def resolved(self, name: str) -> TreeField | Compiled | None:
        """How ``${name}`` is read (asked of the resolver once per name)."""
        if self.resolve is None:
            return None
        if name not in self.resolutions:
            self.resolutions[name] = self.resolve(name)
        return self.resolutions[name]

    def tree_field(self, node: Node) -> TreeField | None:
        """The TreeField ``node`` reads, when it is a reference the resolver gives one for."""
        if isinstance(node, Ref):
            resolved = self.resolved(node.name)
            if isinstance(resolved, TreeField):
                return resolved
        return None

    def emit_number(self, node: Node) -> str:
        """Code for ``to_number`` of ``node``'s value. A TreeField's value is converted where
        it is read (as it is normalised there; the conversion itself cannot fail): an int or a
        float at once, any other through ``_tree_number``."""
        field = self.tree_field(node)
        if field is not None:  # (None, read as '', is NaN)
            v = self.tree_value(field.keys)
            other = f"NAN if {v} is None else tree_number({v}, {self.bind(field.finish)})"
        elif isinstance(node, Current):
            v = self.current()
            other = f"to_number(normalize({v}))"
        else:
            return self.number(self.emit(node))
        return self.assign(
            f"float({v}) if type({v}) is int else {v} if type({v}) is float else {other}", float
        )

    def current(self) -> str:
        """The local holding ``ctx.current`` (read once)."""
        if self.current_read is None:
            self.current_read = self.assign("ctx.current")
        return self.current_read

    def normalized(self, v: str, finish: str = "normalize") -> str:
        """``normalize(v)``, its common cases inline (``finish``: the rest but None)."""
        t = self.assign(f"type({v})")
        return self.assign(
            f"{v} if {t} is str or {t} is float or {t} is bool"
            f" else float({v}) if {t} is int else '' if {v} is None else {finish}({v})"
        )

    def emit_binop(self, node: BinOp) -> str:
        op = node.op
        field = self.tree_field(node.left)
        if op in ("=", "!=") and isinstance(node.right, Str) and field is not None:
            v, text = self.tree_value(field.keys), self.bind(node.right.value)
            y = self.bind(to_number(node.right.value))
            empty = self.bind(node.right.value == "")  # (None reads as '')
            same = (
                f"(({v} == {text}) if type({v}) is str else {empty} if {v} is None"
                f" else tree_equal({v}, {self.bind(field.finish)}, {text}, {y}))"
            )
            return self.assign(same if op == "=" else f"not {same}", bool)
        if op in ("=", "!=") and isinstance(node.right, Str):  # ``${x} = 'yes'``, ``= ''``
            a, text = self.emit(node.left), self.bind(node.right.value)
            y = self.bind(to_number(node.right.value))  # (as `equal` compares a number)
            same = (
                f"(({a} == {text}) if type({a}) is str"
                f" else ({a} == {y} or abs({a} - {y}) < 1e-12) if type({a}) is float"
                f" else equal({a}, {text}))"
            )
            return self.assign(same if op == "=" else f"not {same}", bool)
        if op not in ("or", "and", "=", "!="):
            # converting to a number cannot fail: converting both sides once both are evaluated
            # is the same as converting each as soon as it is evaluated
            x, y = self.emit_number(node.left), self.emit_number(node.right)
            if op in _PYTHON_OPERATORS:
                kind = float if op in ("+", "-", "*") else bool
                return self.assign(f"{x} {op} {y}", kind)
            return self.assign(f"{'divide' if op == 'div' else 'modulo'}({x}, {y})", float)
        a, b = self.emit(node.left), self.emit(node.right)
        if op in ("or", "and"):
            return self.assign(f"{self.boolean(a)} {op} {self.boolean(b)}", bool)
        if op == "=":
            return self.assign(f"equal({a}, {b})", bool)
        return self.assign(f"not equal({a}, {b})", bool)

    def emit_call(self, node: Call) -> str:
        name = node.name
        if name == "today" or name == "now":
            return self.assign(f"ctx.{name}.isoformat()")
        numeric = NUMERIC_IMPLEMENTATIONS.get((name, len(node.args)))
        if numeric is not None:  # (its arguments as numbers: see `emit_number`)
            numbers = [self.emit_number(arg) for arg in node.args]
            return self.assign(f"{self.bind(numeric)}({', '.join(numbers)})", float)
        args = [self.emit(arg) for arg in node.args]
        if name == "if" and len(args) == 3:
            kind = self.kinds.get(args[1])
            return self.assign(
                f"{args[1]} if {self.boolean(args[0])} else {args[2]}",
                kind if kind is self.kinds.get(args[2]) else None,
            )
        impl = IMPLEMENTATIONS.get((name, len(args)))
        if impl is None:  # the rest (true(), false(), concat(), min(), max(), '.' as argument)
            return self.assign(f"call({self.bind(name)}, [{', '.join(args)}], ctx)")
        return self.assign(f"{self.bind(impl)}({', '.join(args)})")


def compile_reference(name: str) -> Compiled:
    """``${name}`` compiled alone: read through ``ctx.lookup``, as ``interpret`` reads it."""
    unknown = f"unknown field '${{{name}}}'"

    def ref(ctx: Any) -> Value:
        try:
            raw = ctx.lookup(name)
        except KeyError:
            raise ExpressionError(unknown) from None
        kind = type(raw)
        if kind is str or kind is float or kind is bool:
            return raw  # type: ignore[no-any-return]
        return normalize(raw)

    return ref


def _compile_column(name: str) -> Compiled:
    message = (
        f"'{name}' is a choice column, but there is no choice row here (a string needs quotes)"
    )

    def column(ctx: Any) -> Value:
        current = ctx.current
        if not isinstance(current, Mapping):
            raise ExpressionError(message)
        return normalize(current.get(name))

    return column
