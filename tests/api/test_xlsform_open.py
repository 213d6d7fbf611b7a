"""An ODK Central or Kobo workbook publishes over HTTP (issue #13), on SQLite and PostgreSQL.

The 201 names what was ignored or filled in (`warnings`) and whether the form needs Khmer; the
form list says `needs_khmer`; records are then pushed and validated against the imported form.
What Homeward cannot carry out is a 422 naming the row and the feature.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import assert_error, auth_headers
from tests.api.sync_helpers import change, push
from tests.unit.test_xlsform import xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# as ODK Central would take it: English only, no version, no roles, a setting for Central alone
SURVEY = [
    ["type", "name", "label", "required"],
    ["today", "today", None, None],
    ["select one from yes_no or specify other", "consent", "Consent?", "yes"],
    ["time", "visit_time", "Time of the visit", "yes"],
    ["audio", "interview", "Recorded interview", None],
]
CHOICES = [["list name", "name", "label"], ["yes_no", "yes", "Yes"], ["yes_no", "no", "No"]]
SETTINGS = [
    ["form_title", "form_id", "submission_url"],
    ["Home visit", "home_visit", "https://central.example.org/submission"],
]


def _upload(client: TestClient, content: bytes, name: str = "home_visit.xlsx") -> Any:
    return client.post(
        "/api/v1/forms/xlsform",
        headers=auth_headers(client, "admin"),
        files={"file": (name, content, XLSX)},
        data={"publish": "true"},
    )


def test_an_odk_workbook_publishes_with_warnings_and_is_listed_as_needing_khmer(
    demo_client: TestClient,
) -> None:
    workbook = xlsx(SURVEY, CHOICES, SETTINGS)
    response = _upload(demo_client, workbook)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["form_id"], body["published"], body["needs_khmer"]) == ("home_visit", True, True)
    warned = {(w["sheet"], w["row"], w["feature"]) for w in body["warnings"]}
    assert {
        ("settings", 2, "submission_url"),
        ("settings", None, "version"),
        ("settings", None, "roles"),
        (None, None, "needs Khmer"),
    } <= warned
    assert all(set(w) == {"sheet", "row", "feature", "message"} for w in body["warnings"])
    version = body["version"]

    again = _upload(demo_client, workbook)  # the same workbook: the same derived version
    assert again.status_code == 200, again.text
    assert again.json()["version"] == version and again.json()["warnings"] == body["warnings"]

    social = auth_headers(demo_client, "social.btb")  # a field role: the default roles
    forms = demo_client.get("/api/v1/forms", headers=social).json()["forms"]
    listed = {f["form_id"]: f for f in forms}
    assert listed["home_visit"]["needs_khmer"] is True
    assert listed["home_visit"]["version"] == version
    assert listed["home_visit"]["title"] == {"en": "Home visit", "km": "Home visit"}
    assert all(f["needs_khmer"] is False for k, f in listed.items() if k != "home_visit")

    good = {"consent": "other", "consent_other": "Asked a neighbour", "visit_time": "08:30"}
    applied, missing_other, bad_time = push(
        demo_client,
        social,
        change("home_visit", good, version=version),
        change("home_visit", {"consent": "other", "visit_time": "08:30"}, version=version),
        change("home_visit", {"consent": "yes", "visit_time": "25:00"}, version=version),
    )
    assert applied["status"] == "applied", applied
    assert [(e["path"], e["code"]) for e in missing_other["errors"]] == [
        ("consent_other", "required")
    ]
    assert [(e["path"], e["code"]) for e in bad_time["errors"]] == [
        ("visit_time", "constraint_failed")
    ]

    # a bilingual workbook with every setting Homeward uses: no warnings, no Khmer needed
    survey = [["type", "name", "label::English (en)", "label::Khmer (km)"], ["text", "a", "A", "ក"]]
    settings = [
        ["form_id", "version", "form_title", "form_title_km", "roles"],
        ["plain_form", "1", "Plain", "ធម្មតា", "inspector"],
    ]
    plain = _upload(demo_client, xlsx(survey, None, settings), "plain.xlsx")
    assert plain.status_code == 201, plain.text
    assert (plain.json()["warnings"], plain.json()["needs_khmer"]) == ([], False)


def test_what_homeward_cannot_carry_out_is_a_422_naming_row_and_feature(
    demo_client: TestClient,
) -> None:
    survey = [*SURVEY, ["geoshape", "area", "Area", None]]
    error = assert_error(
        _upload(demo_client, xlsx(survey, CHOICES, SETTINGS)), 422, "invalid_xlsform"
    )
    assert [(d["sheet"], d["row"], d["feature"]) for d in error["details"]] == [
        ("survey", 6, "geoshape")
    ]
    pulldata = [
        ["type", "name", "label", "calculation"],
        ["calculate", "price", None, "pulldata('prices', 'price', 'item', 'rice')"],
        ["text", "a", "A", None],
    ]
    error = assert_error(_upload(demo_client, xlsx(pulldata)), 422, "invalid_xlsform")
    assert [(d["sheet"], d["row"], d["feature"]) for d in error["details"]] == [
        ("survey", 2, "pulldata()")
    ]
