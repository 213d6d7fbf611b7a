"""Push, from the outside: the five outcomes of the contract and what each stores."""

from __future__ import annotations

import copy
import gzip
import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.db.session import session_scope
from app.models import RecordRevision, SyncChange
from tests.api.helpers import assert_error, auth_headers
from tests.api.sync_helpers import change, demo_institution, inspection_data, placement_data, push


def _revisions(record_id: str) -> int:
    with session_scope() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(RecordRevision)
                .where(RecordRevision.record_id == record_id)
            )
            or 0
        )


def test_a_new_record_is_applied_and_readable(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    new = change("institution_inspection", inspection_data(demo_institution("17")))
    [result] = push(demo_client, headers, new)
    assert result == {
        "change_id": new["change_id"],
        "record_id": new["record_id"],
        "status": "applied",
        "rev": 1,
        "errors": [],
        "conflicts": [],
    }
    record = demo_client.get(f"/api/v1/records/{new['record_id']}", headers=headers).json()
    assert record["rev"] == 1
    assert record["review"] == {"state": "received", "comment": None}
    assert record["data"]["beds"] == 55
    history = demo_client.get(f"/api/v1/records/{new['record_id']}/history", headers=headers).json()
    assert [r["rev"] for r in history["revisions"]] == [1]
    assert history["revisions"][0]["device_id"] == "tab-017"
    assert history["revisions"][0]["by"] == "inspector.sr"


def test_same_change_id_twice_is_duplicate_and_stores_nothing_twice(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    new = change("institution_inspection", inspection_data(demo_institution("17")))
    [first] = push(demo_client, headers, new)
    [again] = push(demo_client, headers, new)
    assert again["status"] == "duplicate"
    assert {k: v for k, v in again.items() if k != "status"} == {
        k: v for k, v in first.items() if k != "status"
    }
    assert _revisions(new["record_id"]) == 1
    with session_scope() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(SyncChange)
                .where(SyncChange.change_id == new["change_id"])
            )
            == 1
        )


def test_same_change_id_with_other_content_is_rejected(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    new = change("institution_inspection", inspection_data(demo_institution("17")))
    push(demo_client, headers, new)
    reused = copy.deepcopy(new)
    reused["data"]["beds"] = 54
    [result] = push(demo_client, headers, reused)
    assert result["status"] == "rejected"
    assert [e["code"] for e in result["errors"]] == ["change_id_reused"]
    record = demo_client.get(f"/api/v1/records/{new['record_id']}", headers=headers).json()
    assert record["data"]["beds"] == 55 and record["rev"] == 1


def test_an_edit_on_the_current_revision_is_applied(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    data = inspection_data(demo_institution("17"))
    new = change("institution_inspection", data)
    push(demo_client, headers, new)
    edited = change(
        "institution_inspection", data | {"beds": 50}, record_id=new["record_id"], base_rev=1
    )
    [result] = push(demo_client, headers, edited)
    assert (result["status"], result["rev"]) == ("applied", 2)
    assert _revisions(new["record_id"]) == 2


def test_edits_of_different_fields_from_two_devices_merge(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    data = inspection_data(demo_institution("17"))
    new = change("institution_inspection", data)
    push(demo_client, headers, new)
    first = change(
        "institution_inspection", data | {"beds": 50}, record_id=new["record_id"], base_rev=1
    )
    second = change(
        "institution_inspection",
        data | {"follow_up_actions": "Visit in March."},
        record_id=new["record_id"],
        base_rev=1,
    )
    assert push(demo_client, headers, first, device_id="tab-a")[0]["status"] == "applied"
    [merged] = push(demo_client, headers, second, device_id="tab-b")
    assert (merged["status"], merged["rev"], merged["conflicts"]) == ("merged", 3, [])
    record = demo_client.get(f"/api/v1/records/{new['record_id']}", headers=headers).json()
    assert record["data"]["beds"] == 50
    assert record["data"]["follow_up_actions"] == "Visit in March."


def test_the_same_field_changed_twice_is_a_conflict_the_server_value_stays(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    data = inspection_data(demo_institution("17"))
    new = change("institution_inspection", data)
    push(demo_client, headers, new)
    first = change(
        "institution_inspection",
        data | {"beds": 50, "follow_up_actions": "A"},
        record_id=new["record_id"],
        base_rev=1,
    )
    second = change(
        "institution_inspection",
        data | {"beds": 48, "recommended_follow_up": "improve"},
        record_id=new["record_id"],
        base_rev=1,
    )
    push(demo_client, headers, first, device_id="tab-a")
    [result] = push(demo_client, headers, second, device_id="tab-b")
    assert result["status"] == "conflict"
    assert result["rev"] == 3
    assert [(c["path"], c["server_value"], c["client_value"]) for c in result["conflicts"]] == [
        ("beds", 50, 48)
    ]
    record = demo_client.get(f"/api/v1/records/{new['record_id']}", headers=headers).json()
    assert record["data"]["beds"] == 50  # first to sync wins
    assert record["data"]["recommended_follow_up"] == "improve"  # the rest merged
    assert record["data"]["follow_up_actions"] == "A"
    [open_conflict] = record["open_conflicts"]
    assert (
        open_conflict["path"],
        open_conflict["server_value"],
        open_conflict["client_value"],
    ) == ("beds", 50, 48)


def test_invalid_data_is_rejected_by_path_and_nothing_is_stored(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    data = inspection_data(demo_institution("17"), beds="many")
    del data["inspection_date"]
    bad = change("institution_inspection", data)
    [result] = push(demo_client, headers, bad)
    assert result["status"] == "rejected" and result["rev"] is None
    codes = {(e["path"], e["code"]) for e in result["errors"]}
    assert ("beds", "wrong_type") in codes
    assert ("inspection_date", "required") in codes
    assert all(e["message"] and e.get("message_km") for e in result["errors"])
    assert_error(
        demo_client.get(f"/api/v1/records/{bad['record_id']}", headers=headers), 404, "not_found"
    )
    assert _revisions(bad["record_id"]) == 0


def test_one_rejected_change_does_not_stop_the_others(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    institution = demo_institution("17")
    good1 = change("institution_inspection", inspection_data(institution))
    bad = change("institution_inspection", inspection_data(institution, beds=-3))
    malformed = {"change_id": "not-a-uuid", "form_id": "institution_inspection"}
    good2 = change("institution_inspection", inspection_data(institution, beds=40))
    results = push(demo_client, headers, good1, bad, malformed, good2)
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "applied"]
    assert results[2]["errors"][0]["code"] == "invalid_change"
    assert _revisions(good1["record_id"]) == 1 and _revisions(good2["record_id"]) == 1


def test_placement_of_a_child_under_3_into_residential_care_is_refused(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "ccwc.pp")
    data = placement_data(
        date_of_birth="2024-01-10",
        recommendation_date="2026-11-18",
        recommended_placement="residential_care",
    )
    data.pop("kinship_carer", None)
    [result] = push(demo_client, headers, change("placement_recommendation", data))
    assert result["status"] == "rejected"
    [error] = [e for e in result["errors"] if e["path"] == "recommended_placement"]
    assert error["code"] == "under_3_residential_care"
    assert "family" in error["message"].lower()
    assert error["message_km"]


def test_a_record_outside_the_callers_scope_cannot_be_created(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "ccwc.pp")  # commune 120101
    [result] = push(
        demo_client, headers, change("placement_recommendation", placement_data(commune="170101"))
    )
    assert result["status"] == "rejected"
    assert {e["code"] for e in result["errors"]} & {"out_of_scope", "invalid_reference"}


def test_a_record_outside_the_callers_scope_cannot_be_edited_or_learnt_of(
    demo_client: TestClient,
) -> None:
    siem_reap = auth_headers(demo_client, "inspector.sr")
    data = inspection_data(demo_institution("17"))
    new = change("institution_inspection", data)
    push(demo_client, siem_reap, new)
    phnom_penh = auth_headers(demo_client, "inspector.pp1")
    edit = change(
        "institution_inspection", data | {"beds": 1}, record_id=new["record_id"], base_rev=1
    )
    [result] = push(demo_client, phnom_penh, edit)
    assert result["status"] == "rejected"
    assert "beds" not in json.dumps(result["errors"])
    assert (
        demo_client.get(f"/api/v1/records/{new['record_id']}", headers=siem_reap).json()["data"][
            "beds"
        ]
        == 55
    )


def test_an_inspection_referring_to_an_institution_outside_scope_is_refused(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    [result] = push(
        demo_client,
        headers,
        change("institution_inspection", inspection_data(demo_institution("12"))),
    )
    assert result["status"] == "rejected"
    assert {e["path"] for e in result["errors"]} == {"institution"}


def test_too_many_changes_is_413(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    body = {"device_id": "tab", "changes": [{}] * 1001}
    response = demo_client.post("/api/v1/sync/push", json=body, headers=headers)
    assert_error(response, 413, "too_many_changes")


def test_a_gzip_bomb_is_413_and_gzip_pushes_work(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    bomb = gzip.compress(b'{"device_id": "x", "changes": [' + b" " * (17 * 1024 * 1024) + b"]}")
    response = demo_client.post(
        "/api/v1/sync/push",
        content=bomb,
        headers=headers | {"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert_error(response, 413, "body_too_large")
    new = change("institution_inspection", inspection_data(demo_institution("17")))
    body = gzip.compress(json.dumps({"device_id": "tab", "changes": [new]}).encode())
    response = demo_client.post(
        "/api/v1/sync/push",
        content=body,
        headers=headers | {"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "applied"


def test_a_push_that_is_not_json_or_misses_fields_is_a_clear_422(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    response = demo_client.post(
        "/api/v1/sync/push",
        content=b"{oops",
        headers=headers | {"Content-Type": "application/json"},
    )
    assert_error(response, 422, "validation_error")
    response = demo_client.post("/api/v1/sync/push", json={"changes": []}, headers=headers)
    error = assert_error(response, 422, "validation_error")
    assert error["details"][0]["path"] == "device_id"


def test_a_form_version_that_does_not_exist_is_rejected(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    [result] = push(
        demo_client,
        headers,
        change("institution_inspection", inspection_data(demo_institution("17")), version="1999.1"),
    )
    assert result["status"] == "rejected"
    assert result["errors"][0]["code"] == "unknown_form_version"


def test_two_edits_of_one_record_in_one_batch_build_on_each_other(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    data = inspection_data(demo_institution("17"))
    new = change("institution_inspection", data)
    push(demo_client, headers, new)
    first = change(
        "institution_inspection", data | {"beds": 50}, record_id=new["record_id"], base_rev=1
    )
    second = change(
        "institution_inspection",
        data | {"follow_up_actions": "B"},
        record_id=new["record_id"],
        base_rev=1,
    )
    results = push(demo_client, headers, first, second)
    assert [(r["status"], r["rev"]) for r in results] == [("applied", 2), ("merged", 3)]
    record = demo_client.get(f"/api/v1/records/{new['record_id']}", headers=headers).json()
    assert (record["data"]["beds"], record["data"]["follow_up_actions"]) == (50, "B")


def test_a_tablet_on_an_older_form_version_is_still_accepted(demo_client: TestClient) -> None:
    admin = auth_headers(demo_client, "admin")
    schema = demo_client.get(
        "/api/v1/forms/institution_inspection/versions/2026.1", headers=admin
    ).json()
    schema["version"] = "2026.2"
    schema["fields"].append(
        {
            "name": "visit_notes",
            "type": "text",
            "label": {"en": "Notes", "km": "កំណត់ចំណាំ"},
            "required": True,
        }
    )
    assert demo_client.post("/api/v1/forms", json=schema, headers=admin).status_code == 201
    headers = auth_headers(demo_client, "inspector.sr")
    current = {
        f["form_id"]: f["version"]
        for f in demo_client.get("/api/v1/forms", headers=headers).json()["forms"]
    }
    assert current["institution_inspection"] == "2026.2"
    old = change("institution_inspection", inspection_data(demo_institution("17")))
    [result] = push(demo_client, headers, old)  # 2026.1 has no required visit_notes
    assert result["status"] == "applied"
    new = change(
        "institution_inspection", inspection_data(demo_institution("17")), version="2026.2"
    )
    [refused] = push(demo_client, headers, new)
    assert [(e["path"], e["code"]) for e in refused["errors"]] == [("visit_notes", "required")]
    record = demo_client.get(f"/api/v1/records/{old['record_id']}", headers=headers).json()
    assert record["form_version"] == "2026.1"


def test_an_inspection_over_the_baseline_beds_or_with_children_under_3_is_flagged(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    institution = demo_institution("17")
    baseline = demo_client.get(f"/api/v1/records/{institution}", headers=headers).json()["data"][
        "baseline_beds"
    ]
    data = inspection_data(institution, beds=baseline + 5)
    data["children"] = data["children"] | {"girls_0_2": 1}
    new = change("institution_inspection", data)
    [result] = push(demo_client, headers, new)
    assert result["status"] == "applied"
    supervisor = auth_headers(demo_client, "mosvy")
    record = demo_client.get(f"/api/v1/records/{new['record_id']}", headers=supervisor).json()
    codes = {flag["code"] for flag in record["flags"]}
    assert {"beds_above_baseline", "children_under_3"} <= codes
    assert record["data"]["children_under_3"] == 1


def test_a_field_left_empty_as_in_its_base_never_clashes(demo_client: TestClient) -> None:
    """Empty text is stored absent; a tablet that still sends ``""`` for it, as it had it,
    changed nothing there: its other edit merges (issue #15, point 1)."""
    from tests.unit.test_domain_forms import institution

    headers = auth_headers(demo_client, "inspector.pp1")
    data = {**institution(), "district": "1201", "commune": "120101", "notes": ""}
    first = change("institution", data)
    assert push(demo_client, headers, first)[0]["status"] == "applied"
    rid = first["record_id"]
    a = change("institution", {**data, "notes": "from A"}, record_id=rid, base_rev=1)
    assert push(demo_client, headers, a, device_id="tab-a")[0]["status"] == "applied"
    for empty in ("", None):
        b = change(
            "institution",
            {**data, "notes": empty, "baseline_children": 53},
            record_id=rid,
            base_rev=1,
        )
        [result] = push(demo_client, headers, b, device_id="tab-b")
        assert result["status"] == "merged", result
        assert result["conflicts"] == []
    stored = demo_client.get(f"/api/v1/records/{rid}", headers=headers).json()
    assert stored["data"]["notes"] == "from A"
    assert stored["data"]["baseline_children"] == 53


def test_a_repeat_row_without_its_key_gets_one_that_a_retry_keeps(
    demo_client: TestClient,
) -> None:
    """A repeat is an array of objects: a row pushed without ``_row_id`` gets a key from the
    server, the same on every retry of the change (issue #15, point 19)."""
    headers = auth_headers(demo_client, "inspector.sr")
    data = inspection_data(demo_institution("17"))
    for row in data["inspectors"] + data["photos"]:
        row.pop("_row_id", None)
    data["inspectors"][0]["_row_id"] = ""  # empty counts as missing
    new = change("institution_inspection", data)
    [first] = push(demo_client, headers, new)
    assert first["status"] == "applied", first
    stored = demo_client.get(f"/api/v1/records/{new['record_id']}", headers=headers).json()
    keys = [row["_row_id"] for row in stored["data"]["inspectors"] + stored["data"]["photos"]]
    assert len(set(keys)) == len(keys) and all(len(k) == 36 for k in keys)
    [again] = push(demo_client, headers, new)
    assert again["status"] == "duplicate" and again["rev"] == first["rev"]
    stored_again = demo_client.get(f"/api/v1/records/{new['record_id']}", headers=headers).json()
    assert stored_again["data"] == stored["data"]


def test_a_record_whose_location_field_is_empty_belongs_to_its_creators_scope(
    demo_client: TestClient,
) -> None:
    """docs/forms.md: an empty (optional) location field places the record in its creator's
    scope; it is not refused as out of scope (issue #15, point 11)."""
    admin = auth_headers(demo_client, "admin")
    form = {
        "form_id": "home_visit",
        "version": "2026.1",
        "title": {"en": "Home visit", "km": "ការសួរសុខទុក្ខតាមផ្ទះ"},
        "roles": ["inspector"],
        "location_field": "commune",
        "fields": [
            {"name": "commune", "type": "text", "label": {"en": "Commune", "km": "ឃុំ"}},
            {"name": "notes", "type": "text", "label": {"en": "Notes", "km": "កំណត់សម្គាល់"}},
        ],
    }
    published = demo_client.post("/api/v1/forms", json=form, headers=admin)
    assert published.status_code == 201, published.text
    inspector = auth_headers(demo_client, "inspector.sr")  # province 17
    new = change("home_visit", {"notes": "no commune given"}, version="2026.1")
    [result] = push(demo_client, inspector, new)
    assert result["status"] == "applied", result
    url = f"/api/v1/records/{new['record_id']}"
    assert demo_client.get(url, headers=inspector).status_code == 200
    assert (
        demo_client.get(url, headers=auth_headers(demo_client, "inspector.pp1")).status_code == 404
    )
    elsewhere = change("home_visit", {"commune": "120101"}, version="2026.1")
    [refused] = push(demo_client, inspector, elsewhere)
    assert refused["status"] == "rejected"
    assert [e["code"] for e in refused["errors"]] == ["out_of_scope"]
