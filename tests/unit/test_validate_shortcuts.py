"""The shortcuts the validator (app/forms/validate/) takes give what the general path gives.

Reading takes the common values of the common types at once (`read_specs`); the attachments
are noted as they are read when settling cannot drop any (`Plan.attachments_as_read`); a note's
relevance is not evaluated; a field outside repeats uses its own path as its data path. Each is
compared here with the general path it stands for, on random forms and values.
"""

from __future__ import annotations

import copy
import random
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.forms.issues import Issue
from app.forms.schema import FormSchema
from app.forms.validate.plan import Plan, plan_for
from app.forms.validate.readers import INVALID, Reader, read_any
from app.forms.validate.submission import attachments_in
from tests.unit import test_domain_forms as domain
from tests.unit.test_validate_equivalence import (
    ODD,
    label,
    outcome,
    random_schema,
    run,
)
from tests.unit.test_validate_equivalence import value_for as equivalence_value

SOME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# a value of each type, and values near them (another type, out of range, not a choice...)
SAMPLES: dict[str, list[Any]] = {
    "text": ["a", "x" * 5, "x" * 6, "3", "", " ", "ក"],
    "integer": [0, 3, 10, 11, -1, 2.0, 2.5, True, 10**30, "3"],
    "decimal": [0, 0.5, -0.0, 3, 11, float("inf"), float("nan"), False],
    "date": ["2026-11-20", "2026-02-30", "2026-11-20\n", "20261120", "2026-11-20T10:00:00Z"],
    "datetime": ["2026-11-20T10:00:00+07:00", "2026-11-20T10:00:00", "2026-11-20"],
    "select_one": ["a", "b", "nope", "A", ["a"]],
    "select_multiple": [["a"], ["a", "b"], ["a", "a"], ["nope"], "a", []],
    "yes_no": ["yes", "no", "Yes", True],
    "geopoint": [{"lat": 11.5, "lon": 104.9, "accuracy": 8.0}, {"lat": 91, "lon": 0}],
    "photo": [domain.PHOTO, domain.PHOTO.upper(), domain.PHOTO + "\n", domain.PHOTO[:-1]],
    "signature": [domain.SIG, "x" * 64],
    "reference": [domain.INSTITUTION, domain.INSTITUTION.upper(), "{" + domain.INSTITUTION + "}"],
}  # fmt: skip


class Text(str):
    """A str of another type: the shortcuts leave it to the full readers."""


def one_field_plan(field_type: str) -> Plan:
    field: dict[str, Any] = {"name": "x", "type": field_type, "label": label("x")}
    if field_type in ("select_one", "select_multiple"):
        field["choices"] = [{"name": c, "label": label(c)} for c in "ab"]
    if field_type == "text":
        field["max_length"] = 5
    if field_type in ("integer", "decimal"):
        field |= {"min": 0, "max": 10}
    if field_type == "reference":
        field["reference"] = {"form_id": "institution"}
    return Plan(
        FormSchema.model_validate(
            {
                "form_id": "one",
                "version": "1",
                "title": label("one"),
                "roles": ["admin"],
                "fields": [field],
            }
        )
    )


def test_reading_a_value_at_once_keeps_or_refuses_it_as_its_full_reader_does() -> None:
    for field_type, samples in SAMPLES.items():
        plan = one_field_plan(field_type)
        (node,) = plan.nodes
        for value in [*samples, *ODD, *(Text(v) for v in samples if isinstance(v, str))]:
            reader = Reader(plan.schema)
            read = reader.read_level(plan.reads, plan.names, {"x": value}, "", {})
            expected_errors: list[Issue] = []
            full = INVALID if value is None else read_any(node, value, "", expected_errors)
            expected = {} if full is INVALID else {"x": full}
            assert repr(read) == repr(expected), (field_type, value)
            assert reader.errors == expected_errors, (field_type, value)
            media = field_type in ("photo", "signature") and bool(expected)
            assert reader.attachments == ([full] if media else []), (field_type, value)


def media_schema(rng: random.Random) -> FormSchema | None:
    """A small form with photos and signatures, some under a relevance, in groups and rows."""
    count = 0

    def level(depth: int) -> list[dict[str, Any]]:
        nonlocal count
        fields: list[dict[str, Any]] = []
        for _ in range(rng.randint(1, 4)):
            count += 1
            name = f"f{count}"
            roll = rng.random()
            if depth < 2 and roll < 0.3:
                kind = "group" if roll < 0.15 else "repeat"
                field = {"name": name, "type": kind, "label": label(name),
                         "fields": level(depth + 1)}  # fmt: skip
            else:
                kind = rng.choice(["photo", "signature", "yes_no", "integer"])
                field = {"name": name, "type": kind, "label": label(name)}
            if rng.random() < 0.25:
                field["relevant"] = f"${{f{rng.randint(1, count)}}} != 'no'"
            fields.append(field)
        return fields

    try:
        return FormSchema.model_validate({
            "form_id": "media", "version": "1", "title": label("media"), "roles": ["admin"],
            "fields": level(0),
        })  # fmt: skip
    except ValueError:
        return None


def media_value(schema: FormSchema, field: Any, rng: random.Random) -> Any:
    if field.type == "group":
        return {c.name: media_value(schema, c, rng) for c in field.fields if rng.random() < 0.8}
    if field.type == "repeat":
        return [
            {field.key_of_rows: str(uuid.UUID(int=rng.getrandbits(128)))}
            | {c.name: media_value(schema, c, rng) for c in field.fields if rng.random() < 0.8}
            for _ in range(rng.randint(0, 3))
        ]
    if field.type in ("photo", "signature"):
        return rng.choice([domain.PHOTO, domain.SIG, "ab" * 32, "x", None])
    if field.type == "yes_no":
        return rng.choice(["yes", "no", "maybe"])
    return rng.choice([0, 1, "x"])


@SOME
@given(seed=st.integers(0, 2**32))
def test_the_attachments_are_those_left_in_the_data(seed: int) -> None:
    rng = random.Random(seed)
    schema = media_schema(rng)
    if schema is None:
        return
    plan = plan_for(schema)
    for _ in range(4):
        data = {f.name: media_value(schema, f, rng) for f in schema.fields}
        result = run(schema, data)
        left = sorted(set(attachments_in(plan.nodes, result.data)))
        assert result.attachments == left


def without_note_relevance(schema: FormSchema) -> FormSchema:
    raw = schema.model_dump(exclude_none=True)

    def strip(fields: list[dict[str, Any]]) -> None:
        for field in fields:
            if field["type"] == "note":
                field.pop("relevant", None)
            strip(field.get("fields", []))

    strip(raw["fields"])
    return FormSchema.model_validate(raw)


@SOME
@given(seed=st.integers(0, 2**32))
def test_a_notes_relevance_changes_nothing(seed: int) -> None:
    rng = random.Random(seed)
    schema = random_schema(rng)
    if schema is None:
        return
    plain = without_note_relevance(schema)
    for _ in range(4):
        data = {f.name: equivalence_value(schema, f, rng) for f in schema.fields}
        assert outcome(run(schema, copy.deepcopy(data))) == outcome(run(plain, data))


def test_issues_in_rows_name_the_row_and_outside_rows_the_field() -> None:
    schema = FormSchema.model_validate({
        "form_id": "rows", "version": "1", "title": label("rows"), "roles": ["admin"],
        "fields": [
            {"name": "g", "type": "group", "label": label("g"), "fields": [
                {"name": "n", "type": "integer", "label": label("n"), "required": True,
                 "relevant": "${flag} = 'yes'"},
                {"name": "r", "type": "repeat", "label": label("r"), "fields": [
                    {"name": "h", "type": "group", "label": label("h"), "fields": [
                        {"name": "m", "type": "integer", "label": label("m"), "required": True,
                         "relevant": "${flag} = 'yes'"},
                        {"name": "c", "type": "integer", "label": label("c"),
                         "constraint": ". < 3"}]}]}]},
            {"name": "flag", "type": "yes_no", "label": label("flag")},
        ],
    })  # fmt: skip
    rows = [{"_row_id": str(uuid.UUID(int=i)), "h": {"c": 5}} for i in (1, 2)]
    result = run(schema, {"g": {"r": rows}, "flag": "yes"})
    assert [(e.path, e.code) for e in result.errors] == [
        ("g.n", "required"),
        ("g.r.0.h.m", "required"),
        ("g.r.0.h.c", "constraint_failed"),
        ("g.r.1.h.m", "required"),
        ("g.r.1.h.c", "constraint_failed"),
    ]
    result = run(schema, {"g": {"r": rows, "n": "x"}, "flag": "no"})
    assert [(e.path, e.code) for e in result.errors] == [
        ("g.r.0.h.c", "constraint_failed"),
        ("g.r.1.h.c", "constraint_failed"),
    ]
