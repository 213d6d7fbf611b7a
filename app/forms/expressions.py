"""The form expression language (XLSForm / ODK XPath subset), evaluated on the server.

The tablet runs the same language in ``static/pwa/js/expr.js``; both are checked against
``tests/vectors/expressions.json`` (and against each other on random expressions).
``docs/expressions.md`` is the reference; in short:

Value model (identical in both evaluators)
    A value is a string, a number (a float here), a boolean or a list (a select_multiple's
    choice names; a repeat field seen from outside its repeat; a repeat's instances).
    Empty (``None``, ``''``) is the empty string ``''``. ``lookup`` results are normalised:
    ``None`` -> ``''``, ``int`` -> ``float``, ``date``/``datetime`` -> ISO string; list items
    likewise (an item of another type, e.g. a repeat instance's dict, becomes ``''``).

Conversions (XPath 1.0, plus dates)
    number: ``true`` 1, ``false`` 0; a string is a number if it is ``-?digits[.digits]``
    (blanks around allowed), else a date ``YYYY-MM-DD`` -> days since 1970-01-01, else a
    datetime ``YYYY-MM-DDTHH:MM[:SS[.f]][Z|+HH:MM]`` -> fractional days since the epoch
    (a datetime without a zone is UTC), else NaN; ``''`` is NaN; a list converts through
    its string.
    string: numbers without exponent or trailing ``.0`` (``NaN``, ``Infinity``);
    ``true``/``false``; a list joins its items with single spaces.
    boolean: non-zero non-NaN number, non-empty string (``'false'`` is true), non-empty list.

Operators
    ``=``/``!=``: if either side is a boolean both compare as booleans, else if either is a
    number both compare as numbers (equal within 1e-12, as JavaRosa), else as strings;
    ``!=`` is ``not(=)``. ``< <= > >=`` and arithmetic convert both sides to numbers, so
    dates compare and subtract as days; a comparison with NaN is false. ``div`` and ``mod``
    follow IEEE 754 (``1 div 0`` is Infinity, ``x mod 0`` NaN, ``mod`` keeps the dividend's
    sign). Every operand and argument is evaluated (no short-circuit, ``if`` included), so
    an unknown reference always fails.

Choice filters
    A bare name (``province = ${province}``) reads that column of the current choice row
    (``ctx.current`` is then a mapping; a missing column is empty). :func:`column_names`
    lists them, so a validator can reject them outside choice filters.

Errors
    Syntax errors, unknown functions and wrong argument counts raise ``ExpressionError`` from
    :func:`parse` (``position`` is the 0-based code point offset; the message says
    "at character N", 1-based). :func:`evaluate` raises it for an unknown field,
    ``count()``/``sum()`` of a non-list, a non-date string given to a date function, and an
    invalid regular expression, or a bare name where ``current`` is not a choice row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

__all__ = [
    "Context",
    "ExpressionError",
    "Node",
    "TreeField",
    "compile_resolved",
    "column_names",
    "evaluate",
    "evaluate_bool",
    "parse",
    "references",
]


class ExpressionError(ValueError):
    """A malformed expression, or one that cannot be evaluated."""

    def __init__(self, message: str, position: int | None = None) -> None:
        if position is not None:
            message = f"{message} at character {position + 1}"
        super().__init__(message)
        self.position = position


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
_BLANK = " \t\r\n"
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
        if ch in _BLANK:
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
        shown = _format_number(value) if kind == "num" else value
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
    return node


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


# --- values --------------------------------------------------------------------------------

Value = str | float | bool | list[Any]

_NUMBER = re.compile(r"[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2}(?:\.[0-9]+)?))?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_MIN_DAY, _MAX_DAY = -719162, 2932896  # 0001-01-01 and 9999-12-31
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_WEEKDAYS = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  # 1970-01-01 was a Thursday


def _days_from_civil(y: int, m: int, d: int) -> int:
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, doy - (153 * mp + 2) // 5 + 1


def _date_days(text: str) -> int | None:
    """Days since 1970-01-01 of a valid ``YYYY-MM-DD``, else None."""
    m = _DATE.fullmatch(text)
    if m is None:
        return None
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    if not 1 <= mo <= 12 or not 1 <= d <= _MONTH_DAYS[mo - 1] + (mo == 2 and leap):
        return None
    return _days_from_civil(y, mo, d)


def _datetime_days(text: str) -> float | None:
    m = _DATETIME.fullmatch(text)
    days = None if m is None else _date_days(m[1])
    if m is None or days is None:
        return None
    hour, minute, second = int(m[2]), int(m[3]), float(m[4] or 0)
    offset = 0
    if m[5] and m[5] != "Z":
        zone = m[5].replace(":", "")
        if int(zone[1:3]) > 23 or int(zone[3:]) > 59:
            return None
        offset = (-1 if zone[0] == "-" else 1) * (int(zone[1:3]) * 3600 + int(zone[3:]) * 60)
    if hour > 23 or minute > 59 or second >= 60:
        return None
    return days + (hour * 3600 + minute * 60 + second - offset) / 86400


def _normalize(value: Any, item: bool = False) -> Value:
    kind = type(value)
    if kind is str or kind is float or kind is bool:  # the common cases first
        return value  # type: ignore[no-any-return]
    if kind is int:
        return float(value)
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, list | tuple) and not item:
        return [_normalize(v, True) for v in value]
    if item:
        return ""
    raise ExpressionError(f"unsupported value of type {type(value).__name__}")


def _to_number(v: Value) -> float:
    if type(v) is float:
        return v
    if type(v) is str:
        return _string_number(v)
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    if isinstance(v, list):
        return _to_number(_to_string(v))
    return _text_number(v)


@lru_cache(maxsize=4096)
def _string_number(v: str) -> float:
    """``_text_number`` remembered: a form compares the same dates and numbers again and again."""
    return _text_number(v)


def _text_number(v: str) -> float:
    if not v:
        return math.nan
    if _NUMBER.fullmatch(v):
        return float(v.strip(_BLANK))
    days = _date_days(v)
    if days is not None:
        return float(days)
    moment = _datetime_days(v)
    return math.nan if moment is None else moment


def _format_number(x: float) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    text = repr(x)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text[:-2] if text.endswith(".0") else text


def _to_string(v: Value) -> str:
    if type(v) is str:
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return _format_number(v)
    if isinstance(v, list):
        return " ".join(_to_string(i) for i in v)
    return v


def _to_bool(v: Value) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return not (v == 0 or math.isnan(v))
    return len(v) > 0


def _equal(a: Value, b: Value) -> bool:
    kind = type(a)
    if kind is type(b):
        if kind is str:
            return a == b
        if kind is float:
            return a == b or abs(a - b) < 1e-12  # type: ignore[operator]
    if isinstance(a, bool) or isinstance(b, bool):
        return _to_bool(a) == _to_bool(b)
    if isinstance(a, float) or isinstance(b, float):
        x, y = _to_number(a), _to_number(b)
        return x == y or abs(x - y) < 1e-12
    return _to_string(a) == _to_string(b)


def _divide(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _modulo(x: float, y: float) -> float:
    if math.isnan(x) or math.isnan(y) or math.isinf(x) or y == 0:
        return math.nan
    return x if math.isinf(y) else math.fmod(x, y)


def _arithmetic(op: str, x: float, y: float) -> float:
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    return _divide(x, y) if op == "div" else _modulo(x, y)


def _date_number(v: Value) -> float:
    """``decimal-date-time()``: days since the epoch; NaN for empty; a non-date string fails."""
    if isinstance(v, list):
        v = _to_string(v)
    x = _to_number(v)
    if isinstance(v, str) and v and math.isnan(x):
        raise ExpressionError(f"'{v}' is not a date")
    return x


def _to_date(v: Value) -> str:
    """``date()``: a date string, a datetime's written date, or days since the epoch."""
    if isinstance(v, str):
        if _date_days(v) is not None:
            return v
        if _datetime_days(v) is not None:
            return v[:10]
    x = _date_number(v)
    return "" if math.isnan(x) else _date_of_days(x)


@lru_cache(maxsize=4096)
def _date_of_days(x: float) -> str:
    """(Remembered, as ``_string_number``: a form computes the same dates again and again.)"""
    if not _MIN_DAY <= x < _MAX_DAY + 1:
        raise ExpressionError(f"{_format_number(x)} days is out of range for a date")
    y, m, d = _civil_from_days(math.floor(x))
    return f"{y:04d}-{m:02d}-{d:02d}"


def _format_date(v: Value, pattern: str) -> str:
    text = _to_date(v)
    if not text:
        return ""
    y, m, d = int(text[:4]), int(text[5:7]), int(text[8:])
    parts = {"Y": f"{y:04d}", "m": f"{m:02d}", "d": f"{d:02d}", "e": str(d), "n": str(m),
             "b": _MONTHS[m - 1], "a": _WEEKDAYS[_days_from_civil(y, m, d) % 7]}  # fmt: skip
    return re.sub(r"%([Ymdenba])", lambda g: parts[g[1]], pattern)


def _round(x: float, digits: float) -> float:
    """Round half up (towards +infinity) at ``digits`` decimals of the shortest decimal form of x.

    As JavaRosa: NaN digits count as 0, more than 30 either way give NaN.
    """
    d = 0 if math.isnan(digits) else digits
    if not math.isfinite(x):
        return x
    if not -30 <= d <= 30:
        return math.nan
    return _round_at(x, int(d))


@lru_cache(maxsize=4096)
def _round_at(x: float, d: int) -> float:
    """(Remembered, as ``_string_number``; 0.0 and -0.0, the same key, both round to 0.0.)"""
    mantissa, _, exp = repr(x).partition("e")
    shifted = float(f"{mantissa}e{int(exp or 0) + d}")
    if abs(shifted) >= 2.0**52:
        return x
    whole = math.floor(shifted)
    if shifted - whole >= 0.5:
        whole += 1
    return float(f"{whole}e{-d}")


def _items(v: Value) -> list[str]:
    if isinstance(v, list):
        return [s for s in (_to_string(i) for i in v) if s]
    return [s for s in re.split(r"[ \t\r\n]+", _to_string(v)) if s]


def _numbers(args: list[Value]) -> list[float]:
    out: list[float] = []
    for a in args:
        out.extend(_to_number(i) for i in (a if isinstance(a, list) else [a]))
    return out


def _extreme(args: list[Value], smaller: bool) -> float:
    numbers = [n for n in _numbers(args) if not math.isnan(n)]
    if not numbers:
        return math.nan
    best = numbers[0]
    for n in numbers[1:]:
        if (n < best) if smaller else (n > best):
            best = n
    return best


def _substr(s: str, start: float, end: float | None) -> str:
    n = len(s)

    def index(x: float) -> int:
        if math.isnan(x):
            return 0
        i = n if x >= n else -n if x <= -n else int(x)
        return max(0, i + n if i < 0 else i)

    a, b = index(start), n if end is None else index(end)
    return s[a:b] if a < b else ""


def _regex(value: str, pattern: str) -> bool:
    try:
        return re.fullmatch(pattern, value, re.ASCII) is not None
    except re.error as exc:
        raise ExpressionError(f"invalid regular expression {pattern!r}: {exc}") from None


def _is_empty(v: Value) -> bool:
    return v in ("", []) or (isinstance(v, float) and math.isnan(v))


def _sum(v: Value) -> float:
    if not isinstance(v, list):
        raise ExpressionError("sum() needs a repeat or a list")
    total = 0.0
    for x in _numbers(v):
        if not math.isnan(x):
            total += x
    return total


def _trunc(x: float, how: Callable[[float], int]) -> float:
    return float(how(x)) if math.isfinite(x) else x


def _call(name: str, a: list[Value], ctx: Context) -> Value:
    s = _to_string
    n = _to_number
    if name in ("string", "number", "string-length") and not a:
        a = [_normalize(ctx.current)]
    match name:
        case "not":
            return not _to_bool(a[0])
        case "true" | "false":
            return name == "true"
        case "boolean":
            return _to_bool(a[0])
        case "selected":
            return s(a[1]).strip(_BLANK) in _items(a[0])
        case "count-selected":
            return float(len(_items(a[0])))
        case "string-length":
            return float(len(s(a[0])))
        case "today":
            return ctx.today.isoformat()
        case "now":
            return ctx.now.isoformat()
        case "date":
            return _to_date(a[0])
        case "decimal-date-time":
            return _date_number(a[0])
        case "format-date":
            return _format_date(a[0], s(a[1]))
        case "if":
            return a[1] if _to_bool(a[0]) else a[2]
        case "coalesce":
            return a[1] if _is_empty(a[0]) else a[0]
        case "concat":
            return "".join(s(v) for v in a)
        case "contains":
            return s(a[1]) in s(a[0])
        case "starts-with":
            return s(a[0]).startswith(s(a[1]))
        case "ends-with":
            return s(a[0]).endswith(s(a[1]))
        case "substr":
            return _substr(s(a[0]), n(a[1]), n(a[2]) if len(a) > 2 else None)
        case "string":
            return s(a[0])
        case "number":
            return n(a[0])
        case "int":
            return _trunc(n(a[0]), math.trunc)
        case "floor":
            return _trunc(n(a[0]), math.floor)
        case "ceiling":
            return _trunc(n(a[0]), math.ceil)
        case "abs":
            return abs(n(a[0]))
        case "round":
            return _round(n(a[0]), n(a[1]) if len(a) > 1 else 0.0)
        case "regex":
            return _regex(s(a[0]), s(a[1]))
        case "count":
            if not isinstance(a[0], list):
                raise ExpressionError("count() needs a repeat or a list")
            return float(len(a[0]))
        case "sum":
            return _sum(a[0])
        case "min" | "max":
            return _extreme(a, name == "min")
    raise ExpressionError(f"unknown function '{name}()'")  # pragma: no cover - parse checks


# --- evaluation ----------------------------------------------------------------------------


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


def _eval(node: Node, ctx: Context) -> Value:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Str):
        return node.value
    if isinstance(node, Ref):
        try:
            raw = ctx.lookup(node.name)
        except KeyError:
            raise ExpressionError(f"unknown field '${{{node.name}}}'") from None
        return _normalize(raw)
    if isinstance(node, Current):
        return _normalize(ctx.current)
    if isinstance(node, Column):
        if not isinstance(ctx.current, Mapping):
            raise ExpressionError(
                f"'{node.name}' is a choice column, but there is no choice row here"
                " (a string needs quotes)"
            )
        return _normalize(ctx.current.get(node.name))
    if isinstance(node, Neg):
        return -_to_number(_eval(node.operand, ctx))
    if isinstance(node, BinOp):
        left, right = _eval(node.left, ctx), _eval(node.right, ctx)
        op = node.op
        if op == "or":
            return _to_bool(left) or _to_bool(right)
        if op == "and":
            return _to_bool(left) and _to_bool(right)
        if op == "=":
            return _equal(left, right)
        if op == "!=":
            return not _equal(left, right)
        x, y = _to_number(left), _to_number(right)
        if op == "<":
            return x < y
        if op == "<=":
            return x <= y
        if op == ">":
            return x > y
        if op == ">=":
            return x >= y
        return _arithmetic(op, x, y)
    return _call(node.name, [_eval(arg, ctx) for arg in node.args], ctx)


def evaluate(source: str, ctx: Context) -> Any:
    """The value of ``source`` in ``ctx`` (str, float, bool or list); raise ExpressionError."""
    return _compiled(source)(ctx)


def evaluate_bool(source: str, ctx: Context) -> bool:
    """``boolean(source)``: for relevance, constraints and choice filters."""
    return _to_bool(_compiled(source)(ctx))


# --- compilation ---------------------------------------------------------------------------
#
# ``_compiled(source)`` turns a syntax tree into one Python function, once per source: each node
# becomes a line of straight code assigning its value to a local (no dispatch on the node's type
# and no call per node at evaluation time; the common case of a conversion, ``_to_number`` of a
# float or ``_to_bool`` of a boolean, is the value itself, inline), and a subtree of literals is
# folded into its value. The code computes exactly what ``_eval`` computes, in the same order
# (every operand and argument evaluated, left to right, with the same helpers), so the same
# values and the same errors come out; ``_eval`` stays the reference. ``ctx`` is anything with
# ``lookup``, ``current``, ``today`` and ``now`` (the validator passes a reusable scope of its
# own).

Compiled = Callable[[Any], Any]


@dataclass(frozen=True)
class TreeField:
    """A field read straight from ``ctx.tree`` (a dict): the value at ``keys`` (None where a key
    is missing or a level is not a dict); a string, a float or a boolean as it is, an int as its
    float, None as ``''`` (as ``_normalize`` makes them), anything else as ``finish`` makes it."""

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
    """``_to_number`` of a TreeField's value (``raw`` as read)."""
    return _to_number(_tree_value(raw, finish))


def _tree_equal(raw: Any, finish: Callable[[Any], Value], text: str, number: float) -> bool:
    """``_equal`` of a TreeField's value (``raw`` as read; not a str) and ``text``, whose number
    is ``number``: a number compares as a number (as ``_equal`` does)."""
    kind = type(raw)
    if kind is int or kind is float:
        x = float(raw)
        return x == number or abs(x - number) < 1e-12
    return _equal(_tree_value(raw, finish), text)


@lru_cache(maxsize=4096)
def _compiled(source: str) -> Compiled:
    """``source`` compiled; raise ExpressionError as :func:`parse` does."""
    return _compile(parse(source), None)


def compile_resolved(source: str, resolve: Resolve) -> Compiled:
    """``source`` compiled, its references compiled by ``resolve`` where it gives one; raise
    ExpressionError as :func:`parse` does. Not cached: a resolver belongs to its caller."""
    return _compile(parse(source), resolve)


def _compile(node: Node, resolve: Resolve | None) -> Compiled:
    try:
        code = _Code(resolve)
        result = code.emit(node)
        return code.function(result)
    except RecursionError:  # pragma: no cover - a tree deeper than the stack: interpret it
        return lambda ctx: _eval(node, ctx)


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
            "_normalize": _normalize, "_to_number": _to_number, "_to_bool": _to_bool,
            "_equal": _equal, "_divide": _divide, "_modulo": _modulo, "_call": _call,
            "_tree_number": _tree_number, "_tree_equal": _tree_equal, "_NO_LEVEL": _NO_LEVEL,
            "_NAN": math.nan,
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
        return f"({v} if type({v}) is float else _to_number({v}))"

    def boolean(self, v: str) -> str:
        if self.kinds.get(v) is bool:
            return v
        return f"({v} if {v} is True or {v} is False else _to_bool({v}))"

    def emit(self, node: Node) -> str:
        """Code computing ``node``'s value into a local (or a constant); its name."""
        if isinstance(node, Num | Str):
            return self.bind(node.value)
        if isinstance(node, BinOp | Neg | Call) and _is_constant(node):
            try:
                value = _eval(node, None)  # type: ignore[arg-type]  # (it reads no context)
            except RecursionError:
                raise  # (see _compile)
            except Exception:  # it fails at evaluation time, as it should: keep it unfolded
                return self.assign(f"{self.bind(lambda ctx: _eval(node, ctx))}(ctx)")
            return self.bind(value)
        if isinstance(node, Ref):
            resolved = self.resolved(node.name)
            if isinstance(resolved, TreeField):
                return self.emit_tree_field(resolved)
            ref = resolved if resolved is not None else _compile_ref(node.name)
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
            d = self.levels[keys] = self.assign(f"{v} if isinstance({v}, dict) else _NO_LEVEL")
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
        """Code for ``_to_number`` of ``node``'s value. A TreeField's value is converted where
        it is read (as it is normalised there; the conversion itself cannot fail): an int or a
        float at once, any other through ``_tree_number``."""
        field = self.tree_field(node)
        if field is not None:  # (None, read as '', is NaN)
            v = self.tree_value(field.keys)
            other = f"_NAN if {v} is None else _tree_number({v}, {self.bind(field.finish)})"
        elif isinstance(node, Current):
            v = self.current()
            other = f"_to_number(_normalize({v}))"
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

    def normalized(self, v: str, finish: str = "_normalize") -> str:
        """``_normalize(v)``, its common cases inline (``finish``: the rest but None)."""
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
            y = self.bind(_to_number(node.right.value))
            empty = self.bind(node.right.value == "")  # (None reads as '')
            same = (
                f"(({v} == {text}) if type({v}) is str else {empty} if {v} is None"
                f" else _tree_equal({v}, {self.bind(field.finish)}, {text}, {y}))"
            )
            return self.assign(same if op == "=" else f"not {same}", bool)
        if op in ("=", "!=") and isinstance(node.right, Str):  # ``${x} = 'yes'``, ``= ''``
            a, text = self.emit(node.left), self.bind(node.right.value)
            y = self.bind(_to_number(node.right.value))  # (as `_equal` compares a number)
            same = (
                f"(({a} == {text}) if type({a}) is str"
                f" else ({a} == {y} or abs({a} - {y}) < 1e-12) if type({a}) is float"
                f" else _equal({a}, {text}))"
            )
            return self.assign(same if op == "=" else f"not {same}", bool)
        if op not in ("or", "and", "=", "!="):
            # converting to a number cannot fail: converting both sides once both are evaluated
            # is the same as converting each as soon as it is evaluated
            x, y = self.emit_number(node.left), self.emit_number(node.right)
            if op in _PYTHON_OPERATORS:
                kind = float if op in ("+", "-", "*") else bool
                return self.assign(f"{x} {op} {y}", kind)
            return self.assign(f"{'_divide' if op == 'div' else '_modulo'}({x}, {y})", float)
        a, b = self.emit(node.left), self.emit(node.right)
        if op in ("or", "and"):
            return self.assign(f"{self.boolean(a)} {op} {self.boolean(b)}", bool)
        if op == "=":
            return self.assign(f"_equal({a}, {b})", bool)
        return self.assign(f"not _equal({a}, {b})", bool)

    def emit_call(self, node: Call) -> str:
        name = node.name
        if name == "today" or name == "now":
            return self.assign(f"ctx.{name}.isoformat()")
        numeric = _NUMERIC_IMPLEMENTATIONS.get((name, len(node.args)))
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
        impl = _IMPLEMENTATIONS.get((name, len(args)))
        if impl is None:  # the rest (true(), false(), concat(), min(), max(), '.' as argument)
            return self.assign(f"_call({self.bind(name)}, [{', '.join(args)}], ctx)")
        return self.assign(f"{self.bind(impl)}({', '.join(args)})")


def _compile_ref(name: str) -> Compiled:
    unknown = f"unknown field '${{{name}}}'"

    def ref(ctx: Any) -> Value:
        try:
            raw = ctx.lookup(name)
        except KeyError:
            raise ExpressionError(unknown) from None
        kind = type(raw)
        if kind is str or kind is float or kind is bool:
            return raw  # type: ignore[no-any-return]
        return _normalize(raw)

    return ref


def _compile_column(name: str) -> Compiled:
    message = (
        f"'{name}' is a choice column, but there is no choice row here (a string needs quotes)"
    )

    def column(ctx: Any) -> Value:
        current = ctx.current
        if not isinstance(current, Mapping):
            raise ExpressionError(message)
        return _normalize(current.get(name))

    return column


def _count(v: Value) -> float:
    if not isinstance(v, list):
        raise ExpressionError("count() needs a repeat or a list")
    return float(len(v))


# (name, number of arguments) -> the function of the evaluated arguments converted to numbers,
# for the functions that convert them at once (as their ``_IMPLEMENTATIONS`` do)
_NUMERIC_IMPLEMENTATIONS: dict[tuple[str, int], Callable[..., float]] = {
    ("number", 1): float,  # (a float already)
    ("int", 1): lambda x: _trunc(x, math.trunc),
    ("floor", 1): lambda x: _trunc(x, math.floor),
    ("ceiling", 1): lambda x: _trunc(x, math.ceil),
    ("abs", 1): abs,
    ("round", 1): lambda x: _round(x, 0.0),
    ("round", 2): _round,
}

# (name, number of arguments) -> the function of the evaluated arguments; as ``_call`` does.
_IMPLEMENTATIONS: dict[tuple[str, int], Callable[..., Value]] = {
    ("not", 1): lambda a: not _to_bool(a),
    ("boolean", 1): _to_bool,
    ("selected", 2): lambda a, b: _to_string(b).strip(_BLANK) in _items(a),
    ("count-selected", 1): lambda a: float(len(_items(a))),
    ("string-length", 1): lambda a: float(len(_to_string(a))),
    ("date", 1): _to_date,
    ("decimal-date-time", 1): _date_number,
    ("format-date", 2): lambda a, b: _format_date(a, _to_string(b)),
    ("if", 3): lambda a, b, c: b if _to_bool(a) else c,
    ("coalesce", 2): lambda a, b: b if _is_empty(a) else a,
    ("contains", 2): lambda a, b: _to_string(b) in _to_string(a),
    ("starts-with", 2): lambda a, b: _to_string(a).startswith(_to_string(b)),
    ("ends-with", 2): lambda a, b: _to_string(a).endswith(_to_string(b)),
    ("substr", 2): lambda a, b: _substr(_to_string(a), _to_number(b), None),
    ("substr", 3): lambda a, b, c: _substr(_to_string(a), _to_number(b), _to_number(c)),
    ("string", 1): _to_string,
    ("number", 1): _to_number,
    ("int", 1): lambda a: _trunc(_to_number(a), math.trunc),
    ("floor", 1): lambda a: _trunc(_to_number(a), math.floor),
    ("ceiling", 1): lambda a: _trunc(_to_number(a), math.ceil),
    ("abs", 1): lambda a: abs(_to_number(a)),
    ("round", 1): lambda a: _round(_to_number(a), 0.0),
    ("round", 2): lambda a, b: _round(_to_number(a), _to_number(b)),
    ("regex", 2): lambda a, b: _regex(_to_string(a), _to_string(b)),
    ("count", 1): _count,
    ("sum", 1): _sum,
}
