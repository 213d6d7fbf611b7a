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

Modules, each importing only those above it
    ``errors``     ExpressionError
    ``values``     the value model: normalising, converting, comparing, arithmetic, dates as days
    ``functions``  the function library on evaluated arguments
    ``syntax``     tokenizer, parser, syntax tree; ``FUNCTIONS`` (names and argument counts)
    ``interpret``  ``Context`` and the tree interpreter, the reference meaning
    ``compile``    the fast path: a tree compiled to straight-line Python, as interpreted
"""

from __future__ import annotations

from typing import Any

from app.forms.expressions.compile import (
    Compiled,
    Resolve,
    TreeField,
    compile_reference,
    compile_resolved,
    compiled,
    generate_code,
)
from app.forms.expressions.errors import ExpressionError
from app.forms.expressions.interpret import Context, interpret
from app.forms.expressions.syntax import FUNCTIONS, Node, column_names, parse, references
from app.forms.expressions.values import Value, normalize, to_bool

__all__ = [
    "FUNCTIONS",
    "Compiled",
    "Context",
    "ExpressionError",
    "Node",
    "Resolve",
    "TreeField",
    "Value",
    "column_names",
    "compile_reference",
    "compile_resolved",
    "compiled",
    "evaluate",
    "evaluate_bool",
    "generate_code",
    "interpret",
    "normalize",
    "parse",
    "references",
    "to_bool",
]


def evaluate(source: str, ctx: Context) -> Any:
    """The value of ``source`` in ``ctx`` (str, float, bool or list); raise ExpressionError."""
    return compiled(source)(ctx)


def evaluate_bool(source: str, ctx: Context) -> bool:
    """``boolean(source)``: for relevance, constraints and choice filters."""
    return to_bool(compiled(source)(ctx))
