"""XLSForm import: workbooks of many shapes map onto the native schema, or are refused by row.

Every workbook is built here from lists of rows (openpyxl for .xlsx, xlwt for .xls), so each
test shows the spreadsheet it imports. Each good form is imported and then used to validate one
good submission (accepted) and one bad one (refused at the right path).
"""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import pytest

from app.forms.schema import FormSchema, canonical_json
from app.forms.validate import ValidationResult, validate_submission
from app.forms.xlsform import ImportIssue, XLSFormError, import_xlsform, read_xlsform

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
EN, KM = "label::English (en)", "label::Khmer (km)"
HINT_EN, HINT_KM = "hint::English (en)", "hint::Khmer (km)"
MSG_EN, MSG_KM = "constraint_message::English (en)", "constraint_message::Khmer (km)"

Rows = list[list[Any]]

BASE_SETTINGS = {
    "form_id": "test_form",
    "version": "2026.1",
    "form_title": "Test form",
    "form_title_km": "ទម្រង់សាកល្បង",
    "roles": "social_worker",
}
YES_NO: Rows = [
    ["list_name", "name", EN, KM],
    ["yes_no", "yes", "Yes", "បាទ/ចាស"],
    ["yes_no", "no", "No", "ទេ"],
]


# --- helpers -----------------------------------------------------------------------------------


def settings(**changes: str | None) -> Rows:
    """A settings sheet: BASE_SETTINGS with `changes` (None removes a column)."""
    merged = {**BASE_SETTINGS, **changes}
    kept = {k: v for k, v in merged.items() if v is not None}
    return [list(kept), list(kept.values())]


def xlsx(
    survey: Rows, choices: Rows | None = None, setting: Rows | None = None, **sheets: Rows
) -> bytes:
    """An .xlsx workbook: each sheet a list of rows, the first row its headers."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    all_sheets = {"survey": survey, "choices": choices, "settings": setting or settings()}
    for name, rows in {**all_sheets, **sheets}.items():
        if rows is None:
            continue
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls(survey: Rows, choices: Rows | None = None, setting: Rows | None = None) -> bytes:
    """The same as an Excel 97-2003 .xls workbook (xlwt writes BIFF8, which xlrd reads)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheets = {"survey": survey, "choices": choices, "settings": setting or settings()}
    for name, rows in sheets.items():
        if rows is None:
            continue
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(content: bytes, filename: str = "form.xlsx") -> list[ImportIssue]:
    with pytest.raises(XLSFormError) as caught:
        import_xlsform(content, filename)
    return caught.value.issues


def check(schema: FormSchema, data: dict[str, Any]) -> ValidationResult:
    return validate_submission(schema, data, today=TODAY, now=NOW)


def problems(schema: FormSchema, data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e.path, e.code) for e in check(schema, data).errors]


def row_id() -> str:
    return str(uuid.uuid4())


# --- good forms --------------------------------------------------------------------------------


def test_household_survey_with_nested_groups() -> None:
    survey = [
        ["type", "name", EN, KM, HINT_EN, HINT_KM, "required", "constraint"],
        ["begin group", "household", "Household", "គ្រួសារ"],
        ["text", "head_name", "Head of household", "មេគ្រួសារ", "Full name", "ឈ្មោះពេញ", "yes"],
        ["integer", "members_count", "Members", "ចំនួនសមាជិក", None, None, "yes", ". >= 1"],
        ["decimal", "monthly_income", "Monthly income (USD)", "ចំណូលប្រចាំខែ"],
        ["begin group", "dwelling", "Dwelling", "លំនៅដ្ឋាន"],
        ["select_one roof", "roof", "Roof", "ដំបូល", None, None, "yes"],
        ["end group"],
        ["end group"],
        ["date", "visit_date", "Visit date", "កាលបរិច្ឆេទចុះសួរ", None, None, "yes"],
    ]
    choices = [
        ["list_name", "name", EN, KM],
        ["roof", "tile", "Tile", "ក្បឿង"],
        ["roof", "metal", "Metal sheet", "ស័ង្កសី"],
        ["roof", "thatch", "Thatch", "ស្លឹក"],
    ]
    schema = import_xlsform(xlsx(survey, choices), "household.xlsx")

    household = schema.fields[0]
    assert (household.name, household.type) == ("household", "group")
    assert [f.name for f in household.fields or []] == [
        "head_name", "members_count", "monthly_income", "dwelling",
    ]  # fmt: skip
    assert household.fields and household.fields[0].hint is not None
    assert household.fields[0].hint.km == "ឈ្មោះពេញ"
    assert schema.field_at("household.dwelling.roof") is not None
    assert [c.name for c in schema.choice_lists["roof"]] == ["tile", "metal", "thatch"]

    good = {
        "household": {
            "head_name": "Sok Dara",
            "members_count": 5,
            "monthly_income": 180.5,
            "dwelling": {"roof": "metal"},
        },
        "visit_date": "2026-11-20",
    }
    assert check(schema, good).ok
    bad = {"household": {"members_count": 0, "dwelling": {"roof": "straw"}}, "visit_date": "x"}
    assert sorted(problems(schema, bad)) == [
        ("household.dwelling.roof", "invalid_choice"),
        ("household.head_name", "required"),
        ("household.members_count", "constraint_failed"),
        ("visit_date", "wrong_type"),
    ]


def test_nested_repeat_of_children_inside_a_repeat_of_households() -> None:
    survey = [
        ["type", "name", EN, KM, "required", "calculation"],
        ["begin repeat", "households", "Households", "គ្រួសារ"],
        ["text", "village", "Village", "ភូមិ", "yes"],
        ["begin repeat", "children", "Children", "កុមារ"],
        ["text", "child_name", "Child's name", "ឈ្មោះកុមារ", "yes"],
        ["integer", "age", "Age", "អាយុ"],
        ["end repeat"],
        ["end repeat"],
        ["calculate", "household_count", None, None, None, "count(${households})"],
    ]
    schema = import_xlsform(xlsx(survey), "visits.xlsx")

    households = schema.fields[0]
    assert households.type == "repeat" and households.min_count is None
    children = schema.field_at("households.children")
    assert children is not None and children.type == "repeat"

    good = {
        "households": [
            {"_row_id": row_id(), "village": "Kouk Khmum",
             "children": [{"_row_id": row_id(), "child_name": "Dara", "age": 4}]},
            {"_row_id": row_id(), "village": "Ou Char", "children": []},
        ]
    }  # fmt: skip
    result = check(schema, good)
    assert result.ok, result.errors
    assert result.data["household_count"] == 2
    bad = {
        "households": [
            {"_row_id": row_id(), "village": "Kouk Khmum",
             "children": [{"_row_id": row_id(), "age": 4}, {"_row_id": row_id(),
                                                           "child_name": "Vanna", "age": "2"}]},
        ]
    }  # fmt: skip
    assert problems(schema, bad) == [
        ("households.0.children.1.age", "wrong_type"),
        ("households.0.children.0.child_name", "required"),
    ]


def test_skip_logic_drops_answers_that_are_not_relevant() -> None:
    survey = [
        ["type", "name", EN, KM, "relevant", "required"],
        ["select_one yes_no", "consent", "Do you consent?", "តើអ្នកយល់ព្រមទេ?", None, "yes"],
        ["text", "refusal_reason", "Why not?", "ហេតុអ្វី?", "${consent} = 'no'", "yes"],
        ["begin group", "interview", "Interview", "បទសម្ភាសន៍", "${consent} = 'yes'"],
        ["integer", "child_age", "Child's age", "អាយុកុមារ", None, "yes"],
        ["text", "school", "School", "សាលា", "${child_age} >= 6"],
        ["end group"],
    ]
    schema = import_xlsform(xlsx(survey, YES_NO), "consent.xlsx")
    assert schema.field_at("interview") is not None
    assert schema.field_at("interview").relevant == "${consent} = 'yes'"  # type: ignore[union-attr]

    result = check(schema, {"consent": "no", "refusal_reason": "busy",
                            "interview": {"child_age": 9, "school": "Wat Bo"}})  # fmt: skip
    assert result.ok
    assert result.data == {"consent": "no", "refusal_reason": "busy"}
    assert problems(schema, {"consent": "yes", "interview": {"school": "x"}}) == [
        ("interview.child_age", "required")
    ]
    assert problems(schema, {"consent": "no"}) == [("refusal_reason", "required")]


def test_constraints_carry_khmer_messages() -> None:
    survey = [
        ["type", "name", EN, KM, "constraint", MSG_EN, MSG_KM],
        ["integer", "age", "Age", "អាយុ", ". >= 0 and . <= 17",
         "A child is 0 to 17 years old.", "កុមារមានអាយុពី ០ ដល់ ១៧ ឆ្នាំ។"],
        ["text", "phone", "Phone", "ទូរស័ព្ទ", "regex(., '^0[0-9]{8,9}$')",
         "A phone number has 9 or 10 digits.", "លេខទូរស័ព្ទមាន ៩ ឬ ១០ ខ្ទង់។"],
    ]  # fmt: skip
    schema = import_xlsform(xlsx(survey), "child.xlsx")
    age = schema.field_at("age")
    assert age is not None and age.constraint_message is not None
    assert age.constraint_message.km == "កុមារមានអាយុពី ០ ដល់ ១៧ ឆ្នាំ។"

    assert check(schema, {"age": 7, "phone": "012345678"}).ok
    errors = check(schema, {"age": 25, "phone": "12"}).errors
    assert [(e.path, e.code) for e in errors] == [
        ("age", "constraint_failed"), ("phone", "constraint_failed"),
    ]  # fmt: skip
    assert errors[0].message_km == "កុមារមានអាយុពី ០ ដល់ ១៧ ឆ្នាំ។"
    assert errors[1].message == "A phone number has 9 or 10 digits."


CASCADE_CHOICES: Rows = [
    ["list_name", "name", EN, KM, "province", "district"],
    ["province", "02", "Battambang", "បាត់ដំបង"],
    ["province", "12", "Phnom Penh", "ភ្នំពេញ"],
    ["district", "0201", "Banan", "បាណន់", "02"],
    ["district", "0203", "Battambang", "បាត់ដំបង", "02"],
    ["district", "1201", "Chamkar Mon", "ចំការមន", "12"],
    ["commune", "020101", "Kantueu Muoy", "កន្ទឺ ១", "02", "0201"],
    ["commune", "120101", "Tonle Basak", "ទន្លេបាសាក់", "12", "1201"],
]


def test_cascading_province_district_commune_choice_filters() -> None:
    survey = [
        ["type", "name", EN, KM, "choice_filter", "required"],
        ["select_one province", "province", "Province", "ខេត្ត", None, "yes"],
        ["select_one district", "district", "District", "ស្រុក", "province = ${province}", "yes"],
        ["select_one commune", "commune", "Commune", "ឃុំ", "district=${district}", "yes"],
    ]
    content = xlsx(survey, CASCADE_CHOICES, settings(location_field="commune"))
    schema = import_xlsform(content, "cascade.xlsx")
    assert schema.location_field == "commune"
    district = schema.field_at("district")
    assert district is not None and district.choice_filter == "province = ${province}"
    assert schema.choice_lists["district"][0].filter == {"province": "02"}

    result = check(schema, {"province": "02", "district": "0201", "commune": "020101"})
    assert result.ok and result.location == "020101"
    # Chamkar Mon is in Phnom Penh, not Battambang; its commune matches its district
    assert problems(schema, {"province": "02", "district": "1201", "commune": "120101"}) == [
        ("district", "invalid_choice")
    ]


def test_calculations_are_recomputed_by_the_server() -> None:
    survey = [
        ["type", "name", EN, KM, "calculation", "constraint", MSG_EN, MSG_KM],
        ["integer", "boys", "Boys", "ក្មេងប្រុស"],
        ["integer", "girls", "Girls", "ក្មេងស្រី"],
        ["calculate", "total", None, None, "${boys} + ${girls}"],
        ["calculate", "girls_share", None, None,
         "if(${total} > 0, round(${girls} div ${total}, 2), 0)"],
        ["note", "summary", "${total} children", "កុមារ ${total} នាក់"],
        ["integer", "beds", "Beds", "គ្រែ", None, ". >= ${total}",
         "Fewer beds than children.", "គ្រែតិចជាងកុមារ។"],
    ]  # fmt: skip
    schema = import_xlsform(xlsx(survey), "capacity.xlsx")
    total = schema.field_at("total")
    assert total is not None and total.type == "calculate" and total.label is None

    result = check(schema, {"boys": 2, "girls": 3, "total": 99, "beds": 6})
    assert result.ok
    assert result.data["total"] == 5 and result.data["girls_share"] == 0.6
    assert problems(schema, {"boys": 4, "girls": 4, "beds": 6}) == [("beds", "constraint_failed")]


def test_select_multiple_with_selected_and_count_selected() -> None:
    survey = [
        ["type", "name", EN, KM, "relevant", "required", "constraint"],
        ["select_multiple services", "services", "Services received", "សេវាដែលទទួលបាន",
         None, "yes", "count-selected(.) <= 3"],
        ["text", "other_service", "Which other service?", "សេវាផ្សេងទៀតណា?",
         "selected(${services}, 'other')", "yes"],
    ]  # fmt: skip
    choices = [
        ["list_name", "name", EN, KM],
        ["services", "health", "Health care", "សុខាភិបាល"],
        ["services", "school", "Schooling", "ការសិក្សា"],
        ["services", "cash", "Cash transfer", "ប្រាក់ឧបត្ថម្ភ"],
        ["services", "other", "Other", "ផ្សេងៗ"],
    ]
    schema = import_xlsform(xlsx(survey, choices), "services.xlsx")
    services = schema.field_at("services")
    assert services is not None and services.type == "select_multiple"

    assert check(schema, {"services": ["health", "other"], "other_service": "legal aid"}).ok
    assert check(schema, {"services": ["health"], "other_service": "dropped"}).data == {
        "services": ["health"]
    }
    assert problems(schema, {"services": ["school", "other"]}) == [("other_service", "required")]
    too_many = {"services": ["health", "school", "cash", "other"], "other_service": "x"}
    assert problems(schema, too_many) == [("services", "constraint_failed")]


def test_defaults_static_and_dynamic() -> None:
    survey = [
        ["type", "name", EN, KM, "default", "constraint", "read_only"],
        ["integer", "visits", "Visits", "ការចុះសួរ", "1"],
        ["decimal", "distance_km", "Distance (km)", "ចម្ងាយ", "2.5"],
        ["text", "city", "City", "ទីក្រុង", "Phnom Penh (capital)"],
        ["select_one yes_no", "first_visit", "First visit?", "ចុះលើកដំបូង?", "yes"],
        ["select_multiple topics", "topics", "Topics", "ប្រធានបទ", "health school"],
        ["date", "visit_date", "Visit date", "កាលបរិច្ឆេទ", "today()", ". <= today()"],
        ["date", "campaign_start", "Campaign start", "ចាប់ផ្ដើមយុទ្ធនាការ", "2026-01-15", None, "yes"],
    ]  # fmt: skip
    choices = [
        *YES_NO,
        ["topics", "health", "Health", "សុខភាព"],
        ["topics", "school", "School", "សាលា"],
        ["topics", "family", "Family", "គ្រួសារ"],
    ]
    schema = import_xlsform(xlsx(survey, choices), "defaults.xlsx")
    defaults = {f.name: f.default for f in schema.fields}
    assert defaults["visits"] == 1 and defaults["distance_km"] == 2.5
    assert defaults["city"] == "Phnom Penh (capital)"
    assert defaults["first_visit"] == "yes" and defaults["topics"] == ["health", "school"]
    assert defaults["campaign_start"] == "2026-01-15"
    dumped = schema.model_dump(mode="json", exclude_defaults=True)
    assert dumped["fields"][5]["default"] == {"expression": "today()"}
    assert schema.field_at("campaign_start").read_only  # type: ignore[union-attr]

    assert check(schema, {"visits": 1, "visit_date": "2026-11-24", "topics": ["family"]}).ok
    assert problems(schema, {"visit_date": "2026-12-01"}) == [("visit_date", "constraint_failed")]


def test_a_form_in_the_style_of_odk_sample_forms() -> None:
    """Like ODK's "All widgets": hints, notes, geopoint, image, signature, acknowledge."""
    survey = [
        ["type", "name", EN, KM, HINT_EN, HINT_KM, "appearance", "required", "relevant"],
        ["note", "intro", "This form shows the widgets.", "ទម្រង់នេះបង្ហាញប្រភេទសំណួរ។"],
        ["acknowledge", "consent_ack", "I have read the consent form.",
         "ខ្ញុំបានអានលិខិតយល់ព្រម។", None, None, None, "yes"],
        ["text", "comments", "Comments", "មតិយោបល់", "Anything else?", "មានអ្វីទៀតទេ?",
         "multiline"],
        ["geopoint", "location", "Location", "ទីតាំង", "Wait for accuracy", "រង់ចាំភាពត្រឹមត្រូវ",
         "maps", "yes"],
        ["image", "house_photo", "Photo of the house", "រូបថតផ្ទះ", None, None, "new"],
        ["image", "caregiver_signature", "Caregiver's signature", "ហត្ថលេខាអ្នកថែទាំ",
         None, None, "signature", "yes", "${consent_ack} = 'yes'"],
        ["datetime", "finished_at", "Finished at", "បញ្ចប់នៅ"],
    ]  # fmt: skip
    schema = import_xlsform(xlsx(survey), "all_widgets.xlsx")
    types = {f.name: (f.type, f.appearance) for f in schema.fields}
    assert types == {
        "intro": ("note", None),
        "consent_ack": ("yes_no", None),
        "comments": ("text", "multiline"),
        "location": ("geopoint", "maps"),
        "house_photo": ("photo", "new"),
        "caregiver_signature": ("signature", None),
        "finished_at": ("datetime", None),
    }
    good = {
        "consent_ack": "yes",
        "location": {"lat": 13.36, "lon": 103.86, "accuracy": 4.5},
        "house_photo": SHA,
        "caregiver_signature": SHA,
        "finished_at": "2026-11-24T08:15:00+07:00",
    }
    result = check(schema, good)
    assert result.ok and result.attachments == [SHA]
    bad = {"consent_ack": "no", "location": {"lat": 95, "lon": 0, "accuracy": 1},
           "house_photo": "photo.jpg"}  # fmt: skip
    assert problems(schema, bad) == [
        ("location", "wrong_type"),
        ("house_photo", "wrong_type"),
        ("consent_ack", "constraint_failed"),
    ]
    assert problems(schema, {**good, "caregiver_signature": None}) == [
        ("caregiver_signature", "required")
    ]


def test_a_form_in_the_style_of_a_kobotoolbox_export() -> None:
    """Kobo exports: start/end metadata, `$kuid`/`$autoname` columns, `true`/`false`, id_string."""
    survey = [
        ["type", "$kuid", "$autoname", "name", EN, KM, HINT_EN, HINT_KM, "required", "relevant"],
        ["start", "a1", "start", "start"],
        ["end", "a2", "end", "end"],
        ["today", "a3", "today", "today"],
        ["username", "a4", "username", "username"],
        ["deviceid", "a5", "deviceid", "deviceid"],
        ["select_one sex", "b1", "child_sex", "child_sex", "Sex", "ភេទ", None, None, "true"],
        ["date", "b2", "date_of_birth", "date_of_birth", "Date of birth", "ថ្ងៃខែឆ្នាំកំណើត",
         "As on the birth certificate", "តាមសំបុត្រកំណើត", "true"],
        ["select_one yes_no", "b3", "disability", "disability", "Disability?", "ពិការភាព?",
         None, None, "false"],
        ["text", "b4", "disability_type", "disability_type", "Which?", "ប្រភេទណា?", None, None,
         "false", "${disability} = 'yes'"],
    ]  # fmt: skip
    choices = [
        ["list_name", "name", EN, KM, "$kuid", "$autovalue"],
        ["sex", "female", "Female", "ស្រី", "c1", "female"],
        ["sex", "male", "Male", "ប្រុស", "c2", "male"],
        ["yes_no", "yes", "Yes", "បាទ/ចាស", "c3", "yes"],
        ["yes_no", "no", "No", "ទេ", "c4", "no"],
    ]
    setting = [
        ["form_title", "form_title_km", "id_string", "version", "roles", "style"],
        ["Child registration", "ការចុះឈ្មោះកុមារ", "child_registration", "vBzT9qXk3", "ccwc",
         "pages"],
    ]  # fmt: skip
    schema = import_xlsform(xlsx(survey, choices, setting), "aT9kQ2x7.xlsx")
    assert (schema.form_id, schema.version, schema.roles) == (
        "child_registration", "vBzT9qXk3", ["ccwc"],
    )  # fmt: skip
    assert [f.name for f in schema.fields] == [
        "child_sex", "date_of_birth", "disability", "disability_type",
    ]  # fmt: skip
    assert schema.fields[0].required is True and schema.fields[2].required is False
    assert schema.choice_lists["sex"][0].filter is None  # $kuid, $autovalue are not kept

    assert check(schema, {"child_sex": "female", "date_of_birth": "2024-02-29",
                          "disability": "yes", "disability_type": "hearing"}).ok  # fmt: skip
    assert problems(schema, {"child_sex": "girl", "disability": "no"}) == [
        ("child_sex", "invalid_choice"),
        ("date_of_birth", "required"),
    ]


def test_an_xls_workbook_imports_like_an_xlsx() -> None:
    survey = [
        ["type", "name", EN, KM, "required", "constraint"],
        ["text", "institution_name", "Institution", "មណ្ឌល", "yes"],
        ["integer", "children_under_3", "Children under 3", "កុមារអាយុក្រោម ៣ ឆ្នាំ", "yes",
         ". >= 0"],
        ["select_one yes_no", "abuse_allegation", "Abuse allegation?", "ការចោទប្រកាន់រំលោភ?"],
    ]  # fmt: skip
    content = xls(survey, YES_NO, settings(version="7", form_id="inspection_lite"))
    assert content[:4] == bytes.fromhex("D0CF11E0")
    schema = import_xlsform(content, "inspection.xls")
    assert (schema.form_id, schema.version) == ("inspection_lite", "7")
    assert schema.fields[1].label is not None
    assert schema.fields[1].label.km == "កុមារអាយុក្រោម ៣ ឆ្នាំ"

    # an .xls saved under an .xlsx name is read as what its bytes are
    same = import_xlsform(content, "inspection.xlsx")
    assert canonical_json(same) == canonical_json(schema)
    good = {"institution_name": "Hope", "children_under_3": 0, "abuse_allegation": "no"}
    assert check(schema, good).ok
    assert problems(schema, {"institution_name": "Hope", "children_under_3": -1}) == [
        ("children_under_3", "constraint_failed")
    ]


def test_khmer_as_default_language_and_legacy_spellings() -> None:
    """Plain `label` is the default language's; `label::en`, `select one`, `begin_group`."""
    survey = [
        ["type", "name", "label", "label::en", "hint", "hint::en", "relevance"],
        ["begin_group", "child", "កុមារ", "Child"],
        ["text", "child_name", "ឈ្មោះ", "Name", "ឈ្មោះពេញ", "Full name"],
        ["select one sex", "sex", "ភេទ", "Sex"],
        ["integer", "age", "អាយុ", "Age", None, None, "${sex} != ''"],
        ["end_group"],
    ]
    choices = [
        ["list name", "name", "label", "label::en"],
        ["sex", "female", "ស្រី", "Female"],
        ["sex", "male", "ប្រុស", "Male"],
    ]
    content = xlsx(survey, choices, settings(default_language="Khmer (km)"))
    schema = import_xlsform(content, "child.xlsx")
    assert schema.settings is not None and schema.settings.default_language == "km"
    child = schema.fields[0]
    assert child.label is not None and (child.label.en, child.label.km) == ("Child", "កុមារ")
    age = schema.field_at("child.age")
    assert age is not None and age.relevant == "${sex} != ''"
    assert schema.choice_lists["sex"][1].label.km == "ប្រុស"

    assert check(schema, {"child": {"child_name": "Dara", "sex": "male", "age": 3}}).ok
    assert problems(schema, {"child": {"sex": "other"}}) == [("child.sex", "invalid_choice")]


def test_a_fixed_repeat_count_bounds_the_rows() -> None:
    survey = [
        ["type", "name", EN, KM, "repeat_count", "required"],
        ["begin repeat", "caregivers", "Caregivers", "អ្នកថែទាំ", "2"],
        ["text", "caregiver_name", "Name", "ឈ្មោះ", None, "yes"],
        ["end repeat"],
    ]
    schema = import_xlsform(xlsx(survey), "caregivers.xlsx")
    caregivers = schema.fields[0]
    assert (caregivers.min_count, caregivers.max_count) == (2, 2)

    two = [{"_row_id": row_id(), "caregiver_name": n} for n in ("Sok", "Chan")]
    assert check(schema, {"caregivers": two}).ok
    three = [*two, {"_row_id": row_id(), "caregiver_name": "Mey"}]
    assert problems(schema, {"caregivers": three}) == [("caregivers", "too_many_rows")]


def test_settings_instance_name_and_form_id_from_the_file_name() -> None:
    survey = [
        ["type", "name", EN, KM, "required"],
        ["text", "family_name", "Family name", "នាមត្រកូល", "yes"],
        ["integer", "household_size", "Household size", "ទំហំគ្រួសារ"],
    ]
    setting = settings(form_id=None, instance_name="concat(${family_name}, '-', ${household_size})")
    schema = import_xlsform(xlsx(survey, None, setting), "Family Follow-up.XLSX")
    assert schema.form_id == "family_follow_up"
    assert schema.settings is not None
    assert schema.settings.instance_name == "concat(${family_name}, '-', ${household_size})"
    assert check(schema, {"family_name": "Chea", "household_size": 4}).ok
    assert problems(schema, {"household_size": 4.5}) == [
        ("household_size", "wrong_type"), ("family_name", "required"),
    ]  # fmt: skip


# --- refused workbooks ------------------------------------------------------------------------


def one(issues: list[ImportIssue]) -> ImportIssue:
    assert len(issues) == 1, issues
    return issues[0]


def test_no_survey_sheet() -> None:
    content = xlsx([["type"]], YES_NO)
    book = openpyxl.load_workbook(io.BytesIO(content))
    del book["survey"]
    out = io.BytesIO()
    book.save(out)
    issue = one(refused(out.getvalue()))
    assert (issue.sheet, issue.row, issue.feature) == (None, None, "survey sheet")
    assert "survey" in issue.message


def test_duplicate_names_name_the_row() -> None:
    survey = [
        ["type", "name", EN, KM],
        ["text", "child_name", "Name", "ឈ្មោះ"],
        ["integer", "age", "Age", "អាយុ"],
        ["text", "child_name", "Name again", "ឈ្មោះម្ដងទៀត"],
    ]
    issue = one(refused(xlsx(survey)))
    assert (issue.sheet, issue.row, issue.feature) == ("survey", 4, "name")


def test_unknown_type_names_its_row() -> None:
    survey = [["type", "name", EN, KM], ["text", "a", "A", "ក"], ["txet", "b", "B", "ខ"]]
    issue = one(refused(xlsx(survey)))
    assert (issue.sheet, issue.row, issue.feature) == ("survey", 3, "type txet")


def test_broken_expression_names_its_row_and_column() -> None:
    survey = [
        ["type", "name", EN, KM, "relevant"],
        ["integer", "age", "Age", "អាយុ"],
        ["text", "school", "School", "សាលា", "${age} >= "],
    ]
    issue = one(refused(xlsx(survey)))
    assert (issue.sheet, issue.row, issue.feature) == ("survey", 3, "relevant")
    assert "at character" in issue.message


def test_unclosed_group_names_the_begin_row() -> None:
    survey = [
        ["type", "name", EN, KM],
        ["text", "a", "A", "ក"],
        ["begin group", "details", "Details", "ព័ត៌មានលម្អិត"],
        ["text", "b", "B", "ខ"],
    ]
    issue = one(refused(xlsx(survey)))
    assert (issue.sheet, issue.row, issue.feature) == ("survey", 3, "begin group")


def test_select_with_a_missing_list() -> None:
    survey = [["type", "name", EN, KM], ["select_one colours", "colour", "Colour", "ពណ៌"]]
    issue = one(refused(xlsx(survey, YES_NO)))
    assert (issue.sheet, issue.row, issue.feature) == ("survey", 2, "select list")
    assert "colours" in issue.message


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "form.xlsx", "empty"),
        (bytes(range(256)) * 4, "form.xlsx", "not an Excel workbook"),
        (b"type,name,label\ntext,a,A\n", "form.xlsx", "not an Excel workbook"),
        (b"PK\x03\x04 not really a zip", "form.xlsx", "cannot be read"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600, "form.xls", "cannot be read"),
        (b"survey\ntype,name\n", "form.csv", "not .csv"),
        (b"PK\x03\x04", "form", "no extension"),
    ],
    ids=["empty", "random-bytes", "text-renamed-xlsx", "corrupt-zip", "corrupt-xls", "csv",
         "no-extension"],
)  # fmt: skip
def test_what_is_not_a_workbook_is_refused(content: bytes, filename: str, message: str) -> None:
    issue = one(refused(content, filename))
    assert (issue.row, issue.sheet) == (None, None)
    assert message in issue.message


def test_a_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    issue = one(refused(out.getvalue()))
    assert issue.feature == "workbook" and "cannot be read" in issue.message


def test_damaged_workbooks_raise_only_xlsform_error() -> None:
    good = xlsx([["type", "name", EN, KM], ["text", "a", "A", "ក"]])
    import_xlsform(good, "ok.xlsx")
    samples = [good[:n] for n in (4, 30, 100, len(good) // 2, len(good) - 10)]
    for i in range(0, len(good), max(1, len(good) // 40)):
        damaged = bytearray(good)
        damaged[i] ^= 0xFF
        samples.append(bytes(damaged))
    old = xls([["type", "name", EN, KM], ["text", "a", "A", "ក"]])
    samples += [old[:n] for n in (8, 512, len(old) // 2)]
    for sample in samples:
        for name in ("form.xlsx", "form.xls"):
            try:
                import_xlsform(sample, name)
            except XLSFormError as exc:
                assert exc.issues and all(isinstance(i, ImportIssue) for i in exc.issues)


@pytest.mark.parametrize(
    ("kind", "feature"),
    [
        ("geotrace", "geotrace"), ("geoshape", "geoshape"), ("range", "range"),
        ("rank yes_no", "rank"),
        ("select_one_from_file villages.csv", "select_one_from_file"),
        ("select_multiple_from_file villages.csv", "select_multiple_from_file"),
        ("start-geopoint", "start-geopoint"), ("audit", "audit"),
    ],
)  # fmt: skip
def test_types_that_cannot_map_are_refused_by_row(kind: str, feature: str) -> None:
    name = "audit" if kind == "audit" else "b"  # pyxform insists on that name
    survey = [["type", "name", EN, KM], ["text", "a", "A", "ក"], [kind, name, "B", "ខ"]]
    issue = one(refused(xlsx(survey, YES_NO)))
    assert (issue.sheet, issue.row, issue.feature) == ("survey", 3, feature)


@pytest.mark.parametrize(
    ("column", "expression", "feature"),
    [
        ("calculation", "pulldata('villages', 'code', 'name', ${a})", "pulldata()"),
        ("calculation", "instance('villages')/root/item[name = ${a}]/code", "instance()"),
        ("calculation", "position(..)", "position()"),
        ("calculation", "jr:choice-name(${a}, '${a}')", "jr:choice-name()"),
        ("calculation", "indexed-repeat(${a}, ${a}, 1)", "indexed-repeat()"),
        ("calculation", "once(today())", "once()"),
        ("calculation", "uuid()", "uuid()"),
        ("calculation", "/data/a", "XPath path"),
        ("calculation", "${last-saved#a}", "last-saved"),
        ("relevant", "selected-at(${a}, 0) = 'x'", "selected-at()"),
        ("constraint", "../a != ''", "relative path"),
        ("required", "${a} = ", "required"),
        ("default", "once(today())", "once()"),
    ],
)
def test_expressions_outside_homewards_language_are_refused(
    column: str, expression: str, feature: str
) -> None:
    kind = "calculate" if column == "calculation" else "text"
    survey = [
        ["type", "name", EN, KM, column],
        ["text", "a", "A", "ក"],
        [kind, "b", "B", "ខ", expression],
    ]
    issue = one(refused(xlsx(survey)))
    assert (issue.sheet, issue.row, issue.feature) == ("survey", 3, feature)


@pytest.mark.parametrize(
    ("header", "value", "feature"),
    [
        ("media::image::English (en)", "house.png", "media::image::English (en)"),
        ("image", "house.png", "image"),
        ("trigger", "${a}", "trigger"),
        ("required_message::English (en)", "Please answer", "required_message::English (en)"),
        ("guidance_hint", "Ask gently", "guidance_hint"),
        ("parameters", "randomize=true", "parameters"),
        ("kobo--locking-profile", "lock_all", "kobo--locking-profile"),
        ("bind::odk:length", "10", "bind::odk:length"),
    ],
)
def test_columns_homeward_does_not_use_are_ignored_with_a_warning_by_row(
    header: str, value: str, feature: str
) -> None:
    kind = "select_one yes_no" if header == "parameters" else "text"
    survey = [
        ["type", "name", EN, KM, header],
        ["text", "a", "A", "ក"],
        [kind, "b", "B", "ខ", value],
    ]
    imported = read_xlsform(xlsx(survey, YES_NO), "form.xlsx")
    assert [(w.sheet, w.row, w.feature) for w in imported.warnings] == [("survey", 3, feature)]
    assert imported.schema.field_at("b") is not None


@pytest.mark.parametrize(
    ("header", "value", "feature"),
    [
        ("appearance", "search('villages')", "search()"),
        ("read_only", "${a} != ''", "read_only"),
    ],
)
def test_columns_that_cannot_map_are_refused_by_row(header: str, value: str, feature: str) -> None:
    kind = "select_one yes_no" if header == "parameters" else "text"
    survey = [
        ["type", "name", EN, KM, header],
        ["text", "a", "A", "ក"],
        [kind, "b", "B", "ខ", value],
    ]
    issues = refused(xlsx(survey, YES_NO))
    assert [(i.sheet, i.row, i.feature) for i in issues] == [("survey", 3, feature)]


def test_image_max_pixels_is_ignored_with_a_warning_until_the_schema_has_a_place_for_it() -> None:
    survey = [
        ["type", "name", EN, KM, "parameters"],
        ["image", "p", "Photo", "រូបថត", "max-pixels=1024"],
    ]
    warning = one(read_xlsform(xlsx(survey), "form.xlsx").warnings)
    assert (warning.row, warning.feature) == (2, "parameters") and "max-pixels" in warning.message


def test_repeat_count_from_an_expression_is_ignored_with_a_warning() -> None:
    survey = [
        ["type", "name", EN, KM, "repeat_count"],
        ["integer", "n", "How many?", "ប៉ុន្មាន?"],
        ["begin repeat", "people", "People", "មនុស្ស", "${n}"],
        ["text", "person", "Name", "ឈ្មោះ"],
        ["end repeat"],
    ]
    imported = read_xlsform(xlsx(survey), "form.xlsx")
    warning = one(imported.warnings)
    assert (warning.sheet, warning.row, warning.feature) == ("survey", 3, "repeat_count")
    people = imported.schema.field_at("people")
    assert people is not None and people.min_count is None and people.max_count is None


def test_missing_khmer_shows_english_and_marks_the_form() -> None:
    survey = [
        ["type", "name", EN, KM, HINT_EN],
        ["text", "a", "A", "ក"],
        ["text", "b", "B", None],
        ["text", "c", "C", "គ", "A hint without Khmer"],
        ["select_one yes_no", "d", "D", "ឃ"],
    ]
    choices = [
        ["list_name", "name", EN, KM],
        ["yes_no", "yes", "Yes", "បាទ"],
        ["yes_no", "no", "No"],
    ]
    schema = import_xlsform(xlsx(survey, choices), "form.xlsx")
    assert schema.needs_khmer
    b, c = schema.field_at("b"), schema.field_at("c")
    assert b is not None and b.label is not None and (b.label.en, b.label.km) == ("B", "B")
    assert c is not None and c.hint is not None and c.hint.km == "A hint without Khmer"
    assert [(x.name, x.label.km) for x in schema.choice_lists["yes_no"]] == [
        ("yes", "បាទ"), ("no", "No"),
    ]  # fmt: skip


def test_a_bilingual_form_is_not_marked_as_needing_khmer() -> None:
    survey = [["type", "name", EN, KM], ["text", "a", "A", "ក"]]
    assert not import_xlsform(xlsx(survey), "form.xlsx").needs_khmer


def test_an_english_only_form_publishes_in_english_marked_as_needing_khmer() -> None:
    survey = [["type", "name", "label"], ["text", "a", "A"], ["integer", "b", "B"]]
    schema = import_xlsform(xlsx(survey), "form.xlsx")
    assert schema.needs_khmer
    assert [(f.label.en, f.label.km) for f in schema.fields if f.label] == [("A", "A"), ("B", "B")]


def test_a_third_language_is_a_warning_at_its_header() -> None:
    survey = [["type", "name", EN, KM, "label::French (fr)"], ["text", "a", "A", "ក", "A"]]
    warning = one(read_xlsform(xlsx(survey), "form.xlsx").warnings)
    assert (warning.sheet, warning.row, warning.feature) == ("survey", 1, "language")


@pytest.mark.parametrize(
    ("changes", "feature"),
    [
        ({"version": "v" * 40}, "version"),
        ({"roles": "inspector chief"}, "roles"),
        ({"form_id": "x" * 70}, "form_id"),
    ],
)
def test_settings_that_cannot_map(changes: dict[str, str | None], feature: str) -> None:
    survey = [["type", "name", EN, KM], ["text", "a", "A", "ក"]]
    issue = one(refused(xlsx(survey, None, settings(**changes))))
    assert (issue.sheet, issue.feature) == ("settings", feature)


def test_dropped_metadata_cannot_be_referenced() -> None:
    survey = [
        ["type", "name", EN, KM, "constraint"],
        ["today", "today"],
        ["date", "visit", "Visit", "ការចុះ", ". <= ${today}"],
    ]
    issue = one(refused(xlsx(survey)))
    assert (issue.row, issue.feature) == (3, "constraint") and "today()" in issue.message


def test_names_homeward_cannot_use_as_data_keys() -> None:
    survey = [["type", "name", EN, KM], ["text", "child.name", "Name", "ឈ្មោះ"]]
    issue = one(refused(xlsx(survey)))
    assert (issue.row, issue.feature) == (2, "name")


def test_a_group_with_no_label_is_labelled_by_its_name() -> None:
    survey = [
        ["type", "name", EN, KM, "appearance"],
        ["begin group", "page1", None, None, "field-list"],
        ["text", "a", "A", "ក"],
        ["end group"],
    ]
    group = import_xlsform(xlsx(survey), "form.xlsx").field_at("page1")
    assert group is not None and group.label is not None and group.label.en == "page1"


def test_a_choice_filter_on_a_missing_column_reads_it_empty_with_a_warning() -> None:
    survey = [
        ["type", "name", EN, KM, "choice_filter"],
        ["select_one province", "province", "Province", "ខេត្ត"],
        ["select_one district", "district", "District", "ស្រុក", "provice = ${province}"],
    ]
    imported = read_xlsform(xlsx(survey, CASCADE_CHOICES), "form.xlsx")
    warning = one(imported.warnings)
    assert (warning.sheet, warning.row) == ("survey", 3) and "provice" in warning.message
    assert all(
        c.filter and c.filter["provice"] == "" for c in imported.schema.choice_lists["district"]
    )
    data = {"province": "12", "district": "1201"}  # no district passes the filter, as in ODK
    assert problems(imported.schema, data) == [("district", "invalid_choice")]


def test_the_entities_sheet_is_ignored_with_a_warning() -> None:
    survey = [["type", "name", EN, KM], ["text", "a", "A", "ក"]]
    entities = [["list_name", "label"], ["households", "${a}"]]
    warnings = read_xlsform(xlsx(survey, entities=entities), "form.xlsx").warnings
    assert [w.feature for w in warnings] == ["entities sheet"]


def test_a_note_with_a_calculation_is_refused_by_the_native_schema() -> None:
    survey = [
        ["type", "name", EN, KM, "calculation"],
        ["integer", "a", "A", "ក"],
        ["note", "shown", "Twice: ${a}", "ពីរដង: ${a}", "${a} * 2"],
    ]
    issue = one(refused(xlsx(survey)))
    assert (issue.row, issue.feature) == (3, "note") and "calculation" in issue.message


def test_a_question_with_a_calculation_needs_read_only() -> None:
    """docs/forms.md: `calculation` applies to a calculate, or a value field with `read_only`
    (the server recomputes it); a calculate keeps its label (the tablet shows it read-only)."""
    survey = [
        ["type", "name", EN, KM, "calculation", "read_only"],
        ["integer", "a", "A", "ក"],
        ["integer", "twice", "Twice", "ពីរដង", "${a} * 2"],
    ]
    issue = one(refused(xlsx(survey)))
    assert (issue.row, issue.feature) == (3, "integer") and "needs read_only" in issue.message
    survey[2].append("yes")
    survey.append(["calculate", "thrice", "Thrice", "បីដង", "${a} * 3"])
    schema = import_xlsform(xlsx(survey), "f.xlsx")
    twice, thrice = schema.field_at("twice"), schema.field_at("thrice")
    assert twice is not None and twice.read_only and twice.calculation == "${a} * 2"
    assert thrice is not None and thrice.label is not None and thrice.label.en == "Thrice"


def test_all_mapping_problems_are_reported_at_once() -> None:
    survey = [
        ["type", "name", EN, KM, "calculation"],
        ["geotrace", "route", "Route", "ផ្លូវ"],
        ["calculate", "code", None, None, "pulldata('x', 'y', 'z', 'w')"],
        ["range", "level", "Level", "កម្រិត"],
    ]
    exc = pytest.raises(XLSFormError, import_xlsform, xlsx(survey), "f.xlsx").value
    assert [(i.row, i.feature) for i in exc.issues] == [
        (2, "geotrace"), (3, "pulldata()"), (4, "range"),
    ]  # fmt: skip
    assert exc.details()[1] == {
        "sheet": "survey", "row": 3, "feature": "pulldata()", "message": exc.issues[1].message,
    }  # fmt: skip
    assert "survey row 2 [geotrace]" in str(exc)


def test_a_loop_becomes_a_group_per_choice() -> None:
    survey = [
        ["type", "name", EN, KM],
        ["begin loop over yes_no", "each", "Each", "នីមួយៗ"],
        ["text", "why", "Why?", "ហេតុអ្វី?"],
        ["end loop"],
        ["text", "after", "After", "បន្ទាប់"],
    ]
    schema = import_xlsform(xlsx(survey, YES_NO), "form.xlsx")
    assert [f.name for f in schema.fields] == ["each", "after"]
    yes = schema.field_at("each.yes")
    assert yes is not None and yes.label is not None and yes.label.km == "បាទ/ចាស"
    assert schema.field_at("each.no.why") is not None


def test_a_label_showing_dropped_metadata_shows_nothing_in_its_place() -> None:
    survey = [
        ["type", "name", EN, KM],
        ["start", "start"],
        ["note", "n", "Began ${start}", "ចាប់ផ្ដើម ${start}"],
    ]
    imported = read_xlsform(xlsx(survey), "form.xlsx")
    warning = one(imported.warnings)
    assert (warning.row, warning.feature) == (3, "label") and "${start}" in warning.message
    note = imported.schema.field_at("n")
    assert note is not None and note.label is not None and note.label.en == "Began"


def test_a_survey_of_metadata_only_keeps_nothing() -> None:
    survey = [["type", "name"], ["start", "start"], ["end", "end"]]
    issue = one(refused(xlsx(survey)))
    assert (issue.sheet, issue.row, issue.feature) == ("survey", None, "survey")


def test_a_location_field_of_the_wrong_type_points_at_the_settings() -> None:
    survey = [["type", "name", EN, KM], ["integer", "beds", "Beds", "គ្រែ"]]
    issue = one(refused(xlsx(survey, None, settings(location_field="beds"))))
    assert (issue.sheet, issue.row, issue.feature) == ("settings", 2, "location_field")
