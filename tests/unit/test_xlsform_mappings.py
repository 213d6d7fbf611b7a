"""XLSForm as permissive as pyxform (issue #13): every mapping and default, on workbooks built here.

A workbook made for ODK Central or Kobo publishes: the defaults fill in what it leaves out
(version, roles, Khmer, title), the types pyxform knows map through its own type table, and what
Homeward does not use is named in `warnings`. docs/xlsform.md is the reference.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.roles import FIELD_ROLES
from app.forms.schema import FormSchema
from app.forms.xlsform import ImportedForm, read_xlsform
from app.forms.xlsform.types import TIME_CONSTRAINT
from tests.unit.test_xlsform import EN, KM, SHA, YES_NO, Rows, check, problems, settings, xlsx

ODK_SETTINGS: Rows = [["form_title", "form_id"], ["Household visit", "household_visit"]]


def imported(
    survey: Rows, choices: Rows | None = None, setting: Rows | None = None
) -> ImportedForm:
    return read_xlsform(xlsx(survey, choices, setting or settings()), "form.xlsx")


def schema_of(survey: Rows, choices: Rows | None = None, setting: Rows | None = None) -> FormSchema:
    return imported(survey, choices, setting).schema


def features(result: ImportedForm) -> list[tuple[str | None, int | None, str]]:
    return [(w.sheet, w.row, w.feature) for w in result.warnings]


def ok(schema: FormSchema, data: dict[str, Any]) -> bool:
    return check(schema, data).ok


# --- defaults ------------------------------------------------------------------------------------


def test_an_odk_workbook_publishes_with_every_default() -> None:
    survey = [["type", "name", "label"], ["text", "head", "Head of household"]]
    result = imported(survey, None, ODK_SETTINGS)
    schema = result.schema
    assert schema.form_id == "household_visit"
    assert schema.roles == list(FIELD_ROLES)
    assert (schema.title.en, schema.title.km) == ("Household visit", "Household visit")
    assert schema.needs_khmer
    assert len(schema.version) == 12 and schema.version.isalnum()
    assert ("settings", None, "version") in features(result)
    assert ("settings", None, "roles") in features(result)
    assert (None, None, "needs Khmer") in features(result)


def test_the_derived_version_is_stable_and_follows_the_content() -> None:
    survey = [["type", "name", "label"], ["text", "head", "Head of household"]]
    first = schema_of(survey, None, ODK_SETTINGS).version
    again = schema_of(survey, None, ODK_SETTINGS).version
    survey[1][2] = "Head of the household"
    changed = schema_of(survey, None, ODK_SETTINGS).version
    assert first == again != changed


def test_a_given_version_is_kept() -> None:
    survey = [["type", "name", EN, KM], ["text", "a", "A", "ក"]]
    result = imported(survey)
    assert result.schema.version == "2026.1" and result.warnings == []
    assert not result.schema.needs_khmer


def test_the_title_defaults_to_the_form_id_as_in_pyxform() -> None:
    survey = [["type", "name", EN, KM], ["text", "a", "A", "ក"]]
    schema = schema_of(survey, None, settings(form_title=None, form_title_km=None))
    assert (schema.title.en, schema.title.km) == ("test_form", "test_form")


def test_an_odk_form_id_is_published_as_a_homeward_id_with_a_warning() -> None:
    survey = [["type", "name", EN, KM], ["text", "a", "A", "ក"]]
    result = imported(survey, None, settings(form_id="Child-Visit.v2"))
    assert result.schema.form_id == "child_visit_v2"
    assert ("settings", 2, "form_id") in features(result)


@pytest.mark.parametrize(
    "setting",
    ["submission_url", "public_key", "auto_send", "sms_keyword", "style", "namespaces"],
)
def test_settings_homeward_does_not_use_are_ignored_with_a_warning(setting: str) -> None:
    survey = [["type", "name", EN, KM], ["text", "a", "A", "ក"]]
    result = imported(survey, None, settings(**{setting: "x y"}))
    assert features(result) == [("settings", 2, setting)]


def test_an_instance_name_homeward_cannot_evaluate_is_ignored_with_a_warning() -> None:
    survey = [["type", "name", EN, KM], ["text", "a", "A", "ក"]]
    result = imported(survey, None, settings(instance_name="Visit-v1"))
    assert features(result) == [("settings", 2, "instance_name")]
    assert result.schema.settings is None


def test_other_languages_stand_in_where_english_is_missing() -> None:
    survey = [["type", "name", "label::French (fr)", KM], ["text", "a", "Nom", "ឈ្មោះ"]]
    result = imported(survey)
    a = result.schema.field_at("a")
    assert a is not None and a.label is not None and (a.label.en, a.label.km) == ("Nom", "ឈ្មោះ")
    assert ("survey", 1, "language") in features(result)


def test_rows_with_no_type_are_comments() -> None:
    survey = [["type", "name", EN, KM, "notes"], [None, None, None, None, "a section"]]
    survey.append(["text", "a", "A", "ក"])
    result = imported(survey)
    assert [f.name for f in result.schema.fields] == ["a"]
    assert features(result) == [("survey", 2, "type")]


def test_a_nameless_note_gets_a_name_as_in_pyxform() -> None:
    survey = [["type", "name", EN, KM], ["note", None, "Read this", "អានចំណុចនេះ"]]
    survey.append(["text", "a", "A", "ក"])
    assert [f.name for f in schema_of(survey).fields] == ["generated_note_name_2", "a"]


# --- types --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "native"),
    [
        ("q string", "text"), ("add text prompt", "text"), ("string", "text"),
        ("barcode", "text"), ("phone number", "text"), ("int", "integer"),
        ("add decimal prompt", "decimal"), ("q date", "date"), ("dateTime", "datetime"),
        ("gps", "geopoint"), ("image", "photo"), ("q acknowledge", "yes_no"),
        ("trigger", "yes_no"),
    ],
)  # fmt: skip
def test_legacy_and_alias_spellings_map_as_pyxform_reads_them(kind: str, native: str) -> None:
    field = schema_of([["type", "name", EN, KM], [kind, "b", "B", "ខ"]]).field_at("b")
    assert field is not None and field.type == native


def test_select_one_from_and_or_specify_other() -> None:
    survey = [
        ["type", "name", EN, KM],
        ["select one from yes_no", "a", "A", "ក"],
        ["select all that apply from yes_no or specify other", "b", "B", "ខ"],
    ]
    schema = schema_of(survey, YES_NO)
    a, b, other = (schema.field_at(n) for n in ("a", "b", "b_other"))
    assert a is not None and a.type == "select_one" and a.choice_list == "yes_no"
    assert b is not None and b.type == "select_multiple" and b.choice_list == "yes_no_or_other"
    assert other is not None and other.type == "text"
    assert ok(schema, {"a": "yes", "b": ["other"], "b_other": "Both"})
    assert ("b_other", "required") in problems(schema, {"a": "yes", "b": ["other"]})


def test_or_other_adds_a_choice_and_a_text_asked_when_it_is_chosen() -> None:
    survey = [
        ["type", "name", EN, KM],
        ["select_one yes_no or_other", "answer", "Answer", "ចម្លើយ"],
        ["select_one yes_no", "plain", "Plain", "ធម្មតា"],
    ]
    schema = schema_of(survey, YES_NO)
    assert [c.name for c in schema.choice_lists["yes_no_or_other"]] == ["yes", "no", "other"]
    assert [c.name for c in schema.choice_lists["yes_no"]] == ["yes", "no"]  # unchanged
    other = schema.field_at("answer_other")
    assert other is not None and other.relevant == "${answer} = 'other'"
    assert other.label is not None and other.label.km != other.label.en
    assert ok(schema, {"answer": "other", "answer_other": "Maybe", "plain": "no"})
    assert ("answer_other", "required") in problems(schema, {"answer": "other", "plain": "no"})
    assert [p for p, _ in problems(schema, {"plain": "other"})] == ["plain"]


def test_time_is_text_checked_as_a_time_of_day_with_a_time_picker() -> None:
    schema = schema_of([["type", "name", EN, KM], ["time", "t", "Time", "ម៉ោង"]])
    t = schema.field_at("t")
    assert t is not None and (t.type, t.appearance, t.constraint) == (
        "text",
        "time",
        TIME_CONSTRAINT,
    )
    for good in ("08:15", "23:59:59", "08:15:00.000+07:00", "00:00Z"):
        assert ok(schema, {"t": good}), good
    for bad in ("24:00", "8:15", "noon", "08:15 pm"):
        assert problems(schema, {"t": bad}) == [("t", "constraint_failed")], bad


def test_phone_number_is_text_with_pyxforms_digits_only_check() -> None:
    survey = [["type", "name", EN, KM, "constraint"], ["phone number", "p", "Phone", "ទូរស័ព្ទ", ""]]
    schema = schema_of(survey)
    assert ok(schema, {"p": "012345678"})
    assert problems(schema, {"p": "012-345"}) == [("p", "constraint_failed")]
    survey[1][4] = "string-length(.) >= 9"
    both = schema_of(survey)
    assert ok(both, {"p": "012345678"}) and not ok(both, {"p": "0123"})


def test_hidden_is_a_calculate_keeping_an_empty_text() -> None:
    survey = [["type", "name", EN, KM], ["hidden", "h", None, None], ["text", "a", "A", "ក"]]
    h = schema_of(survey).field_at("h")
    assert h is not None and (h.type, h.calculation) == ("calculate", "''")


@pytest.mark.parametrize(
    ("kind", "types"),
    [("audio", ["audio/*"]), ("video", ["video/*"]), ("file", ["*/*"]), ("osm", ["*/*"])],
)
def test_audio_video_and_file_are_attachments(kind: str, types: list[str]) -> None:
    schema = schema_of([["type", "name", EN, KM], [kind, "f", "File", "ឯកសារ"]])
    f = schema.field_at("f")
    assert f is not None and f.type == "photo" and f.media is not None
    assert f.media.content_types == types
    result = check(schema, {"f": SHA})
    assert result.ok and SHA in result.attachments
    assert problems(schema, {"f": "recording.m4a"}) == [("f", "wrong_type")]


def test_metadata_types_are_dropped() -> None:
    survey = [["type", "name", EN, KM]]
    survey += [[k, k.replace(" ", "_")] for k in ("start", "end", "today", "deviceid", "username")]
    survey += [["phonenumber", "phone"], ["email", "mail"], ["text", "a", "A", "ក"]]
    assert [f.name for f in schema_of(survey).fields] == ["a"]


def test_select_one_external_reads_the_external_choices_sheet() -> None:
    survey = [
        ["type", "name", EN, KM, "choice_filter"],
        ["select_one yes_no", "q1", "Q1", "សំណួរ១", ""],
        ["select_one_external places", "q2", "Where?", "កន្លែងណា?", "yes_no = ${q1}"],
    ]
    external = [["list_name", "name", "label", "yes_no"], ["places", "home", "Home", "yes"]]
    external.append(["places", "away", "Away", "no"])
    book = xlsx(survey, YES_NO, settings(), external_choices=external)
    schema = read_xlsform(book, "form.xlsx").schema
    q2 = schema.field_at("q2")
    assert q2 is not None and q2.type == "select_one" and q2.choice_list == "places_external"
    assert [c.name for c in schema.choice_lists["places_external"]] == ["home", "away"]
    assert ok(schema, {"q1": "yes", "q2": "home"})
    assert not ok(schema, {"q1": "yes", "q2": "away"})


def test_a_choice_name_may_repeat_under_other_filters() -> None:
    survey = [
        ["type", "name", EN, KM, "choice_filter"],
        ["select_one states", "state", "State", "រដ្ឋ", ""],
        ["select_one counties", "county", "County", "ខោនធី", "state = ${state}"],
    ]
    choices = [
        ["list_name", "name", EN, KM, "state"],
        ["states", "wa", "Washington", "វ៉ាស៊ីនតោន", None],
        ["states", "tx", "Texas", "តិចសាស់", None],
        ["counties", "king", "King", "ឃីង", "wa"],
        ["counties", "king", "King", "ឃីង", "tx"],
    ]
    setting = settings(allow_choice_duplicates="yes")
    schema = schema_of(survey, choices, setting)
    assert ok(schema, {"state": "tx", "county": "king"})
    choices[4][2] = "King County"  # the same name with another label: one value, two labels
    with pytest.raises(Exception, match="duplicate choice names"):
        read_xlsform(xlsx(survey, choices, setting), "form.xlsx")


def test_names_may_hold_a_hyphen_as_in_odk() -> None:
    survey = [
        ["type", "name", EN, KM, "relevant"],
        ["integer", "child-age", "Age", "អាយុ", ""],
        ["text", "school-name", "School", "សាលា", "${child-age} >= 6"],
    ]
    schema = schema_of(survey)
    assert ok(schema, {"child-age": 7, "school-name": "S"})
    young = check(schema, {"child-age": 4, "school-name": "S"})  # not relevant: not kept
    assert young.ok and young.data == {"child-age": 4}


def test_an_odk_version_homeward_cannot_use_as_written_is_published_with_a_warning() -> None:
    survey = [["type", "name", EN, KM], ["text", "a", "A", "ក"]]
    result = imported(survey, None, settings(version="2022-04-11 16:26:28.971000"))
    assert result.schema.version == "2022-04-11_16_26_28.971000"
    assert features(result) == [("settings", 2, "version")]


def test_a_path_through_names_with_a_hyphen_is_read_by_the_merge() -> None:
    from app.sync.merge import parse_path

    assert parse_path("house-hold[k-1].child-age") == [("house-hold", "k-1"), ("child-age", None)]


def test_empty_styled_cells_do_not_count_towards_the_cells_of_a_row() -> None:
    """Excel writes thousands of empty, only styled cells when a whole row is formatted (pyxform's
    extra_columns.xlsx): the per-row limit counts cells with a value; a row of values over it
    is still refused (tests/api/test_xlsform_bombs.py)."""
    import io
    import zipfile

    import openpyxl
    from openpyxl.styles import Font

    from app.forms.workbook_limits import MAX_CELLS_PER_ROW

    book = openpyxl.Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    for row in [["type", "name", "label"], ["text", "a", "A"]]:
        survey.append(row)
    for column in range(4, MAX_CELLS_PER_ROW + 50):
        survey.cell(row=2, column=column).font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zipped:  # the empty cells are written
        assert zipped.read("xl/worksheets/sheet1.xml").count(b"<c ") > MAX_CELLS_PER_ROW
    assert read_xlsform(out.getvalue(), "styled.xlsx").schema.field_at("a") is not None
