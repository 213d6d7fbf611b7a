"""The native form format: what a valid schema is, what is refused and why, canonical bytes."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pydantic import ValidationError

from app.forms.schema import (
    DEFAULT_ROW_KEY,
    FormSchema,
    canonical_json,
    content_hash,
    walk,
)


def t(text: str) -> dict[str, str]:
    return {"en": text, "km": "ខ្មែរ " + text}


def base_form() -> dict[str, Any]:
    return {
        "form_id": "home_visit",
        "version": "2026.1",
        "title": t("Home visit"),
        "roles": ["social_worker"],
        "location_field": "commune",
        "choice_lists": {"sex": [{"name": "female", "label": t("Female")},
                                 {"name": "male", "label": t("Male")}]},
        "fields": [
            {"name": "commune", "type": "text", "label": t("Commune")},
            {"name": "visit_date", "type": "date", "label": t("Date"), "required": True},
            {"name": "sex", "type": "select_one", "label": t("Sex"), "choice_list": "sex"},
            {"name": "household", "type": "group", "label": t("Household"), "fields": [
                {"name": "size", "type": "integer", "label": t("Size"), "min": 1},
                {"name": "members", "type": "repeat", "label": t("Members"), "max_count": 20,
                 "fields": [
                     {"name": "member_name", "type": "text", "label": t("Name")},
                     {"name": "member_age", "type": "integer", "label": t("Age"),
                      "constraint": ". <= 120"},
                 ]},
            ]},
            {"name": "member_count", "type": "calculate", "calculation": "count(${members})"},
        ],
        "rules": [
            {"id": "big_household", "kind": "flag", "when": "${size} > 15",
             "path": "household.size", "message": t("A large household")},
        ],
    }  # fmt: skip


def mutate(form: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    """A copy of `form` with the item at `path` replaced (or deleted when value is ...)."""
    form = copy.deepcopy(form)
    target = form
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return form


def test_a_well_formed_form_validates() -> None:
    schema = FormSchema.model_validate(base_form())
    assert schema.form_id == "home_visit"
    assert [i.path for i in walk(schema.fields)] == [
        "commune", "visit_date", "sex", "household", "household.size", "household.members",
        "household.members.member_name", "household.members.member_age", "member_count",
    ]  # fmt: skip


def test_walk_names_the_repeats_around_each_field() -> None:
    schema = FormSchema.model_validate(base_form())
    repeats = {i.path: i.repeats for i in walk(schema.fields)}
    assert repeats["household.members.member_age"] == ("household.members",)
    assert repeats["household.size"] == ()


def test_field_at_finds_nested_fields_by_dotted_path() -> None:
    schema = FormSchema.model_validate(base_form())
    found = schema.field_at("household.members.member_age")
    assert found is not None and found.type == "integer"
    assert schema.field_at("household.nothing") is None


def test_a_repeat_has_the_default_row_key() -> None:
    schema = FormSchema.model_validate(base_form())
    members = schema.field_at("household.members")
    assert members is not None and members.key_of_rows == DEFAULT_ROW_KEY == "_row_id"


def test_shared_choice_lists_resolve() -> None:
    schema = FormSchema.model_validate(base_form())
    sex = schema.field_at("sex")
    assert sex is not None
    assert [c.name for c in schema.choices_for(sex)] == ["female", "male"]


HOUSEHOLD = ["fields", 3, "fields"]
MEMBERS = [*HOUSEHOLD, 1, "fields"]

INVALID = [
    ("form_id_not_snake_case", ["form_id"], "Home-Visit", "form_id"),
    ("form_id_too_short", ["form_id"], "h", "form_id"),
    ("no_roles", ["roles"], [], "roles"),
    ("unknown_role", ["roles"], ["teacher"], "roles"),
    ("label_without_khmer", ["title"], {"en": "Home visit"}, "km"),
    ("empty_khmer", ["title"], {"en": "Home visit", "km": ""}, "km"),
    ("unknown_attribute", ["fields", 0, "lable"], t("x"), "lable"),
    ("bad_field_name", ["fields", 0, "name"], "2commune", "name"),
    ("unknown_type", ["fields", 0, "type"], "barcode", "type"),
    ("missing_label", ["fields", 1, "label"], ..., "a label is required"),
    (
        "duplicate_top_level_name",
        ["fields", 1, "name"],
        "commune",
        "duplicate field names ['commune'] at the top level",
    ),
    (
        "duplicate_name_in_repeat",
        [*MEMBERS, 1, "name"],
        "member_name",
        "duplicate field names ['member_name'] in 'household.members'",
    ),
    ("select_without_choices", ["fields", 2, "choice_list"], ..., "exactly one of 'choices'"),
    (
        "select_with_both",
        ["fields", 2, "choices"],
        [{"name": "x", "label": t("x")}],
        "exactly one of 'choices'",
    ),
    ("unknown_choice_list", ["fields", 2, "choice_list"], "gender", "unknown choice list 'gender'"),
    ("choices_on_a_text", ["fields", 0, "choice_list"], "sex", "choices apply only"),
    ("group_without_children", [*HOUSEHOLD], [], "needs child 'fields'"),
    ("children_on_a_text", ["fields", 0, "fields"], [], "apply only to group and repeat"),
    ("repeat_min_above_max", [*HOUSEHOLD, 1, "min_count"], 30, "min_count is greater"),
    ("min_count_on_a_group", ["fields", 3, "min_count"], 1, "apply only to repeat"),
    ("row_key_clashes_with_child", [*HOUSEHOLD, 1, "row_key"], "member_name", "row key"),
    ("calculate_without_calculation", ["fields", 4, "calculation"], ..., "needs a 'calculation'"),
    (
        "calculation_without_read_only",
        [*MEMBERS, 1, "calculation"],
        "${size} - 1",
        "field 'member_age': a calculation needs read_only",
    ),
    ("reference_without_target", ["fields", 0, "type"], "reference", "needs 'reference'"),
    ("max_length_on_a_date", ["fields", 1, "max_length"], 10, "max_length applies only to text"),
    ("min_on_a_text", ["fields", 0, "min"], 1, "min and max apply only"),
    ("required_on_a_group", ["fields", 3, "required"], True, "takes no required"),
    (
        "unparsable_constraint",
        [*MEMBERS, 1, "constraint"],
        ". <= (120",
        "field 'household.members.member_age' (constraint): invalid expression",
    ),
    (
        "unknown_function",
        ["fields", 1, "relevant"],
        "frobnicate(${sex})",
        "field 'visit_date' (relevant): invalid expression",
    ),
    (
        "reference_to_no_field",
        ["fields", 1, "relevant"],
        "${gender} = 'female'",
        "field 'visit_date' (relevant): ${gender} names no field",
    ),
    (
        "reference_to_a_group",
        ["fields", 1, "relevant"],
        "${household} = ''",
        "${household} is a group",
    ),
    (
        "choice_property_outside_a_filter",
        ["fields", 1, "relevant"],
        "${choice.kind} = 'x'",
        "${choice.kind} names no field",
    ),
    (
        "bare_name_outside_a_filter",
        ["fields", 1, "relevant"],
        "${sex} = female",
        "bare name 'female': quote a text ('female') or write ${female}",
    ),
    (
        "filter_reads_a_missing_column",
        ["fields", 2, "choice_filter"],
        "region = ${commune}",
        "'region' is not a column of the choices (name)",
    ),
    (
        "filter_alias_reads_a_missing_column",
        ["fields", 2, "choice_filter"],
        "${choice.region} = ${commune}",
        "'region' is not a column of the choices (name)",
    ),
    (
        "label_shows_an_unknown_field",
        ["fields", 0, "label"],
        {"en": "Commune of ${villag}", "km": "ឃុំ"},
        "${villag} names no single field",
    ),
    ("location_field_missing", ["location_field"], "village", "location_field 'village' names no"),
    (
        "location_field_in_repeat",
        ["location_field"],
        "household.members.member_name",
        "is inside a repeat",
    ),
    ("location_field_is_a_date", ["location_field"], "visit_date", "location_field must be"),
    ("rule_path_missing", ["rules", 0, "path"], "size", "rule 'big_household' path 'size'"),
    ("rule_when_unparsable", ["rules", 0, "when"], "${size} >", "rule 'big_household' (when)"),
    ("rule_kind_unknown", ["rules", 0, "kind"], "warn", "kind"),
    ("empty_choice_list", ["choice_lists", "sex"], [], "choice list 'sex' is empty"),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_a_malformed_form_is_refused_with_a_message_naming_the_problem(
    path: list[Any], value: Any, expected: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        FormSchema.model_validate(mutate(base_form(), path, value))
    assert expected in str(raised.value)


def test_every_problem_of_a_form_is_reported_at_once() -> None:
    form = mutate(base_form(), ["fields", 1, "relevant"], "${nope} = 1")
    form = mutate(form, ["location_field"], "nowhere")
    with pytest.raises(ValidationError) as raised:
        FormSchema.model_validate(form)
    assert "${nope}" in str(raised.value) and "'nowhere'" in str(raised.value)


def test_an_ambiguous_reference_is_refused_but_equal_names_at_different_levels_are_not() -> None:
    form = mutate(base_form(), ["rules"], [])
    form = mutate(form, [*MEMBERS, 0, "name"], "size")  # household.size and members.size
    FormSchema.model_validate(form)  # allowed while nothing refers to ${size}
    form = mutate(form, ["fields", 1, "relevant"], "${size} > 1")
    with pytest.raises(ValidationError, match="ambiguous"):
        FormSchema.model_validate(form)


@pytest.mark.parametrize(
    "choice_filter",
    ["group = ${commune} or name = 'male'", "${choice.group} = ${commune}"],
)
def test_a_choice_filter_may_read_choice_columns(choice_filter: str) -> None:
    form = mutate(base_form(), ["choice_lists", "sex", 0, "filter"], {"group": "a"})
    form = mutate(form, ["fields", 2, "choice_filter"], choice_filter)
    FormSchema.model_validate(form)


def test_a_dynamic_default_is_an_expression_object_and_is_checked() -> None:
    form = mutate(base_form(), ["fields", 1, "default"], {"expression": "today()"})
    FormSchema.model_validate(form)
    form = mutate(base_form(), ["fields", 1, "default"], {"expression": "${nope}"})
    with pytest.raises(ValidationError, match="names no field"):
        FormSchema.model_validate(form)


def test_canonical_json_is_sorted_compact_utf8_and_omits_defaults() -> None:
    schema = FormSchema.model_validate(base_form())
    raw = canonical_json(schema)
    text = raw.decode("utf-8")
    assert "ខ្មែរ" in text  # not \u-escaped
    assert ": " not in text and ", " not in text.replace("Home visit", "")
    parsed = json.loads(raw)
    assert list(parsed) == sorted(parsed)
    assert "read_only" not in text  # a default
    assert json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == text


def test_the_hash_ignores_key_order_and_explicit_defaults() -> None:
    form = base_form()
    reordered = dict(reversed(list(form.items())))
    explicit = mutate(form, ["fields", 0, "required"], False)
    hashes = {content_hash(FormSchema.model_validate(f)) for f in (form, reordered, explicit)}
    assert len(hashes) == 1
    (only,) = hashes
    assert only.startswith("sha256:") and len(only) == len("sha256:") + 64


def test_the_hash_changes_when_any_label_changes() -> None:
    before = content_hash(FormSchema.model_validate(base_form()))
    changed = mutate(base_form(), [*MEMBERS, 0, "label", "km"], "ឈ្មោះ")
    assert content_hash(FormSchema.model_validate(changed)) != before


def test_a_canonical_form_reads_back_to_the_same_hash() -> None:
    schema = FormSchema.model_validate(base_form())
    again = FormSchema.model_validate_json(canonical_json(schema))
    assert content_hash(again) == content_hash(schema)
