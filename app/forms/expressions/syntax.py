"""The syntax: tokens, the parser and the tree it makes.

:func:`parse` turns a source into a tree of the node classes below, or raises ExpressionError
(``position``: the 0-based code point offset). Function names and argument counts are checked
here, against ``FUNCTIONS``: an unknown function or a wrong count is a syntax error, so
evaluation never meets one. Nesting deeper than ``MAX_DEPTH`` (parentheses, calls, unary
minus) is refused too, and so is a tree deeper than ``MAX_TREE_DEPTH`` (a long flat chain
``a + b + c …`` nests one level per operator): evaluation and code generation recurse over the
tree, and a form must get a clear error, never a RecursionError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.forms.expressions.errors import ExpressionError
from app.forms.expressions.values import BLANK, format_number

# --- syntax tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Current:
    pass


@dataclass(frozen=True)
class Column:
    """A bare name: a column of the current choice row, in a choice filter."""

    name: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Num | Str | Ref | Current | Column | Neg | BinOp | Call

# name -> (minimum, maximum) number of arguments; -1 means any number.
FUNCTIONS: dict[str, tuple[int, int]] = {
    "not": (1, 1), "true": (0, 0), "false": (0, 0), "boolean": (1, 1),
    "selected": (2, 2), "count-selected": (1, 1), "string-length": (0, 1),
    "today": (0, 0), "now": (0, 0), "date": (1, 1), "decimal-date-time": (1, 1),
    "format-date": (2, 2), "if": (3, 3), "coalesce": (2, 2), "concat": (0, -1),
    "contains": (2, 2), "starts-with": (2, 2), "ends-with": (2, 2), "substr": (2, 3),
    "string": (0, 1), "number": (0, 1), "int": (1, 1), "round": (1, 2), "floor": (1, 1),
    "ceiling": (1, 1), "abs": (1, 1), "regex": (2, 2), "count": (1, 1), "sum": (1, 1),
    "min": (1, -1), "max": (1, -1),
}  # fmt: skip

MAX_DEPTH = 50
MAX_TREE_DEPTH = 150
_TOKEN = re.compile(
    r"(?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"|(?P<ref>\$\{)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_:]*(?:-[A-Za-z][A-Za-z0-9_:]*)*)"
    r"|(?P<op>!=|<=|>=|[=<>+\-*(),])"
)
_REF_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_WORD_OPS = {"and", "or", "div", "mod"}


# --- parser --------------------------------------------------------------------------------


def _tokenize(src: str) -> list[tuple[str, Any, int]]:
    tokens: list[tuple[str, Any, int]] = []
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        if ch in BLANK:
            i += 1
        elif ch in "'\"":
            end = src.find(ch, i + 1)
            if end < 0:
                raise ExpressionError("unterminated string", i)
            tokens.append(("str", src[i + 1 : end], i))
            i = end + 1
        elif ch == "." and not ("0" <= src[i + 1 : i + 2] <= "9"):
            if src[i + 1 : i + 2] == ".":
                raise ExpressionError("'..' is not supported", i)
            tokens.append(("dot", ".", i))
            i += 1
        else:
            m = _TOKEN.match(src, i)
            if m is None:
                raise ExpressionError(f"unexpected character {ch!r}", i)
            kind = m.lastgroup or ""
            if kind == "ref":
                end = src.find("}", i)
                name = src[i + 2 : end] if end >= 0 else ""
                if end < 0 or not _REF_NAME.fullmatch(name):
                    raise ExpressionError("malformed field reference", i)
                tokens.append(("ref", name, i))
                i = end + 1
                continue
            text = m.group()
            if kind == "num":
                tokens.append(("num", float(text), i))
            elif kind == "name" and text in _WORD_OPS:
                tokens.append(("op", text, i))
            else:
                tokens.append((kind, text, i))
            i = m.end()
    tokens.append(("end", None, n))
    return tokens


class _Parser:
    def __init__(self, src: str) -> None:
        self.tokens = _tokenize(src)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, Any, int]:
        return self.tokens[self.i]

    def take_op(self, *ops: str) -> str | None:
        kind, value, _ = self.tokens[self.i]
        if kind == "op" and value in ops:
            self.i += 1
            return str(value)
        return None

    def expect(self, op: str) -> None:
        if self.take_op(op) is None:
            self.fail(f"expected '{op}'")

    def fail(self, message: str) -> None:
        kind, value, pos = self.peek()
        shown = format_number(value) if kind == "num" else value
        found = "end of expression" if kind == "end" else f"'{shown}'"
        raise ExpressionError(f"{message}, found {found}", pos)

    def binary(self, level: int) -> Node:
        levels = (("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"),
                  ("*", "div", "mod"))  # fmt: skip
        if level == len(levels):
            return self.unary()
        node = self.binary(level + 1)
        while (op := self.take_op(*levels[level])) is not None:
            node = BinOp(op, node, self.binary(level + 1))
        return node

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("expression nested too deeply", self.peek()[2])
        node = self.binary(0)
        self.depth -= 1
        return node

    def unary(self) -> Node:
        if self.take_op("-") is not None:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionError("expression nested too deeply", self.peek()[2])
            node = Neg(self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        kind, value, pos = self.peek()
        self.i += 1
        if kind == "num":
            return Num(value)
        if kind == "str":
            return Str(value)
        if kind == "ref":
            return Ref(value)
        if kind == "dot":
            return Current()
        if kind == "op" and value == "(":
            node = self.expression()
            self.expect(")")
            return node
        if kind == "name":
            if self.take_op("(") is None:
                return Column(value)
            args: list[Node] = []
            if self.take_op(")") is None:
                args.append(self.expression())
                while self.take_op(",") is not None:
                    args.append(self.expression())
                self.expect(")")
            _check_call(value, len(args), pos)
            return Call(value, tuple(args))
        self.i -= 1
        self.fail("expected a value")
        raise AssertionError  # unreachable


def _check_call(name: str, count: int, pos: int) -> None:
    if name not in FUNCTIONS:
        raise ExpressionError(f"unknown function '{name}()'", pos)
    low, high = FUNCTIONS[name]
    if count < low or (high >= 0 and count > high):
        wanted = str(low) if low == high else f"{low} or more" if high < 0 else f"{low} to {high}"
        plural = "" if wanted == "1" else "s"
        raise ExpressionError(f"{name}() takes {wanted} argument{plural}, got {count}", pos)


@lru_cache(maxsize=2048)
def parse(source: str) -> Node:
    """Parse ``source`` into a syntax tree; raise ExpressionError if it is malformed."""
    parser = _Parser(source)
    node = parser.expression()
    if parser.peek()[0] != "end":
        parser.fail("unexpected token")
    if _tree_depth(node) > MAX_TREE_DEPTH:
        raise ExpressionError(
            f"expression too long: more than {MAX_TREE_DEPTH} operations inside one another"
            " (split it into calculate fields)",
            0,
        )
    return node


def _tree_depth(root: Node) -> int:
    """The tree's depth, found without recursion (the tree may be very deep)."""
    deepest = 0
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, Neg):
            stack.append((node.operand, depth + 1))
        elif isinstance(node, BinOp):
            stack.extend(((node.left, depth + 1), (node.right, depth + 1)))
        elif isinstance(node, Call):
            stack.extend((arg, depth + 1) for arg in node.args)
    return deepest


def references(source: str) -> set[str]:
    """The field names referenced as ``${name}`` in ``source``."""
    return _names(source, Ref)


def column_names(source: str) -> set[str]:
    """The bare names in ``source``: choice columns in a choice filter, a mistake elsewhere
    (usually a string without its quotes: ``${consent} = yes``)."""
    return _names(source, Column)


def _names(source: str, kind: type[Ref] | type[Column]) -> set[str]:
    found: set[str] = set()

    def walk(node: Node) -> None:
        if isinstance(node, kind):
            found.add(node.name)
        elif isinstance(node, Neg):
            walk(node.operand)
        elif isinstance(node, BinOp):
            walk(node.left)
            walk(node.right)
        elif isinstance(node, Call):
            for arg in node.args:
                walk(arg)

    walk(parse(source))
    return found
