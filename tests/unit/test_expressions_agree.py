"""The server (app/forms/expressions/) and the tablet (static/pwa/js/expr.js) agree.

Node evaluates cases with expr.js through static/pwa/tests/eval_vectors.mjs; each result must
be identical to the Python evaluator's (same type, same value bit for bit, or both an
ExpressionError). Two sets of cases: the shared vectors, and a few thousand random
expressions drawn from the grammar with a fixed seed, which reach corners (number
formatting, rounding, dates, conversions) no hand-written vector thinks of.

Without ``node`` the tests skip, unless CI=true: then they fail.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.forms.expressions import FUNCTIONS, ExpressionError, evaluate
from tests.conftest import skip_or_fail
from tests.unit.test_expressions import VECTORS, VECTORS_PATH, case_id, context_for, decode

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "static" / "pwa" / "tests" / "eval_vectors.mjs"


def run_node(cases_file: Path) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        skip_or_fail("node is required to check the tablet's evaluator")
    done = subprocess.run(
        [node, str(SCRIPT), str(cases_file)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=True,
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def python_result(case: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"ok": True, "value": evaluate(case["expr"], context_for(case))}
    except ExpressionError as exc:
        return {"ok": False, "message": str(exc)}


def identical(py: Any, js: Any) -> bool:
    if isinstance(py, bool) or isinstance(js, bool):
        return py is js
    if isinstance(py, float):
        # JSON.stringify writes 3.6e18 as an integer; read it back as the double it was.
        if not isinstance(js, int | float):
            return False
        return py == float(js) or (math.isnan(py) and math.isnan(js))
    if isinstance(py, list):
        return (
            isinstance(js, list)
            and len(py) == len(js)
            and all(identical(p, j) for p, j in zip(py, js, strict=True))
        )
    return isinstance(js, str) and py == js


def disagreement(case: dict[str, Any], js: dict[str, Any]) -> str | None:
    """None when both evaluators agree on ``case``, else a description."""
    py = python_result(case)
    if not js["ok"] and not js["expressionError"]:
        return f"{case['expr']!r}: JS crashed: {js['message']}"
    if py["ok"] != js["ok"]:
        return f"{case['expr']!r}: Python {py}, JS {js}"
    if py["ok"] and not identical(py["value"], decode(js["value"])):
        return f"{case['expr']!r}: Python {py['value']!r}, JS {js['value']!r}"
    return None


@pytest.fixture(scope="module")
def js_vector_results() -> list[dict[str, Any]]:
    results = run_node(VECTORS_PATH)
    assert len(results) == len(VECTORS)
    return results


@pytest.mark.parametrize(
    "index", range(len(VECTORS)), ids=[case_id(i, c) for i, c in enumerate(VECTORS)]
)
def test_server_and_tablet_agree_on_vector(
    index: int, js_vector_results: list[dict[str, Any]]
) -> None:
    problem = disagreement(VECTORS[index], js_vector_results[index])
    assert problem is None, problem


# --- random expressions ----------------------------------------------------------------

VALUES: dict[str, Any] = {
    "n": 7, "f": 2.5, "neg": -3, "z": 0, "big": 123456789012, "tiny": 0.000001,
    "s": "41", "k": "កម្ពុជា", "w": "yes", "e": None, "blank": "", "m": ["a", "b"],
    "m0": [], "r": [3, "", "12.5"], "d": "2024-02-29", "t": "2026-11-24T08:00:00+07:00",
    "b": True, "kids": [{"x": 1}, {"x": 2}],
}  # fmt: skip
NUMBERS = ["0", "1", "2", "3", "7", "10", "12", "30", "100", "365.25", "0.1", "0.5", "2.5",
           "2.675", "1.005", "1234.5678", "0.0000001", "20781", "123456789012345678901234",
           ".25", "5."]  # fmt: skip
STRINGS = ["'a'", "''", "'កម្ពុជា'", "'ស្វាយ'", "'2026-01-31'", "'2026-02-30'", "' 12 '",
           "'abc'", "'a b'", "'-0.5'", "'1970-01-01T12:00:00Z'", "'true'", "'false'", "'0'",
           "\"x'y\""]  # fmt: skip
PATTERNS = ["'[a-z]+'", "'.*'", "'[0-9]{2}'", "'[\\u1780-\\u17FF]+'", "'a|b'", "'\\d+'"]
FORMATS = ["'%Y-%m-%d'", "'%e/%n/%Y'", "'%a %b'", "'%d'", "'no format'"]
OPERATORS = ["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"]


def random_expression(rng: random.Random, depth: int) -> str:
    roll = rng.random()
    if depth <= 0 or roll < 0.3:
        pick = rng.random()
        if pick < 0.35:
            return rng.choice(NUMBERS)
        if pick < 0.6:
            return rng.choice(STRINGS)
        if pick < 0.95:
            return "${" + rng.choice(list(VALUES)) + "}"
        return "."
    if roll < 0.6:
        op = rng.choice(OPERATORS)
        left, right = random_expression(rng, depth - 1), random_expression(rng, depth - 1)
        text = f"{left} {op} {right}"
        return f"({text})" if rng.random() < 0.5 else text
    if roll < 0.65:
        return "-" + random_expression(rng, depth - 1)
    name = rng.choice(sorted(FUNCTIONS))
    low, high = FUNCTIONS[name]
    count = rng.randint(low, high if high >= 0 else low + 3)
    args = [random_expression(rng, depth - 1) for _ in range(count)]
    if name == "regex":
        args[1] = rng.choice(PATTERNS)
    if name == "format-date":
        args[1] = rng.choice(FORMATS)
    return f"{name}({', '.join(args)})"


def random_cases(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    currents: list[Any] = [None, "", 5, "2026-11-25", "ក", ["a"], True, -0.5]
    return [
        {
            "expr": random_expression(rng, 4),
            "values": VALUES,
            "current": rng.choice(currents),
            "today": "2026-11-24",
            "now": "2026-11-24T08:00:00+07:00",
        }
        for _ in range(count)
    ]


def test_server_and_tablet_agree_on_random_expressions(tmp_path: Path) -> None:
    cases = random_cases(3000, seed=20261124)
    cases_file = tmp_path / "random.json"
    cases_file.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    results = run_node(cases_file)
    assert len(results) == len(cases)
    problems = [p for c, r in zip(cases, results, strict=True) if (p := disagreement(c, r))]
    assert not problems, f"{len(problems)} disagreements, e.g.:\n" + "\n".join(problems[:15])
    # The sample must mostly evaluate, or it proves little.
    assert sum(r["ok"] for r in results) > len(cases) * 0.6
