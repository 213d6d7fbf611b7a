"""Forms over HTTP: the list with ETag, immutable versions, publishing, old versions kept."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import assert_error, auth_headers

SMALL_FORM: dict[str, Any] = {
    "form_id": "school_visit",
    "version": "2026.1",
    "title": {"en": "School visit", "km": "ការចុះសួរសុខទុក្ខសាលារៀន"},
    "roles": ["social_worker", "ccwc"],
    "fields": [
        {
            "name": "visit_date",
            "type": "date",
            "label": {"en": "Visit date", "km": "កាលបរិច្ឆេទ"},
            "required": True,
        },
        {"name": "attends", "type": "yes_no", "label": {"en": "Attends school", "km": "ទៅរៀន"}},
    ],
}


def test_forms_list_shows_what_the_role_may_fill(demo_client: TestClient) -> None:
    ccwc = demo_client.get("/api/v1/forms", headers=auth_headers(demo_client, "ccwc.pp"))
    inspector = demo_client.get("/api/v1/forms", headers=auth_headers(demo_client, "inspector.sr"))
    assert ccwc.status_code == inspector.status_code == 200
    ccwc_ids = {f["form_id"] for f in ccwc.json()["forms"]}
    inspector_ids = {f["form_id"] for f in inspector.json()["forms"]}
    assert "placement_recommendation" in ccwc_ids
    assert "institution_inspection" in inspector_ids
    assert "institution_inspection" not in ccwc_ids
    for entry in inspector.json()["forms"]:
        assert set(entry) == {"form_id", "version", "title", "hash", "needs_khmer"}
        assert entry["needs_khmer"] is False  # the built-in forms are bilingual
        assert entry["title"]["en"] and entry["title"]["km"]
        assert entry["hash"].startswith("sha256:")


def test_forms_list_supports_etag(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    first = demo_client.get("/api/v1/forms", headers=headers)
    etag = first.headers["ETag"]
    again = demo_client.get("/api/v1/forms", headers=headers | {"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = demo_client.get("/api/v1/forms", headers=headers | {"If-None-Match": '"stale"'})
    assert other.status_code == 200


def test_a_version_is_served_whole_and_cacheable_forever(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    entry = next(
        f
        for f in demo_client.get("/api/v1/forms", headers=headers).json()["forms"]
        if f["form_id"] == "institution_inspection"
    )
    response = demo_client.get(
        f"/api/v1/forms/institution_inspection/versions/{entry['version']}", headers=headers
    )
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    names = {f["name"] for f in response.json()["fields"]}
    assert {
        "institution",
        "inspection_date",
        "children_under_3",
        "beds",
        "abuse_allegation",
    } <= names
    assert_error(
        demo_client.get("/api/v1/forms/institution_inspection/versions/1999.9", headers=headers),
        404,
        "not_found",
    )


def test_admin_publishes_and_republishing_identical_content_is_harmless(
    demo_client: TestClient,
) -> None:
    admin = auth_headers(demo_client, "admin")
    created = demo_client.post("/api/v1/forms", json=SMALL_FORM, headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["form_id"], body["version"]) == ("school_visit", "2026.1")
    assert body["hash"].startswith("sha256:")
    again = demo_client.post("/api/v1/forms", json=SMALL_FORM, headers=admin)
    assert again.status_code == 200
    assert again.json()["hash"] == body["hash"]
    social = auth_headers(demo_client, "social.btb")
    listed = demo_client.get("/api/v1/forms", headers=social).json()["forms"]
    assert {
        "form_id": "school_visit",
        "version": "2026.1",
        "hash": body["hash"],
        "title": SMALL_FORM["title"],
        "needs_khmer": False,
    } in listed


def test_same_version_with_other_content_is_409(demo_client: TestClient) -> None:
    admin = auth_headers(demo_client, "admin")
    assert demo_client.post("/api/v1/forms", json=SMALL_FORM, headers=admin).status_code == 201
    changed = copy.deepcopy(SMALL_FORM)
    changed["fields"][1]["label"]["en"] = "Goes to school"
    assert_error(
        demo_client.post("/api/v1/forms", json=changed, headers=admin), 409, "version_exists"
    )


def test_a_new_version_becomes_current_and_the_old_one_stays(demo_client: TestClient) -> None:
    admin = auth_headers(demo_client, "admin")
    demo_client.post("/api/v1/forms", json=SMALL_FORM, headers=admin)
    newer = copy.deepcopy(SMALL_FORM)
    newer["version"] = "2026.2"
    newer["fields"].append(
        {"name": "notes", "type": "text", "label": {"en": "Notes", "km": "កំណត់ចំណាំ"}}
    )
    assert demo_client.post("/api/v1/forms", json=newer, headers=admin).status_code == 201
    social = auth_headers(demo_client, "social.btb")
    listed = {
        f["form_id"]: f["version"]
        for f in demo_client.get("/api/v1/forms", headers=social).json()["forms"]
    }
    assert listed["school_visit"] == "2026.2"
    old = demo_client.get("/api/v1/forms/school_visit/versions/2026.1", headers=social)
    assert old.status_code == 200 and len(old.json()["fields"]) == 2


def test_only_admin_publishes(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "supervisor.pp")
    assert_error(
        demo_client.post("/api/v1/forms", json=SMALL_FORM, headers=headers), 403, "forbidden"
    )


def test_a_broken_schema_is_a_clear_422(demo_client: TestClient) -> None:
    admin = auth_headers(demo_client, "admin")
    broken = copy.deepcopy(SMALL_FORM)
    broken["fields"][1]["relevant"] = "${no_such_field} = 'yes'"
    error = assert_error(
        demo_client.post("/api/v1/forms", json=broken, headers=admin), 422, "validation_error"
    )
    assert "no_such_field" in str(error["details"])
    not_json = demo_client.post(
        "/api/v1/forms",
        content=b"\x00garbage",
        headers=admin | {"Content-Type": "application/json"},
    )
    assert_error(not_json, 422, "validation_error")
