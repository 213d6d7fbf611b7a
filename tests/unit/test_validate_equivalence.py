"""The fast paths of app/forms/validate/ give exactly what the plain algorithm gives.

Settling runs passes until relevance and calculations stop changing. After the first, a pass
works out again only what reads a field that changed in the previous one, and takes the rest
as that pass left it (`Settler.incremental`); with it off, every pass works everything out again
and copies every level, the plain algorithm `Settler.settle` describes. Both must give identical
results (errors with their messages, flags, data with its types and key order, attachments,
location) for the ten built-in forms over many mutated submissions, and for random forms whose
calculations and relevances read each other across groups and repeats. Validating the data a
validation returns must give that data again. The readers' shortcuts (a UUID by pattern, a
geopoint of plain numbers) agree with the general checks, expressions compiled to read the
validator's tree agree with the interpreter, and with no generated code at all (expressions
interpreted) the validator gives exactly what it gives with it.
"""

from __future__ import annotations

import copy
import functools
import itertools
import math
import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.forms.definitions import BUILTIN_FORM_IDS, load_builtin_form
from app.forms.expressions import (
    ExpressionError,
    TreeField,
    compile_reference,
    compile_resolved,
    generate_code,
    interpret,
    normalize,
    parse,
)
from app.forms.issues import Issue
from app.forms.schema import FormSchema, walk
from app.forms.validate import ValidationResult, validate_submission
from app.forms.validate.readers import INVALID, is_geopoint, is_uuid, read_geopoint
from app.forms.validate.settle import Settler
from tests.unit import test_domain_forms as domain
from tests.unit import test_validation_vectors as vectors
from tests.unit.test_expressions import context_for
from tests.unit.test_expressions_agree import VALUES, random_cases

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
SOME = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# values of every JSON type, and the ones `==` confuses (1, 1.0, True; 0.0, -0.0; "", [])
ODD: list[Any] = [
    None, "", [], {}, 0, 1, 1.0, -0.0, 0.5, True, False, "yes", "no", "x", 7, 7.0, -1, 10**6,
    "2026-01-01", "2026-02-30", "2026-11-20T10:00:00+07:00", "12", "120203", ["a"], [1],
    {"lat": 11.5, "lon": 104.9, "accuracy": 8.0}, {"lat": 100, "lon": 2, "accuracy": 3},
    domain.PHOTO, domain.INSTITUTION, domain.INSTITUTION.upper(), "x" * 3000,
]  # fmt: skip


@contextmanager
def plain_passes() -> Iterator[None]:
    Settler.incremental = False
    try:
        yield
    finally:
        Settler.incremental = True


def run(schema: FormSchema, data: Any) -> ValidationResult:
    return validate_submission(
        schema, data, today=TODAY, now=NOW, lookup_record=domain.lookup_record
    )


def outcome(result: ValidationResult) -> tuple[Any, ...]:
    """Everything a result says, types and key order included (`repr`: 1, 1.0, True differ)."""

    def issues(found: list[Issue]) -> list[tuple[Any, ...]]:
        return [(i.path, i.code, i.message, i.message_km, i.urgent) for i in found]

    return (
        issues(result.errors),
        issues(result.flags),
        repr(result.data),
        result.attachments,
        result.location,
    )


def assert_settles_alike(schema: FormSchema, data: Any) -> ValidationResult:
    fast = run(schema, copy.deepcopy(data))
    with plain_passes():
        slow = run(schema, copy.deepcopy(data))
    assert outcome(fast) == outcome(slow)
    return fast


# --- the built-in forms ------------------------------------------------------------------------


def value_for(schema: FormSchema, f: Any, rng: random.Random) -> Any:
    """A value for field `f`: often one of its type, sometimes anything."""
    if rng.random() < 0.15:
        return rng.choice(ODD)
    t = f.type
    if t in ("select_one", "select_multiple"):
        names = [c.name for c in schema.choices_for(f)] + ["nope"]
        return rng.choice(names) if t == "select_one" else rng.sample(names, rng.randint(0, 2))
    if t == "group":
        return {c.name: value_for(schema, c, rng) for c in f.fields if rng.random() < 0.8}
    if t == "repeat":
        return [
            {f.key_of_rows: str(uuid.UUID(int=rng.getrandbits(128)))}
            | {c.name: value_for(schema, c, rng) for c in f.fields if rng.random() < 0.8}
            for _ in range(rng.randint(0, 3))
        ]
    choices: dict[str, list[Any]] = {
        "text": ["a", "Tour groups", "3"],
        "integer": [0, 1, 2, 3, 13, 40, -2, 2.0, 1.5, 1000],
        "decimal": [0, 0.0, 1.5, -0.0, 3],
        "date": ["2026-11-20", "2026-11-30", "2010-01-01"],
        "datetime": ["2026-11-20T10:00:00+07:00", "2026-11-20T10:00:00"],
        "yes_no": ["yes", "no"],
        "reference": [domain.INSTITUTION, domain.CHILD, domain.OTHER_RECORD],
        "photo": [domain.PHOTO],
        "signature": [domain.SIG],
        "geopoint": [{"lat": 11.5, "lon": 104.9, "accuracy": 8.0, "altitude": 2}],
    }
    return rng.choice(choices.get(t, ODD))


def mutated(schema: FormSchema, data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """`data` with a few fields (in groups, or in a random row) deleted or set."""
    data = copy.deepcopy(data)
    infos = list(walk(schema.fields))
    for _ in range(rng.randint(1, 6)):
        info = rng.choice(infos)
        *parents, last = info.path.split(".")
        level: Any = data
        for name in parents:
            level = level.get(name) if isinstance(level, dict) else None
            if isinstance(level, list):
                level = rng.choice(level) if level else None
        if not isinstance(level, dict):
            continue
        if rng.random() < 0.3:
            level.pop(last, None)
        else:
            level[last] = value_for(schema, info.field, rng)
    if rng.random() < 0.05:
        data["not_a_field"] = 1
    return data


@SOME
@given(form_id=st.sampled_from(sorted(BUILTIN_FORM_IDS)), seed=st.integers(0, 2**32))
def test_builtin_forms_settle_alike_in_incremental_and_plain_passes(
    form_id: str, seed: int
) -> None:
    schema = load_builtin_form(form_id)
    rng = random.Random(seed)
    sample = domain.GOOD[form_id]()
    assert_settles_alike(schema, mutated(schema, sample, rng))


@SOME
@given(form_id=st.sampled_from(sorted(BUILTIN_FORM_IDS)), seed=st.integers(0, 2**32))
def test_validating_the_returned_data_again_gives_it_back(form_id: str, seed: int) -> None:
    schema = load_builtin_form(form_id)
    first = run(schema, mutated(schema, domain.GOOD[form_id](), random.Random(seed)))
    again = run(schema, first.data)
    assert repr(again.data) == repr(first.data)
    assert (again.attachments, again.location) == (first.attachments, first.location)
    # a value refused the first time is gone: at most its absence is reported, at its path
    # (a row that was not an object is an empty row, whose key is missing)
    before = {e.path for e in first.errors}
    for e in again.errors:
        assert any(e.path == p or e.path.startswith(p + ".") for p in before), e
    if first.ok:
        assert outcome(again) == outcome(first)


def test_every_sample_settles_alike() -> None:
    for form_id in BUILTIN_FORM_IDS:
        result = assert_settles_alike(load_builtin_form(form_id), domain.GOOD[form_id]())
        assert result.ok, (form_id, result.errors)


# --- random forms: calculations and relevances reading each other --------------------------


def label(text: str) -> dict[str, str]:
    return {"en": text, "km": "ក " + text}


def random_schema(rng: random.Random) -> FormSchema | None:
    """A small form whose relevances and calculations read each other (in chains, in cycles,
    across groups and repeats, of every type), or None when the schema check refuses it."""
    names: list[str] = []
    calculated: list[str] = []

    def level(depth: int) -> list[dict[str, Any]]:
        fields: list[dict[str, Any]] = []
        for _ in range(rng.randint(1, 4)):
            name = f"f{len(names)}"
            names.append(name)
            roll = rng.random()
            if depth < 2 and roll < 0.25:
                kind = "group" if roll < 0.15 else "repeat"
                fields.append({"name": name, "type": kind, "label": label(name),
                               "fields": level(depth + 1)})  # fmt: skip
                continue
            t = rng.choice(["integer", "decimal", "text", "yes_no", "select_one", "calculate",
                            "note", "select_multiple", "date"])  # fmt: skip
            field: dict[str, Any] = {"name": name, "type": t, "label": label(name)}
            if t in ("select_one", "select_multiple"):
                field["choices"] = [{"name": c, "label": label(c), "filter": {"k": c}}
                                    for c in "abc"]  # fmt: skip
            if t == "calculate" or (t in ("integer", "decimal", "text") and rng.random() < 0.3):
                calculated.append(name)
                field["calculation"] = "?"
                if t != "calculate":
                    field["read_only"] = True
            fields.append(field)
        return fields

    fields = level(0)

    def ref() -> str:
        pool = calculated if calculated and rng.random() < 0.5 else names
        return "${" + rng.choice(pool) + "}"

    def expression() -> str:
        a, b = ref(), ref()
        return rng.choice([
            f"{a} + {b}", f"{a} > 2", f"{a} = 'yes'", f"if({a} > 1, {b}, '')", f"{a} * 1.5",
            f"{a} div 2", f"coalesce({a}, 0) + 1", f"count({a})", f"sum({a})", f"string({a})",
            f"{a} != ''", f"not({a} = 'no')", f"{a} = 1", a, f"round({a} div 3, 1)",
            f"{a} - {b} + 0.5", f"int({a}) mod 3 = 0", f"concat({a}, 'x')", f"{a} or {b}",
            f"date({a} + 182)", f"{a} <= today()", f"selected({a}, 'a')", "${nosuch} > 1",
            f"if({a} = 'yes', 1, 0) + if({b} = 'yes', 1, 0)", f"{a} = true()", f"-{a}",
        ])  # fmt: skip

    def decorate(level: list[dict[str, Any]]) -> None:
        for field in level:
            if rng.random() < 0.3:
                field["relevant"] = expression()
            if field["type"] in ("group", "repeat"):
                decorate(field["fields"])
                continue
            if field.get("calculation") == "?":
                field["calculation"] = expression()
            elif field["type"] not in ("note", "calculate") and rng.random() < 0.3:
                field["required"] = True if rng.random() < 0.7 else expression()
            if field["type"] not in ("note", "calculate") and rng.random() < 0.15:
                field["constraint"] = rng.choice([expression(), f". >= {ref()}"])

    decorate(fields)
    try:
        return FormSchema.model_validate({
            "form_id": "random", "version": "1", "title": label("random"), "roles": ["admin"],
            "fields": fields,
        })  # fmt: skip
    except ValueError:
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32))
def test_random_forms_settle_alike_in_incremental_and_plain_passes(seed: int) -> None:
    rng = random.Random(seed)
    schema = random_schema(rng)
    if schema is None:
        return
    for _ in range(5):
        data = {f.name: value_for(schema, f, rng) for f in schema.fields if rng.random() < 0.9}
        assert_settles_alike(schema, data)


def test_a_group_relevant_again_is_worked_out_afresh() -> None:
    """Pass 1 finds `g` relevant but `g.c` not, pass 2 `g` not, pass 3 both: `g.c` is
    required again, though found not relevant inside `g` two passes before."""
    schema = FormSchema.model_validate({
        "form_id": "flip", "version": "1", "title": label("flip"), "roles": ["admin"],
        "fields": [
            {"name": "a", "type": "integer", "label": label("a")},
            {"name": "c1", "type": "calculate", "calculation": "${a} + 1"},
            {"name": "c2", "type": "calculate", "calculation": "${c1} + 1"},
            {"name": "g", "type": "group", "label": label("g"),
             "relevant": "${c1} = '' or ${c2} != ''", "fields": [
                 {"name": "c", "type": "text", "label": label("c"), "required": True,
                  "relevant": "${c1} != ''"}]},
        ],
    })  # fmt: skip
    result = assert_settles_alike(schema, {"a": 1})
    assert [(e.path, e.code) for e in result.errors] == [("g.c", "required")]
    assert result.data == {"a": 1, "c1": 2, "c2": 3}


def test_random_forms_are_mostly_valid_schemas() -> None:
    made = [random_schema(random.Random(seed)) for seed in range(200)]
    assert sum(schema is not None for schema in made) > 120


# --- the readers' shortcuts ------------------------------------------------------------------


def canonical_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def uuid_like() -> st.SearchStrategy[str]:
    u = st.uuids().map(str)
    return st.one_of(
        u,
        u.map(str.upper),
        u.map(lambda s: "{" + s + "}"),
        u.map(lambda s: "urn:uuid:" + s),
        u.map(lambda s: s.replace("-", "")),
        u.map(lambda s: s + "\n"),
        st.tuples(u, st.integers(0, 35), st.characters()).map(
            lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + 1 :]
        ),  # fmt: skip
        st.text(alphabet="0123456789abcdefABCDEF-_{} ٣", max_size=40),
    )


@settings(max_examples=500, deadline=None)
@given(value=uuid_like())
def test_a_uuid_is_accepted_exactly_as_the_uuid_round_trip_accepts_it(value: str) -> None:
    assert is_uuid(value) == canonical_uuid(value)


class _Geopoint:
    name = "gps"
    type = "geopoint"


NUMBER = st.one_of(
    st.sampled_from([0, -0.0, 1, 11.5, 90, 90.5, -90, -180, 180.0, 180.5, 1e308, 10**400]),
    st.sampled_from([math.nan, math.inf, -math.inf, True, False, "1", None, [1]]),
    st.floats(),
    st.integers(),
)
GEOPOINT = st.one_of(
    st.fixed_dictionaries(
        {"lat": NUMBER, "lon": NUMBER, "accuracy": NUMBER},
        optional={"altitude": NUMBER, "alt": NUMBER},
    ),
    st.dictionaries(st.sampled_from(["lat", "lon", "accuracy", "altitude", "alt"]), NUMBER),
)


@settings(max_examples=1000, deadline=None)
@given(value=GEOPOINT)
def test_a_geopoint_passes_the_shortcut_exactly_as_it_passes_the_full_check(
    value: dict[str, Any],
) -> None:
    errors: list[Issue] = []
    read = read_geopoint(_Geopoint, value, "", errors)  # type: ignore[arg-type]
    assert (read is value) == is_geopoint(value)
    assert (read is INVALID) == (not is_geopoint(value))


def test_every_small_geopoint_passes_the_shortcut_exactly_as_the_full_check() -> None:
    numbers = [0, -0.0, 11.5, 90, 90.5, -180.0, 180.5, math.nan, math.inf, -math.inf, True, "1"]
    for lat, lon, accuracy in itertools.product(numbers, repeat=3):
        for extra in ({}, {"altitude": 2}, {"altitude": math.inf}, {"alt": 2}, {"altitude": None}):
            value = {"lat": lat, "lon": lon, "accuracy": accuracy, **extra}
            read = read_geopoint(_Geopoint, value, "", [])  # type: ignore[arg-type]
            assert (read is value) == is_geopoint(value), value


def test_a_calculation_is_written_in_its_field_type() -> None:
    calculations = {"d": "decimal", "i": "integer", "c": "calculate", "t": "text", "h": "decimal"}
    schema = FormSchema.model_validate({
        "form_id": "types", "version": "1", "title": label("types"), "roles": ["admin"],
        "fields": [
            {"name": "x", "type": "decimal", "label": label("x")},
            *({"name": name, "type": t, "label": label(name),
               "calculation": "${x} div 3" if name == "h" else "${x} * 2",
               "read_only": t != "calculate"}
              for name, t in calculations.items()),
            {"name": "never", "type": "decimal", "label": label("n"), "calculation": "1 div 0",
             "read_only": True},
            {"name": "empty", "type": "text", "label": label("e"), "calculation": "''",
             "read_only": True},
        ],
    })  # fmt: skip
    result = assert_settles_alike(schema, {"x": 1})
    assert repr(result.data) == repr(
        {"x": 1, "d": 2.0, "i": 2, "c": 2, "t": "2.0", "h": 0.3333333333333333}
    )


# --- expressions read straight from the validator's tree ------------------------------------


class TreeContext:
    """A context whose `lookup` and `tree` hold the same values (at the top and in group `g`)."""

    def __init__(self, case: dict[str, Any]) -> None:
        context = context_for(case)
        self.lookup = context.lookup
        self.current, self.today, self.now = context.current, context.today, context.now
        self.tree = {**VALUES, "g": dict(VALUES)}


def resolver(rng: random.Random) -> Callable[[str], Any]:
    def resolve(name: str) -> Any:
        roll = rng.random()
        if name not in VALUES or roll < 0.2:
            return None  # through ctx.lookup
        if roll < 0.4:
            return compile_reference(name)
        return TreeField((name,) if roll < 0.7 else ("g", name), normalize)

    return resolve


def evaluated(fn: Callable[[Any], Any], ctx: Any) -> tuple[str, Any]:
    try:
        value = fn(ctx)
    except ExpressionError as exc:
        return "error", str(exc)
    if isinstance(value, float) and math.isnan(value):
        return "nan", None
    return type(value).__name__, repr(value)  # (repr: -0.0 is not 0.0)


def test_expressions_reading_the_tree_agree_with_the_interpreter() -> None:
    rng = random.Random(20261124)
    checked = 0
    for case in random_cases(4000, seed=7):
        try:
            node = parse(case["expr"])
        except ExpressionError:
            continue
        ctx = TreeContext(case)
        compiled = compile_resolved(case["expr"], resolver(rng))
        expected = evaluated(functools.partial(interpret, node), ctx)
        assert evaluated(compiled, ctx) == expected, case["expr"]
        checked += 1
    assert checked > 3000


# --- the generated code is a fast path only ------------------------------------------------


@contextmanager
def interpreted_expressions() -> Iterator[None]:
    generate_code(False)
    try:
        yield
    finally:
        generate_code(True)


def assert_interprets_alike(
    schema: FormSchema, data: Any, lookup: Any, today: date = TODAY, now: datetime = NOW
) -> None:
    """`schema` validates `data` alike with generated code and with the interpreter (a plan is
    made per schema object: the interpreter gets a copy of its own)."""
    again = schema.model_copy(deep=True)
    fast = validate_submission(
        schema, copy.deepcopy(data), today=today, now=now, lookup_record=lookup
    )
    with interpreted_expressions():
        slow = validate_submission(
            again, copy.deepcopy(data), today=today, now=now, lookup_record=lookup
        )
    assert outcome(fast) == outcome(slow)


def test_the_vectors_validate_alike_with_expressions_interpreted() -> None:
    for case in vectors.CASES:
        today = date.fromisoformat(case["today"])
        now = datetime.fromisoformat(case.get("now", vectors.VECTORS["now"]))
        schema = vectors.schema_of(case)
        assert_interprets_alike(schema, case["data"], vectors.lookup_record, today, now)


def test_builtin_and_random_forms_validate_alike_with_expressions_interpreted() -> None:
    rng = random.Random(20261207)
    for form_id in BUILTIN_FORM_IDS:
        schema = load_builtin_form(form_id)
        for _ in range(12):
            data = mutated(schema, domain.GOOD[form_id](), rng)
            assert_interprets_alike(schema, data, domain.lookup_record)
    checked = 0
    for seed in range(80):
        schema = random_schema(random.Random(seed))
        if schema is None:
            continue
        for _ in range(3):
            data = {f.name: value_for(schema, f, rng) for f in schema.fields if rng.random() < 0.9}
            assert_interprets_alike(schema, data, domain.lookup_record)
        checked += 1
    assert checked > 40
