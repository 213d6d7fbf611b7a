"""The function library: each function of the language on evaluated arguments.

``interpret.call`` calls them by name; the compiled code (``compile``) calls them through
``IMPLEMENTATIONS`` and ``NUMERIC_IMPLEMENTATIONS``, keyed by name and number of arguments.
Both give the same values and raise the same errors. ``today()``, ``now()``, ``true()``,
``false()``, ``concat()``, ``min()``, ``max()`` and the functions reading ``.`` when given no
argument are implemented by ``interpret.call`` alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache

from app.forms.expressions.errors import ExpressionError
from app.forms.expressions.values import (
    BLANK,
    Value,
    civil_from_days,
    date_days,
    datetime_days,
    days_from_civil,
    format_number,
    to_bool,
    to_number,
    to_string,
)

_MIN_DAY, _MAX_DAY = -719162, 2932896  # 0001-01-01 and 9999-12-31
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_WEEKDAYS = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  # 1970-01-01 was a Thursday


def date_number(v: Value) -> float:
    """``decimal-date-time()``: days since the epoch; NaN for empty; a non-date string fails."""
    if isinstance(v, list):
        v = to_string(v)
    x = to_number(v)
    if isinstance(v, str) and v and math.isnan(x):
        raise ExpressionError(f"'{v}' is not a date")
    return x


def to_date(v: Value) -> str:
    """``date()``: a date string, a datetime's written date, or days since the epoch."""
    if isinstance(v, str):
        if date_days(v) is not None:
            return v
        if datetime_days(v) is not None:
            return v[:10]
    x = date_number(v)
    return "" if math.isnan(x) else date_of_days(x)


@lru_cache(maxsize=4096)
def date_of_days(x: float) -> str:
    """(Remembered, as ``string_number``: a form computes the same dates again and again.)"""
    if not _MIN_DAY <= x < _MAX_DAY + 1:
        raise ExpressionError(f"{format_number(x)} days is out of range for a date")
    y, m, d = civil_from_days(math.floor(x))
    return f"{y:04d}-{m:02d}-{d:02d}"


def format_date(v: Value, pattern: str) -> str:
    """``format-date()``: ``date(v)`` written as ``pattern`` says."""
    text = to_date(v)
    if not text:
        return ""
    y, m, d = int(text[:4]), int(text[5:7]), int(text[8:])
    parts = {"Y": f"{y:04d}", "m": f"{m:02d}", "d": f"{d:02d}", "e": str(d), "n": str(m),
             "b": _MONTHS[m - 1], "a": _WEEKDAYS[days_from_civil(y, m, d) % 7]}  # fmt: skip
    return re.sub(r"%([Ymdenba])", lambda g: parts[g[1]], pattern)


def round_half_up(x: float, digits: float) -> float:
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
    """(Remembered, as ``string_number``; 0.0 and -0.0, the same key, both round to 0.0.)"""
    mantissa, _, exp = repr(x).partition("e")
    shifted = float(f"{mantissa}e{int(exp or 0) + d}")
    if abs(shifted) >= 2.0**52:
        return x
    whole = math.floor(shifted)
    if shifted - whole >= 0.5:
        whole += 1
    return float(f"{whole}e{-d}")


def items_of(v: Value) -> list[str]:
    """The items of a select_multiple's value (a list, or a string of names between blanks)."""
    if isinstance(v, list):
        return [s for s in (to_string(i) for i in v) if s]
    return [s for s in re.split(r"[ \t\r\n]+", to_string(v)) if s]


def _numbers(args: list[Value]) -> list[float]:
    out: list[float] = []
    for a in args:
        out.extend(to_number(i) for i in (a if isinstance(a, list) else [a]))
    return out


def extreme(args: list[Value], smaller: bool) -> float:
    """``min()`` or ``max()`` over the arguments, lists flattened, NaN skipped."""
    numbers = [n for n in _numbers(args) if not math.isnan(n)]
    if not numbers:
        return math.nan
    best = numbers[0]
    for n in numbers[1:]:
        if (n < best) if smaller else (n > best):
            best = n
    return best


def substr(s: str, start: float, end: float | None) -> str:
    """``substr()``: code points ``start`` to ``end``; negative indexes count from the end."""
    n = len(s)

    def index(x: float) -> int:
        if math.isnan(x):
            return 0
        i = n if x >= n else -n if x <= -n else int(x)
        return max(0, i + n if i < 0 else i)

    a, b = index(start), n if end is None else index(end)
    return s[a:b] if a < b else ""


def regex_matches(value: str, pattern: str) -> bool:
    """``regex()``: whether all of ``value`` matches ``pattern``."""
    try:
        return re.fullmatch(pattern, value, re.ASCII) is not None
    except re.error as exc:
        raise ExpressionError(f"invalid regular expression {pattern!r}: {exc}") from None


def is_empty(v: Value) -> bool:
    """Empty for ``coalesce()``: ``''``, an empty list or NaN."""
    return v in ("", []) or (isinstance(v, float) and math.isnan(v))


def sum_of(v: Value) -> float:
    """``sum()`` of a list, skipping what is not a number."""
    if not isinstance(v, list):
        raise ExpressionError("sum() needs a repeat or a list")
    total = 0.0
    for x in _numbers(v):
        if not math.isnan(x):
            total += x
    return total


def truncated(x: float, how: Callable[[float], int]) -> float:
    """``int()``, ``floor()`` or ``ceiling()`` (``how``) of a number; NaN and the infinities
    unchanged."""
    return float(how(x)) if math.isfinite(x) else x


def count_of(v: Value) -> float:
    """``count()`` of a list."""
    if not isinstance(v, list):
        raise ExpressionError("count() needs a repeat or a list")
    return float(len(v))


# (name, number of arguments) -> the function of the evaluated arguments converted to numbers,
# for the functions that convert them at once (as their ``IMPLEMENTATIONS`` do)
NUMERIC_IMPLEMENTATIONS: dict[tuple[str, int], Callable[..., float]] = {
    ("number", 1): float,  # (a float already)
    ("int", 1): lambda x: truncated(x, math.trunc),
    ("floor", 1): lambda x: truncated(x, math.floor),
    ("ceiling", 1): lambda x: truncated(x, math.ceil),
    ("abs", 1): abs,
    ("round", 1): lambda x: round_half_up(x, 0.0),
    ("round", 2): round_half_up,
}

# (name, number of arguments) -> the function of the evaluated arguments, as
# ``interpret.call`` computes it
IMPLEMENTATIONS: dict[tuple[str, int], Callable[..., Value]] = {
    ("not", 1): lambda a: not to_bool(a),
    ("boolean", 1): to_bool,
    ("selected", 2): lambda a, b: to_string(b).strip(BLANK) in items_of(a),
    ("count-selected", 1): lambda a: float(len(items_of(a))),
    ("string-length", 1): lambda a: float(len(to_string(a))),
    ("date", 1): to_date,
    ("decimal-date-time", 1): date_number,
    ("format-date", 2): lambda a, b: format_date(a, to_string(b)),
    ("if", 3): lambda a, b, c: b if to_bool(a) else c,
    ("coalesce", 2): lambda a, b: b if is_empty(a) else a,
    ("contains", 2): lambda a, b: to_string(b) in to_string(a),
    ("starts-with", 2): lambda a, b: to_string(a).startswith(to_string(b)),
    ("ends-with", 2): lambda a, b: to_string(a).endswith(to_string(b)),
    ("substr", 2): lambda a, b: substr(to_string(a), to_number(b), None),
    ("substr", 3): lambda a, b, c: substr(to_string(a), to_number(b), to_number(c)),
    ("string", 1): to_string,
    ("number", 1): to_number,
    ("int", 1): lambda a: truncated(to_number(a), math.trunc),
    ("floor", 1): lambda a: truncated(to_number(a), math.floor),
    ("ceiling", 1): lambda a: truncated(to_number(a), math.ceil),
    ("abs", 1): lambda a: abs(to_number(a)),
    ("round", 1): lambda a: round_half_up(to_number(a), 0.0),
    ("round", 2): lambda a, b: round_half_up(to_number(a), to_number(b)),
    ("regex", 2): lambda a, b: regex_matches(to_string(a), to_string(b)),
    ("count", 1): count_of,
    ("sum", 1): sum_of,
}
