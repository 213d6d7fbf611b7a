"""Values and their conversions: what the operators compute (XPath 1.0, plus dates as days).

The value model and the conversion rules are summed up in the package docstring
(``app/forms/expressions/__init__.py``) and documented in ``docs/expressions.md``. Dates and
datetimes are strings recognised by their shape; as numbers they are days since 1970-01-01 in
the proleptic Gregorian calendar (``days_from_civil`` and ``civil_from_days``: Howard Hinnant's
algorithms, exact for every year).
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from app.forms.expressions.errors import ExpressionError

Value = str | float | bool | list[Any]

BLANK = " \t\r\n"  # the blanks XPath strips and splits on
_NUMBER = re.compile(r"[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2}(?:\.[0-9]+)?))?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a (year, month, day)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def civil_from_days(z: int) -> tuple[int, int, int]:
    """The (year, month, day) ``z`` days after 1970-01-01."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, doy - (153 * mp + 2) // 5 + 1


def date_days(text: str) -> int | None:
    """Days since 1970-01-01 of a valid ``YYYY-MM-DD``, else None."""
    m = _DATE.fullmatch(text)
    if m is None:
        return None
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    if not 1 <= mo <= 12 or not 1 <= d <= _MONTH_DAYS[mo - 1] + (mo == 2 and leap):
        return None
    return days_from_civil(y, mo, d)


def datetime_days(text: str) -> float | None:
    """Days since 1970-01-01 of a valid datetime (a fraction for the time; no zone is UTC),
    else None."""
    m = _DATETIME.fullmatch(text)
    days = None if m is None else date_days(m[1])
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


def normalize(value: Any, item: bool = False) -> Value:
    """A looked-up value as the language sees it: None is ``''``, an int a float, a date or a
    datetime its ISO text, a list's items likewise (``item``: an item of another type is ``''``)."""
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
        return [normalize(v, True) for v in value]
    if item:
        return ""
    raise ExpressionError(f"unsupported value of type {type(value).__name__}")


def to_number(v: Value) -> float:
    """``number()``: XPath's conversion, a date or a datetime as days since the epoch."""
    if type(v) is float:
        return v
    if type(v) is str:
        return string_number(v)
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    if isinstance(v, list):
        return to_number(to_string(v))
    return text_number(v)


@lru_cache(maxsize=4096)
def string_number(v: str) -> float:
    """``text_number`` remembered: a form compares the same dates and numbers again and again."""
    return text_number(v)


def text_number(v: str) -> float:
    """``number()`` of a string: a decimal number, a date, a datetime, else NaN."""
    if not v:
        return math.nan
    if _NUMBER.fullmatch(v):
        return float(v.strip(BLANK))
    days = date_days(v)
    if days is not None:
        return float(days)
    moment = datetime_days(v)
    return math.nan if moment is None else moment


def format_number(x: float) -> str:
    """A number as text: no exponent, no trailing ``.0``; ``NaN``, ``Infinity``."""
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


def to_string(v: Value) -> str:
    """``string()``: a list joins its items with single spaces."""
    if type(v) is str:
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return format_number(v)
    if isinstance(v, list):
        return " ".join(to_string(i) for i in v)
    return v


def to_bool(v: Value) -> bool:
    """``boolean()``: a non-zero non-NaN number, a non-empty string or list."""
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return not (v == 0 or math.isnan(v))
    return len(v) > 0


def equal(a: Value, b: Value) -> bool:
    """``=``: as booleans if either side is one, else as numbers if either is one (within
    1e-12, as JavaRosa), else as strings."""
    kind = type(a)
    if kind is type(b):
        if kind is str:
            return a == b
        if kind is float:
            return a == b or abs(a - b) < 1e-12  # type: ignore[operator]
    if isinstance(a, bool) or isinstance(b, bool):
        return to_bool(a) == to_bool(b)
    if isinstance(a, float) or isinstance(b, float):
        x, y = to_number(a), to_number(b)
        return x == y or abs(x - y) < 1e-12
    return to_string(a) == to_string(b)


def divide(x: float, y: float) -> float:
    """``div``, as IEEE 754 (``1 div 0`` is Infinity, ``0 div 0`` NaN)."""
    if y == 0:
        if x == 0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def modulo(x: float, y: float) -> float:
    """``mod``: the dividend's sign; ``x mod 0`` is NaN."""
    if math.isnan(x) or math.isnan(y) or math.isinf(x) or y == 0:
        return math.nan
    return x if math.isinf(y) else math.fmod(x, y)


def arithmetic(op: str, x: float, y: float) -> float:
    """``+ - * div mod`` of two numbers."""
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    return divide(x, y) if op == "div" else modulo(x, y)
