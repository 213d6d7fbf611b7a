"""validate_submission on a small form that uses every field type."""

from __future__ import annotations

import copy
import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.change_codes import MESSAGES
from app.forms.issues import Issue
from app.forms.schema import FormSchema
from app.forms.validate import ValidationResult, validate_submission

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
KHMER = re.compile(r"[\u1780-\u17ff]")
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
INSTITUTION_ID = "6f1c2a4e-3b7d-4c55-9a0e-2d8f1b7c9e10"


def t(text: str) -> dict[str, str]:
    return {"en": text, "km": "ខ្មែរ " + text}


SCHEMA = FormSchema.model_validate(
    {
        "form_id": "everything",
        "version": "1",
        "title": t("Every type"),
        "roles": ["admin"],
        "location_field": "commune",
        "fields": [
            {"name": "commune", "type": "text", "label": t("Commune")},
            {"name": "child_name", "type": "text", "label": t("Name"), "required": True,
             "max_length": 20},
            {"name": "age", "type": "integer", "label": t("Age"), "min": 0, "max": 17},
            {"name": "weight", "type": "decimal", "label": t("Weight")},
            {"name": "visit_date", "type": "date", "label": t("Visit"),
             "constraint": ". <= today()",
             "constraint_message": {"en": "Not in the future.", "km": "មិននៅថ្ងៃអនាគត។"}},
            {"name": "seen_at", "type": "datetime", "label": t("Seen at")},
            {"name": "colour", "type": "select_one", "label": t("Colour"), "choices": [
                {"name": "red", "label": t("Red")}, {"name": "green", "label": t("Green")}]},
            {"name": "tags", "type": "select_multiple", "label": t("Tags"), "choices": [
                {"name": "a", "label": t("A")}, {"name": "b", "label": t("B")}]},
            {"name": "consent", "type": "yes_no", "label": t("Consent"), "required": True},
            {"name": "gps", "type": "geopoint", "label": t("GPS")},
            {"name": "photo", "type": "photo", "label": t("Photo")},
            {"name": "sig", "type": "signature", "label": t("Signature")},
            {"name": "institution", "type": "reference", "label": t("Institution"),
             "reference": {"form_id": "institution"}},
            {"name": "intro", "type": "note", "label": t("Read this")},
            {"name": "double_age", "type": "calculate", "calculation": "${age} * 2"},
            {"name": "details", "type": "group", "label": t("Details"),
             "relevant": "${consent} = 'yes'", "fields": [
                 {"name": "reason", "type": "text", "label": t("Reason"), "required": True},
                 {"name": "kind", "type": "select_one", "label": t("Kind"), "choices": [
                     {"name": "cat", "label": t("Cat")}, {"name": "dog", "label": t("Dog")}]},
                 {"name": "pet", "type": "select_one", "label": t("Pet"),
                  "choice_filter": "kind = ${kind}", "choices": [
                      {"name": "tom", "label": t("Tom"), "filter": {"kind": "cat"}},
                      {"name": "rex", "label": t("Rex"), "filter": {"kind": "dog"}}]},
                 {"name": "pet_age", "type": "integer", "label": t("Pet age"),
                  "relevant": "${pet} != ''", "required": "${kind} = 'dog'"},
             ]},
            {"name": "members", "type": "repeat", "label": t("Members"), "min_count": 1,
             "max_count": 3, "fields": [
                 {"name": "member_name", "type": "text", "label": t("Member"), "required": True},
                 {"name": "member_age", "type": "integer", "label": t("Member age"),
                  "constraint": ". <= ${age} + 50"},
                 {"name": "member_note", "type": "text", "label": t("Why so old"),
                  "relevant": "${member_age} > 60"},
             ]},
            {"name": "oldest_member", "type": "calculate", "calculation": "max(${member_age})"},
            {"name": "member_count", "type": "calculate", "calculation": "count(${members})"},
        ],
        "rules": [
            {"id": "too_old_for_form", "kind": "refuse", "when": "${age} >= 17",
             "path": "age", "message": t("Use the adult form")},
            {"id": "big_family", "kind": "flag", "when": "${member_count} >= 3",
             "path": "members", "message": t("Large family"), "code": "large_family"},
        ],
    }
)  # fmt: skip


def row(**values: Any) -> dict[str, Any]:
    return {"_row_id": str(uuid.uuid4()), **values}


def good() -> dict[str, Any]:
    return {
        "commune": "120101",
        "child_name": "Sokha",
        "age": 9,
        "weight": 27.5,
        "visit_date": "2026-11-20",
        "seen_at": "2026-11-20T08:15:00+07:00",
        "colour": "red",
        "tags": ["a", "b"],
        "consent": "yes",
        "gps": {"lat": 13.36, "lon": 103.86, "accuracy": 6.0, "altitude": 12},
        "photo": SHA,
        "sig": SHA.replace("9", "1"),
        "institution": INSTITUTION_ID,
        "details": {"reason": "Family visit", "kind": "dog", "pet": "rex", "pet_age": 3},
        "members": [row(member_name="Dara", member_age=40), row(member_name="Srey", member_age=38)],
    }


def run(data: Any, **kwargs: Any) -> ValidationResult:
    return validate_submission(SCHEMA, data, today=TODAY, now=NOW, **kwargs)


def with_value(path: str, value: Any) -> dict[str, Any]:
    """good() with the value at a dotted path (list indices allowed) set, or removed if ...."""
    data = copy.deepcopy(good())
    *parents, last = path.split(".")
    target: Any = data
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    index: Any = int(last) if isinstance(target, list) else last
    if value is ...:
        del target[index]
    else:
        target[index] = value
    return data


def codes(result: ValidationResult) -> set[tuple[str, str]]:
    return {(e.path, e.code) for e in result.errors}


def test_a_good_submission_has_no_errors_and_keeps_its_values() -> None:
    data = good()
    result = run(data)
    assert result.errors == []
    assert result.ok
    for key, value in data.items():
        assert result.data[key] == value


def test_the_server_recomputes_calculations_and_ignores_the_clients_value() -> None:
    result = run({**good(), "double_age": 1000, "member_count": 99})
    assert result.data["double_age"] == 18
    assert result.data["member_count"] == 2
    assert result.data["oldest_member"] == 40


def test_notes_carry_no_value() -> None:
    result = run({**good(), "intro": "anything"})
    assert result.errors == [] and "intro" not in result.data


def test_data_that_is_not_an_object_is_refused() -> None:
    result = run(["not", "an", "object"])
    assert codes(result) == {("", "wrong_type")}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("age", "9"),
        ("age", True),
        ("age", 9.5),
        ("weight", "heavy"),
        ("weight", float("nan")),
        ("child_name", 42),
        ("visit_date", "20/11/2026"),
        ("visit_date", "2026-02-30"),
        ("visit_date", "2026-11-20T08:00:00+07:00"),
        ("seen_at", "2026-11-20T08:15:00"),
        ("seen_at", "2026-11-20"),
        ("colour", ["red"]),
        ("tags", "a b"),
        ("consent", True),
        ("consent", "Yes"),
        ("gps", {"lat": 13.36, "lon": 103.86}),
        ("gps", {"lat": 91, "lon": 103.86, "accuracy": 5}),
        ("gps", {"lat": 13.36, "lon": 181, "accuracy": 5}),
        ("gps", {"lat": 13.36, "lon": 103.86, "accuracy": -1}),
        ("gps", {"lat": 13.36, "lon": 103.86, "accuracy": 5, "speed": 3}),
        ("gps", "13.36 103.86 0 5"),
        ("photo", SHA.upper()),
        ("photo", "photo.jpg"),
        ("institution", "not-a-uuid"),
        ("institution", INSTITUTION_ID.upper()),
        ("details", "nothing"),
        ("members", {"0": {}}),
        ("members.0", "Dara"),
        ("members.0._row_id", "row-1"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_at_its_path(path: str, value: Any) -> None:
    result = run(with_value(path, value))
    assert (path, "wrong_type") in codes(result)


def test_an_integral_float_is_accepted_as_an_integer() -> None:
    result = run(with_value("age", 9.0))
    assert result.errors == [] and result.data["age"] == 9
    assert isinstance(result.data["age"], int)


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        ("colour", "purple", "invalid_choice"),
        ("tags", ["a", "z"], "invalid_choice"),
        ("tags", ["a", "a"], "invalid_choice"),
        ("child_name", "S" * 21, "too_long"),
        ("age", 18, "out_of_range"),
        ("age", -1, "out_of_range"),
        ("child_name", ..., "required"),
        ("child_name", "", "required"),
        ("consent", None, "required"),
        ("details.reason", ..., "required"),
        ("visit_date", "2026-11-25", "constraint_failed"),
        ("members.1.member_age", 60, "constraint_failed"),
        ("members.1.member_name", ..., "required"),
        ("details.pet", "tom", "invalid_choice"),
        ("details.pet_age", ..., "required"),
    ],
)
def test_a_bad_value_is_refused_with_its_code(path: str, value: Any, code: str) -> None:
    result = run(with_value(path, value))
    assert (path, code) in codes(result), result.errors


def test_unknown_keys_are_refused_at_every_level() -> None:
    data = good()
    data["nickname"] = "Soky"
    data["details"]["colour_of_eyes"] = "brown"
    data["members"][1]["shoe_size"] = 38
    assert codes(run(data)) == {
        ("nickname", "unknown_field"),
        ("details.colour_of_eyes", "unknown_field"),
        ("members.1.shoe_size", "unknown_field"),
    }


def test_the_unknown_field_message_names_the_form_version() -> None:
    (found,) = run({**good(), "nickname": "x"}).errors
    assert "everything" in found.message and "1" in found.message
    assert KHMER.search(found.message_km)


def test_a_constraint_message_comes_from_the_form_in_both_languages() -> None:
    (found,) = run(with_value("visit_date", "2027-01-01")).errors
    assert (found.message, found.message_km) == ("Not in the future.", "មិននៅថ្ងៃអនាគត។")


def test_values_of_a_non_relevant_group_are_dropped_without_errors() -> None:
    data = with_value("consent", "no")
    data["details"]["reason"] = 42  # wrong type, but nobody can see the field
    result = run(data)
    assert result.errors == []
    assert "details" not in result.data


def test_relevance_settles_through_chains() -> None:
    """pet_age depends on pet, which is inside details, which depends on consent."""
    data = with_value("consent", "no")
    result = run(data)
    assert "details" not in result.data
    data = with_value("details.pet", ...)
    result = run(data)
    assert result.errors == [] and "pet_age" not in result.data["details"]


def test_a_required_expression_is_evaluated_where_the_field_is() -> None:
    data = with_value("details.kind", "cat")
    data["details"]["pet"] = "tom"
    del data["details"]["pet_age"]
    assert run(data).errors == []  # required only for dogs


def test_inside_a_repeat_a_reference_reads_the_same_rows_sibling() -> None:
    data = with_value("age", 12)  # member_age <= 12 + 50; member_note only when member_age > 60
    data["members"][0].update(member_age=62, member_note="Grandmother")
    data["members"][1].update(member_age=59, member_note="Mother")
    result = run(data)
    assert result.errors == []
    assert result.data["members"][0]["member_note"] == "Grandmother"
    assert "member_note" not in result.data["members"][1]  # its own row's age: not relevant


def test_a_reference_from_a_row_to_a_top_level_field_reads_that_field() -> None:
    data = with_value("members.0.member_age", 60)  # ${age} is 9: at most 59
    assert ("members.0.member_age", "constraint_failed") in codes(run(data))


def test_from_outside_a_repeat_a_field_in_it_reads_as_the_list_of_its_values() -> None:
    data = good()
    data["members"][1]["member_age"] = 44
    assert run(data).data["oldest_member"] == 44


def test_repeat_bounds_are_checked() -> None:
    assert ("members", "too_few_rows") in codes(run(with_value("members", [])))
    assert ("members", "too_few_rows") in codes(run(with_value("members", ...)))
    four = [row(member_name=f"M{i}") for i in range(4)]
    assert ("members", "too_many_rows") in codes(run(with_value("members", four)))


def test_every_row_carries_a_unique_row_key() -> None:
    data = good()
    del data["members"][0]["_row_id"]
    assert ("members.0._row_id", "required") in codes(run(data))
    data = good()
    data["members"][1]["_row_id"] = data["members"][0]["_row_id"]
    assert ("members.1._row_id", "duplicate_row_key") in codes(run(data))


def test_row_keys_are_kept_in_the_cleaned_data() -> None:
    data = good()
    result = run(data)
    assert [r["_row_id"] for r in result.data["members"]] == [r["_row_id"] for r in data["members"]]


def test_references_are_checked_when_records_can_be_looked_up() -> None:
    seen: list[tuple[str, str]] = []

    def missing(form_id: str, record_id: str) -> dict[str, Any] | None:
        seen.append((form_id, record_id))
        return None

    assert ("institution", "invalid_reference") in codes(run(good(), lookup_record=missing))
    assert seen == [("institution", INSTITUTION_ID)]

    def wrong_form(form_id: str, record_id: str) -> dict[str, Any]:
        return {"form_id": "child_registration", "data": {}, "location": "12"}

    (found,) = run(good(), lookup_record=wrong_form).errors
    assert (found.path, found.code) == ("institution", "invalid_reference")
    assert "not a institution record" in found.message

    def exists(form_id: str, record_id: str) -> dict[str, Any]:
        return {"form_id": "institution", "data": {}, "location": "1201"}

    assert run(good(), lookup_record=exists).errors == []


def test_the_location_comes_from_the_location_field() -> None:
    assert run(good()).location == "120101"
    assert run(with_value("commune", ...)).location is None
    result = run(with_value("commune", "Phnom Penh"))
    assert ("commune", "invalid_location") in codes(result) and result.location is None


def test_attachments_named_anywhere_in_the_data_are_listed() -> None:
    data = good()
    assert run(data).attachments == sorted({SHA, SHA.replace("9", "1")})


def test_a_refusing_rule_is_an_error_and_a_flagging_rule_a_flag() -> None:
    result = run(with_value("age", 17))
    assert ("age", "rule_refused") in codes(result)
    members = [row(member_name=f"M{i}") for i in range(3)]
    result = run(with_value("members", members))
    assert result.errors == []
    assert [(f.path, f.code) for f in result.flags] == [("members", "large_family")]
    assert result.flags[0].message_km.startswith("ខ្មែរ")


def test_an_issue_renders_as_the_contracts_detail() -> None:
    found = Issue("a.b", "required", "This field is required.", "ត្រូវការបំពេញ។")
    assert found.as_detail() == {
        "path": "a.b",
        "code": "required",
        "message": "This field is required.",
        "message_km": "ត្រូវការបំពេញ។",
    }
    assert Issue("x", "y", "z", "ខ", urgent=True).as_detail()["urgent"] is True


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_is_written_in_english_and_khmer(code: str) -> None:
    en, km = MESSAGES[code]
    assert en and KHMER.search(km), code


def test_validation_is_a_pure_function_of_its_inputs() -> None:
    data = good()
    before = copy.deepcopy(data)
    first, second = run(data), run(data)
    assert data == before
    assert first.data == second.data and first.errors == second.errors


@pytest.mark.parametrize("choice_filter", ["kind = ${kind}", "${choice.kind} = ${kind}"])
def test_a_choice_filter_reads_the_choice_rows_columns(choice_filter: str) -> None:
    raw = SCHEMA.model_dump(exclude_defaults=True)
    raw["fields"][15]["fields"][2]["choice_filter"] = choice_filter
    schema = FormSchema.model_validate(raw)
    ok = validate_submission(schema, good(), today=TODAY, now=NOW)
    assert ok.errors == []
    bad = validate_submission(schema, with_value("details.pet", "tom"), today=TODAY, now=NOW)
    assert codes(bad) == {("details.pet", "invalid_choice")}
    assert "tom" in bad.errors[0].message


def test_a_required_value_of_the_wrong_type_is_reported_once() -> None:
    assert codes(run(with_value("consent", True))) == {("consent", "wrong_type")}
    assert codes(run(with_value("child_name", "S" * 21))) == {("child_name", "too_long")}


def test_an_unknown_key_is_refused_even_inside_a_non_relevant_group() -> None:
    data = with_value("consent", "no")
    data["details"]["colour_of_eyes"] = "brown"
    assert codes(run(data)) == {("details.colour_of_eyes", "unknown_field")}
