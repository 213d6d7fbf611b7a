"""Expressions compiled to read the validator's tree agree with the interpreter on odd trees.

`compile_resolved` reads a TreeField's value where it is used: a number where a number is wanted
(`${a} + 1`, `round(${a}, 1)`), a text compared with a constant (`${a} = 'yes'`). The tree's
values here are of every type a submission's tree may hold and more (ints too large for a
float, None, booleans, geopoints, lists, -0.0), and its levels are sometimes not dicts.
"""

from __future__ import annotations

import functools
import math
import random
from datetime import UTC, date, datetime
from typing import Any

from app.forms.expressions import (
    ExpressionError,
    TreeField,
    compile_resolved,
    interpret,
    normalize,
    parse,
)
from tests.unit.test_expressions_agree import STRINGS, VALUES, random_expression

ODD: list[Any] = [
    None, "", 0, 1, -3, 7, 2.5, -0.0, 10**400, 123456789012, True, False, "yes", "no", "41",
    "2024-02-29", "2026-11-24T08:00:00+07:00", ["a", "b"], [], [3, "", "12.5"],
    {"lat": 1.5, "lon": 2, "accuracy": 3}, {"x": 1}, [{"x": 1}], "កម្ពុជា",
]  # fmt: skip
CURRENTS: list[Any] = [None, "", 5, "2026-11-25", True, -0.5, 10**400, ["a"]]


def as_read(raw: Any) -> Any:
    """What the validator's lookup gives for a raw value: a geopoint as ODK's text."""
    if isinstance(raw, dict) and "lat" in raw:
        return " ".join(str(raw.get(k, 0)) for k in ("lat", "lon", "altitude", "accuracy"))
    return raw


def finish(raw: Any) -> Any:
    return normalize(as_read(raw))


class TreeContext:
    """A context whose `lookup` reads the same tree as the compiled TreeFields."""

    def __init__(self, tree: dict[str, Any], paths: dict[str, tuple[str, ...]], current: Any):
        self.tree, self.paths, self.current = tree, paths, current
        self.today = date(2026, 11, 24)
        self.now = datetime(2026, 11, 24, 1, tzinfo=UTC)

    def lookup(self, name: str) -> Any:
        value: Any = self.tree
        for key in self.paths[name]:
            value = value.get(key) if isinstance(value, dict) else None
        return as_read(value)


def outcome(fn: Any, ctx: TreeContext) -> tuple[Any, ...]:
    try:
        value = fn(ctx)
    except ExpressionError as exc:
        return "error", str(exc)
    except ArithmeticError as exc:  # an int too large for a float
        return "arithmetic", type(exc).__name__
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return type(value).__name__, repr(value)  # (repr: -0.0 is not 0.0)


def random_tree(rng: random.Random) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    """A tree holding each name of VALUES at the top, in group `g` or in `h.g`."""
    paths: dict[str, tuple[str, ...]] = {}
    tree: dict[str, Any] = {}
    for name in VALUES:
        roll = rng.random()
        keys = (name,) if roll < 0.5 else ("g", name) if roll < 0.8 else ("h", "g", name)
        paths[name] = keys
        level = tree
        for key in keys[:-1]:
            level = level.setdefault(key, {})
        level[keys[-1]] = rng.choice(ODD) if rng.random() < 0.7 else VALUES[name]
    if rng.random() < 0.1:  # a level that is not a dict reads as nothing
        tree["g"] = rng.choice([None, 3, "x", [1]])
    if rng.random() < 0.1:
        tree["h"] = rng.choice([None, {"g": 5}, [1]])
    return tree, paths


def read_at(paths: dict[str, tuple[str, ...]], name: str) -> TreeField:
    return TreeField(paths[name], finish)


def comparison(rng: random.Random) -> str:
    """`${a} = 'text'` and the like, which are compiled apart."""
    name = rng.choice(list(VALUES))
    text = rng.choice([*STRINGS, "''", "'1'", "'0'"])
    found = f"${{{name}}} {rng.choice(['=', '!='])} {text}"
    return f"{found} and {random_expression(rng, 2)}" if rng.random() < 0.3 else found


def test_expressions_reading_odd_trees_agree_with_the_interpreter() -> None:
    rng = random.Random(20261124)
    checked = 0
    for _ in range(6000):
        source = comparison(rng) if rng.random() < 0.3 else random_expression(rng, 4)
        try:
            node = parse(source)
        except ExpressionError:
            continue
        tree, paths = random_tree(rng)
        ctx = TreeContext(tree, paths, rng.choice(CURRENTS))
        compiled = compile_resolved(source, functools.partial(read_at, paths))
        expected = outcome(functools.partial(interpret, node), ctx)
        assert outcome(compiled, ctx) == expected, (source, tree, ctx.current)
        checked += 1
    assert checked > 4000
