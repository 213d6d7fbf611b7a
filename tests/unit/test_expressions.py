"""The form expression language (app/forms/expressions/) against the shared vectors.

tests/vectors/expressions.json is also run by static/pwa/tests/expr.test.mjs against the
tablet's evaluator, so both sides answer the same questions the same way.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from app.forms.expressions import (
    Context,
    ExpressionError,
    column_names,
    compiled,
    evaluate,
    evaluate_bool,
    parse,
    references,
)
from app.forms.expressions.syntax import MAX_TREE_DEPTH

VECTORS_PATH = Path(__file__).resolve().parents[1] / "vectors" / "expressions.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
SPECIAL_NUMBERS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
TOLERANCE = 1e-9


def decode(value: Any) -> Any:
    """JSON cannot hold NaN or infinities: the vectors write them as {"number": "NaN"}."""
    if isinstance(value, dict):
        return SPECIAL_NUMBERS[value["number"]]
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def same(actual: Any, expected: Any) -> bool:
    """Same type and value; numbers within 1e-9 (relative above 1), NaN equals NaN."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, int | float):
        if not isinstance(actual, int | float):
            return False
        if math.isnan(expected) or math.isnan(actual):
            return math.isnan(expected) and math.isnan(actual)
        if math.isinf(expected) or math.isinf(actual):
            return actual == expected
        return abs(actual - expected) <= TOLERANCE * max(1.0, abs(expected))
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return isinstance(actual, str) and actual == expected


def context_for(case: dict[str, Any]) -> Context:
    values: dict[str, Any] = case["values"]

    def lookup(name: str) -> Any:
        return values[name]  # KeyError for an unknown field

    return Context(
        lookup=lookup,
        current=case.get("current"),
        today=date.fromisoformat(case["today"]),
        now=datetime.fromisoformat(case["now"]),
    )


def case_id(index: int, case: dict[str, Any]) -> str:
    return f"{index:03d}:{case['expr'][:50]}"


@pytest.mark.parametrize("case", VECTORS, ids=[case_id(i, c) for i, c in enumerate(VECTORS)])
def test_vector(case: dict[str, Any]) -> None:
    ctx = context_for(case)
    if case.get("error"):
        with pytest.raises(ExpressionError):
            evaluate(case["expr"], ctx)
        return
    expected = decode(case["expected"])
    actual = evaluate(case["expr"], ctx)
    assert same(actual, expected), f"{case['expr']!r}: got {actual!r}, expected {expected!r}"


def test_vectors_file_is_well_formed_and_large_enough() -> None:
    assert len(VECTORS) >= 180
    allowed = {"expr", "values", "current", "today", "now", "expected", "error", "note"}
    for case in VECTORS:
        assert set(case) <= allowed, case
        assert ("expected" in case) != ("error" in case), case
        assert case.get("error", True) is True


def test_vectors_cover_every_function_and_operator() -> None:
    from app.forms.expressions import FUNCTIONS

    text = "\n".join(c["expr"] for c in VECTORS)
    for name in FUNCTIONS:
        assert f"{name}(" in text, name
    for op in [" = ", "!=", " < ", "<=", " > ", ">=", " and ", " or ", "+", " - ", "*",
               " div ", " mod "]:  # fmt: skip
        assert op in text, op


def test_syntax_error_names_the_position() -> None:
    with pytest.raises(ExpressionError, match="at character 5") as caught:
        parse("1 + * 2")
    assert caught.value.position == 4


def test_position_counts_code_points_in_khmer_text() -> None:
    # 'កម្ពុជា' is 7 code points, 9 with its quotes; the '+' is at index 10, the end at 11.
    with pytest.raises(ExpressionError) as caught:
        parse("'កម្ពុជា' +")
    assert caught.value.position == 11
    assert "end of expression" in str(caught.value)


def test_unterminated_string_points_at_its_quote() -> None:
    with pytest.raises(ExpressionError, match="unterminated string at character 8"):
        parse("${a} = 'yes")


def test_unknown_function_is_named_at_parse_time() -> None:
    with pytest.raises(ExpressionError, match=r"unknown function 'pulldata\(\)' at character 8"):
        parse("${a} + pulldata('x', 'y', 'z', 'w')")


def test_wrong_argument_count_is_reported_at_parse_time() -> None:
    with pytest.raises(ExpressionError, match=r"if\(\) takes 3 arguments, got 2"):
        parse("if(${a}, 1)")
    with pytest.raises(ExpressionError, match=r"not\(\) takes 1 argument, got 0"):
        parse("not()")


def test_unknown_field_fails_at_evaluation_naming_it() -> None:
    ctx = Context(lookup={}.__getitem__, today=date(2026, 11, 24), now=datetime(2026, 11, 24))
    parse("${ghost} = 'yes'")  # parses: fields are only known to the caller
    with pytest.raises(ExpressionError, match=r"unknown field '\$\{ghost\}'"):
        evaluate("${ghost} = 'yes'", ctx)


def test_references_lists_each_field_once() -> None:
    source = "${a} + count(${b}) > ${a} and selected(${c_1.x}, 'd') and . > 0"
    assert references(source) == {"a", "b", "c_1.x"}
    assert references("today() - 3") == set()
    assert references("concat('${not_a_ref}', 'x')") == set()


def test_column_names_finds_bare_names_for_choice_filters_and_missing_quotes() -> None:
    assert column_names("province = ${province} and selected(${s}, name)") == {"province", "name"}
    assert column_names("${consent} = yes") == {"yes"}
    assert column_names("${consent} = 'yes'") == set()
    assert references("province = ${province}") == {"province"}


def test_choice_filter_reads_columns_of_the_choice_row() -> None:
    values = {"province": "kandal"}
    ctx = Context(
        lookup=values.__getitem__,
        current={"name": "ks", "province": "kandal"},
        today=date(2026, 11, 24),
        now=datetime(2026, 11, 24),
    )
    assert evaluate_bool("province = ${province}", ctx) is True


def test_a_bare_name_without_a_choice_row_fails_suggesting_quotes() -> None:
    ctx = Context(lookup={}.__getitem__, today=date(2026, 11, 24), now=datetime(2026, 11, 24))
    with pytest.raises(ExpressionError, match="a string needs quotes"):
        evaluate("yes", ctx)


def test_references_of_a_broken_expression_raises() -> None:
    with pytest.raises(ExpressionError):
        references("${a} +")


def test_evaluate_bool_applies_xpath_boolean() -> None:
    values: dict[str, Any] = {"m": [], "s": "no", "n": 0}
    ctx = Context(lookup=values.__getitem__, today=date(2026, 11, 24), now=datetime(2026, 11, 24))
    assert evaluate_bool("${m}", ctx) is False
    assert evaluate_bool("${s}", ctx) is True
    assert evaluate_bool("${n}", ctx) is False
    assert evaluate_bool("${n} + 1", ctx) is True


def test_python_dates_ints_and_none_from_lookup_are_normalised() -> None:
    values: dict[str, Any] = {
        "dob": date(2024, 2, 29),
        "seen": datetime(1970, 1, 1, 7, 0, tzinfo=timezone(timedelta(hours=7))),
        "count": 3,
        "blank": None,
    }
    ctx = Context(lookup=values.__getitem__, today=date(2026, 11, 24), now=datetime(2026, 11, 24))
    assert evaluate("today() - ${dob}", ctx) == 999.0
    assert evaluate("decimal-date-time(${seen})", ctx) == 0.0
    assert evaluate("${count}", ctx) == 3.0
    assert isinstance(evaluate("${count}", ctx), float)
    assert evaluate("${blank}", ctx) == ""


def test_current_value_is_dot() -> None:
    ctx = Context(
        lookup={}.__getitem__, current="2026-11-25", today=date(2026, 11, 24), now=datetime.now()
    )
    assert evaluate_bool(". <= today()", ctx) is False


def test_parse_is_cached_and_trees_are_immutable() -> None:
    assert parse("1 + ${x}") is parse("1 + ${x}")


def test_deep_nesting_is_an_expression_error_not_a_crash() -> None:
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("-" * 500 + "1")
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("not(" * 500 + "1" + ")" * 500)


@pytest.mark.parametrize("op", ["+", "-", "*", "div", "mod", "and", "or", "=", "!=", "<"])
def test_a_long_flat_chain_is_an_expression_error_not_a_crash(op: str) -> None:
    """A chain of operators nests one level per operator: every tool that walks the tree
    (references, evaluation, code generation) recursed past Python's limit at 3,000 terms."""
    long = f" {op} ".join(["${x}"] * 3000)
    for use in (parse, references, compiled):
        with pytest.raises(ExpressionError, match="expression too long"):
            use(long)
    within = f" {op} ".join(["${x}"] * (MAX_TREE_DEPTH))  # depth = terms: the longest allowed
    assert references(within) == {"x"}
    compiled(within)
