"""The OpenRosa server over HTTP, on SQLite and PostgreSQL: formList, download and md5, HEAD,
auth (token in the path, Basic, revoked), submissions decided as pushes (duplicate, 409,
deprecatedID merge, rules, scope, split uploads)."""

from __future__ import annotations

import hashlib
import uuid
import xml.etree.ElementTree as ET
from typing import Any

from fastapi.testclient import TestClient

from app.attachments.storage import AttachmentStore
from app.settings import get_settings
from tests.api.helpers import assert_error, auth_headers
from tests.api.sync_helpers import change, push
from tests.openrosa.helpers import (
    SIGNATURES,
    basic,
    instance_xml,
    message_of,
    placement_answers,
    post_submission,
    sha,
    token_of,
)

NS = {"x": "http://openrosa.org/xforms/xformsList"}


def _listed(response: Any) -> dict[str, dict[str, str]]:
    root = ET.fromstring(response.content)
    return {
        item.findtext("x:formID", namespaces=NS) or "": {
            "hash": item.findtext("x:hash", namespaces=NS) or "",
            "url": item.findtext("x:downloadUrl", namespaces=NS) or "",
            "version": item.findtext("x:version", namespaces=NS) or "",
        }
        for item in root.findall("x:xform", NS)
    }


def _expected_record(answers: dict[str, Any]) -> dict[str, Any]:
    """What the stored record holds for ``answers``: file names become hashes."""
    expected = {k: v for k, v in answers.items()}
    expected["ccwc_members"] = [
        {**row, "member_signature": sha(SIGNATURES[row["member_signature"]])}
        for row in answers["ccwc_members"]
    ]
    return expected


def _without_row_ids(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out["ccwc_members"] = [
        {k: v for k, v in row.items() if k != "_row_id"} for row in data["ccwc_members"]
    ]
    return out


def test_form_list_by_token_serves_the_roles_forms_with_the_md5_of_the_bytes(
    demo_client: TestClient,
) -> None:
    token = token_of(demo_client, "ccwc.pp")
    response = demo_client.get(f"/openrosa/key/{token}/formList")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.headers["x-openrosa-version"] == "1.0"
    listed = _listed(response)
    api = demo_client.get("/api/v1/forms", headers={"Authorization": f"Bearer {token}"}).json()
    assert set(listed) == {f["form_id"] for f in api["forms"]}
    assert "placement_recommendation" in listed and "institution_inspection" not in listed
    for form_id, item in listed.items():
        assert item["url"].startswith(f"http://testserver/openrosa/key/{token}/")
        download = demo_client.get(item["url"])
        assert download.status_code == 200, form_id
        assert download.headers["content-type"].startswith("text/xml")
        assert item["hash"] == "md5:" + hashlib.md5(download.content).hexdigest()
        root = download.content.decode()
        assert f'id="{form_id}" version="{item["version"]}"' in root
    again = demo_client.get(f"/openrosa/key/{token}/formList")
    assert _listed(again) == listed  # the bytes, hence the md5, never change
    head = demo_client.head(f"/openrosa/key/{token}/formList")
    assert head.status_code == 200 and head.headers["x-openrosa-version"] == "1.0"


def test_a_form_the_role_may_not_fill_is_not_served(demo_client: TestClient) -> None:
    token = token_of(demo_client, "ccwc.pp")
    url = f"/openrosa/key/{token}/forms/institution_inspection/versions/2026.1.xml"
    assert demo_client.get(url).status_code == 404
    assert demo_client.get(url.replace("2026.1", "1999")).status_code == 404


def test_basic_auth_challenges_refuses_and_accepts(demo_client: TestClient) -> None:
    missing = demo_client.get("/openrosa/formList")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith('Basic realm="Homeward"')
    wrong = demo_client.get("/openrosa/formList", headers=basic("ccwc.pp", "not-the-password"))
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Basic")
    good = demo_client.get("/openrosa/formList", headers=basic("ccwc.pp"))
    assert good.status_code == 200
    listed = _listed(good)
    assert "placement_recommendation" in listed
    assert listed["placement_recommendation"]["url"].startswith("http://testserver/openrosa/forms/")
    head = demo_client.head("/openrosa/submission", headers=basic("ccwc.pp"))
    assert head.status_code == 204


def test_a_revoked_token_stops_working(demo_client: TestClient) -> None:
    token = token_of(demo_client, "ccwc.pp", device_id="collect-1")
    base = f"/openrosa/key/{token}"
    assert demo_client.get(f"{base}/formList").status_code == 200
    admin = auth_headers(demo_client, "admin")
    revoked = demo_client.post(
        "/api/v1/auth/revoke", json={"device_id": "collect-1"}, headers=admin
    )
    assert revoked.status_code == 200, revoked.text
    assert_error(demo_client.get(f"{base}/formList"), 401, "invalid_token")
    xml, _ = instance_xml("placement_recommendation", placement_answers())
    assert post_submission(demo_client, base, xml, SIGNATURES).status_code == 401
    assert demo_client.get("/openrosa/key/not-a-token/formList").status_code == 401


def test_head_submission_is_204_with_the_accepted_length(demo_client: TestClient) -> None:
    token = token_of(demo_client, "ccwc.pp")
    response = demo_client.head(f"/openrosa/key/{token}/submission")
    assert response.status_code == 204
    assert int(response.headers["x-openrosa-accept-content-length"]) > 1_000_000
    assert response.headers["x-openrosa-version"] == "1.0"


def test_a_submission_becomes_a_record_once_and_other_xml_is_409(demo_client: TestClient) -> None:
    token = token_of(demo_client, "ccwc.pp")
    base = f"/openrosa/key/{token}"
    answers = placement_answers()
    xml, instance_id = instance_xml("placement_recommendation", answers)
    first = post_submission(demo_client, base, xml, SIGNATURES)
    assert first.status_code == 201, first.text
    assert first.headers["x-openrosa-version"] == "1.0"
    assert "OpenRosaResponse" in first.text
    record_id = instance_id.removeprefix("uuid:")
    headers = {"Authorization": f"Bearer {token}"}
    record = demo_client.get(f"/api/v1/records/{record_id}", headers=headers).json()
    assert record["form_id"] == "placement_recommendation" and record["rev"] == 1
    assert record["data"].pop("age_years") == 7  # calculated by the server
    assert _without_row_ids(record["data"]) == _expected_record(answers)
    assert all(row["_row_id"] for row in record["data"]["ccwc_members"])
    assert record["incomplete"] is False
    for content in SIGNATURES.values():
        stored = demo_client.get(f"/api/v1/attachments/{sha(content)}", headers=headers)
        assert stored.status_code == 200 and stored.content == content

    again = post_submission(demo_client, base, xml, SIGNATURES)
    assert again.status_code in {201, 202}, again.text
    history = demo_client.get(f"/api/v1/records/{record_id}/history", headers=headers).json()
    assert len(history["revisions"] if isinstance(history, dict) else history) == 1

    other, _ = instance_xml(
        "placement_recommendation", {**answers, "village": "Another"}, instance_id=instance_id
    )
    clash = post_submission(demo_client, base, other, SIGNATURES)
    assert clash.status_code == 409, clash.text
    after = demo_client.get(f"/api/v1/records/{record_id}", headers=headers).json()
    assert after["rev"] == 1 and after["data"]["village"] == answers["village"]


def test_plain_meta_and_left_out_nodes_are_accepted(demo_client: TestClient) -> None:
    token = token_of(demo_client, "ccwc.pp")
    answers = placement_answers()
    del answers["village"]  # unanswered (or non-relevant): left out, as JavaRosa does
    xml, instance_id = instance_xml("placement_recommendation", answers, orx=False)
    response = post_submission(demo_client, f"/openrosa/key/{token}", xml, SIGNATURES)
    assert response.status_code == 201, response.text
    record = demo_client.get(
        f"/api/v1/records/{instance_id.removeprefix('uuid:')}",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert "village" not in record["data"]


def test_an_edit_by_deprecated_id_merges_with_a_change_made_meanwhile(
    demo_client: TestClient,
) -> None:
    token = token_of(demo_client, "ccwc.pp")
    base = f"/openrosa/key/{token}"
    headers = {"Authorization": f"Bearer {token}"}
    url = ""

    def record() -> dict[str, Any]:
        return dict(demo_client.get(url, headers=headers).json())

    def tablet_sets_village(value: str) -> None:
        stored = record()
        data = {**stored["data"], "village": value}
        [pushed] = push(
            demo_client,
            headers,
            change(
                "placement_recommendation", data, record_id=stored["record_id"],
                base_rev=stored["rev"],
            ),
        )  # fmt: skip
        assert pushed["status"] == "applied", pushed

    def collect_edits(instance: str, data: dict[str, Any]) -> tuple[Any, str]:
        xml, new_id = instance_xml("placement_recommendation", data, deprecated_id=instance)
        return post_submission(demo_client, base, xml, SIGNATURES), new_id

    answers = placement_answers()
    xml, first_id = instance_xml("placement_recommendation", answers)
    assert post_submission(demo_client, base, xml, SIGNATURES).status_code == 201
    url = f"/api/v1/records/{first_id.removeprefix('uuid:')}"
    row_ids = [row["_row_id"] for row in record()["data"]["ccwc_members"]]
    # Collect keeps the row keys it was given (once(uuid())): the same rows
    answers["ccwc_members"] = [
        {"_row_id": key, **row} for key, row in zip(row_ids, answers["ccwc_members"], strict=True)
    ]
    tablet_sets_village("Changed on a tablet")  # revision 2

    # Collect edits the first instance (revision 1): another field merges
    edited = {**answers, "child_views": "Wants to live with the aunt."}
    response, second_id = collect_edits(first_id, edited)
    assert response.status_code == 201, response.text
    now = record()
    assert now["rev"] == 3 and now["open_conflicts"] == []
    assert now["data"]["village"] == "Changed on a tablet"
    assert now["data"]["child_views"] == "Wants to live with the aunt."

    # editing that edit again, leaving the village as Collect has it, does not undo the
    # tablet's village (Collect never saw it)
    again = {**edited, "best_interests": "Near a school; the aunt signs."}
    response, third_id = collect_edits(second_id, again)
    assert response.status_code == 201, response.text
    now = record()
    assert now["rev"] == 4 and now["data"]["village"] == "Changed on a tablet"
    assert now["data"]["best_interests"] == "Near a school; the aunt signs."

    # a clash: the village changed on the server since, and in Collect: the server's stays
    tablet_sets_village("Tablet again")  # revision 5
    response, _ = collect_edits(third_id, {**again, "village": "Changed in Collect"})
    assert response.status_code == 201, response.text
    assert "village" in message_of(response)
    now = record()
    assert now["rev"] == 6 and now["data"]["village"] == "Tablet again"
    assert [(c["path"], c["client_value"]) for c in now["open_conflicts"]] == [
        ("village", "Changed in Collect")
    ]
    unknown, _ = collect_edits(f"uuid:{uuid.uuid4()}", answers)
    assert unknown.status_code == 404, unknown.text


def test_an_edit_that_does_not_send_its_unchanged_files_again_keeps_them(
    demo_client: TestClient,
) -> None:
    """ODK Web Forms sends with an edit only the files it adds or changes: a file the edit
    names and does not send is the replaced instance's file by that name."""
    token = token_of(demo_client, "ccwc.pp")
    base = f"/openrosa/key/{token}"
    headers = {"Authorization": f"Bearer {token}"}
    answers = placement_answers()
    xml, first_id = instance_xml("placement_recommendation", answers)
    assert post_submission(demo_client, base, xml, SIGNATURES).status_code == 201
    url = f"/api/v1/records/{first_id.removeprefix('uuid:')}"
    first = demo_client.get(url, headers=headers).json()
    rows = first["data"]["ccwc_members"]
    answers["ccwc_members"] = [
        {"_row_id": row["_row_id"], **given}
        for row, given in zip(rows, answers["ccwc_members"], strict=True)
    ]
    # the second signature is replaced (sent), the first is not sent again
    new_signature = b"\x89PNG a new second signature"
    answers["ccwc_members"][1]["member_signature"] = "sig-3.png"
    edit, second_id = instance_xml("placement_recommendation", answers, deprecated_id=first_id)
    response = post_submission(demo_client, base, edit, {"sig-3.png": new_signature})
    assert response.status_code == 201, response.text
    record = demo_client.get(url, headers=headers).json()
    assert record["rev"] == 2
    assert [row["member_signature"] for row in record["data"]["ccwc_members"]] == [
        sha(SIGNATURES["sig-1.png"]),
        sha(new_signature),
    ]
    # and an edit of that edit still finds both, by the names it gave them
    again, _ = instance_xml(
        "placement_recommendation",
        {**answers, "child_views": "Happy with the aunt."},
        deprecated_id=second_id,
    )
    response = post_submission(demo_client, base, again)
    assert response.status_code == 201, response.text
    record = demo_client.get(url, headers=headers).json()
    assert record["rev"] == 3 and record["data"]["child_views"] == "Happy with the aunt."
    assert record["data"]["ccwc_members"][1]["member_signature"] == sha(new_signature)
    # a name the replaced instance never had must arrive
    answers["ccwc_members"][0]["member_signature"] = "sig-9.png"
    missing, _ = instance_xml("placement_recommendation", answers, deprecated_id=second_id)
    response = post_submission(demo_client, base, missing)
    assert response.status_code == 400 and "sig-9.png" in message_of(response)
    # nor does an edit by someone the record is out of scope for reach its files
    social = token_of(demo_client, "social.btb")
    answers["ccwc_members"][0]["member_signature"] = "sig-1.png"
    foreign, _ = instance_xml("placement_recommendation", answers, deprecated_id=second_id)
    response = post_submission(demo_client, f"/openrosa/key/{social}", foreign)
    assert 400 <= response.status_code < 500, response.text
    assert demo_client.get(url, headers=headers).json()["rev"] == 3


def test_residential_care_under_3_is_refused_with_its_message(demo_client: TestClient) -> None:
    token = token_of(demo_client, "ccwc.pp")
    answers = placement_answers()
    answers.update(date_of_birth="2024-01-10", recommended_placement="residential_care")
    answers.pop("kinship_carer")
    xml, instance_id = instance_xml("placement_recommendation", answers)
    response = post_submission(demo_client, f"/openrosa/key/{token}", xml, SIGNATURES)
    assert response.status_code == 422, response.text
    message = message_of(response)
    assert "recommended_placement" in message and "family" in message.lower()
    record = demo_client.get(
        f"/api/v1/records/{instance_id.removeprefix('uuid:')}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert record.status_code == 404


def test_scope_and_role_are_those_of_a_push(demo_client: TestClient) -> None:
    ccwc = token_of(demo_client, "ccwc.pp")  # commune 120101
    outside, _ = instance_xml("placement_recommendation", placement_answers("170101"))
    response = post_submission(demo_client, f"/openrosa/key/{ccwc}", outside, SIGNATURES)
    assert response.status_code == 422, response.text
    inspector = token_of(demo_client, "inspector.sr")
    xml, instance_id = instance_xml("placement_recommendation", placement_answers())
    refused = post_submission(demo_client, f"/openrosa/key/{inspector}", xml, SIGNATURES)
    assert refused.status_code == 403, refused.text
    assert post_submission(demo_client, f"/openrosa/key/{ccwc}", xml, SIGNATURES).status_code == 201
    # a record of Phnom Penh is absent for an inspector of Siem Reap
    other = auth_headers(demo_client, "inspector.sr")
    record_url = f"/api/v1/records/{instance_id.removeprefix('uuid:')}"
    assert demo_client.get(record_url, headers=other).status_code == 404
    # and its instanceID cannot be taken by someone who cannot see it
    social = token_of(demo_client, "social.btb")
    taken = post_submission(demo_client, f"/openrosa/key/{social}", xml, SIGNATURES)
    assert taken.status_code in {403, 409}, taken.text


def test_a_split_upload_is_stored_when_its_last_part_arrives(demo_client: TestClient) -> None:
    token = token_of(demo_client, "ccwc.pp")
    base = f"/openrosa/key/{token}"
    headers = {"Authorization": f"Bearer {token}"}
    xml, instance_id = instance_xml("placement_recommendation", placement_answers())
    [(first_name, first), (second_name, second)] = SIGNATURES.items()
    part = post_submission(demo_client, base, xml, {first_name: first}, incomplete=True)
    assert part.status_code == 201, part.text
    record_url = f"/api/v1/records/{instance_id.removeprefix('uuid:')}"
    assert demo_client.get(record_url, headers=headers).status_code == 404
    last = post_submission(demo_client, base, xml, {second_name: second})
    assert last.status_code == 201, last.text
    record = demo_client.get(record_url, headers=headers).json()
    assert [row["member_signature"] for row in record["data"]["ccwc_members"]] == [
        sha(first),
        sha(second),
    ]


def test_bad_submissions_are_4xx_that_say_why(demo_client: TestClient) -> None:
    token = token_of(demo_client, "ccwc.pp")
    base = f"/openrosa/key/{token}"
    answers = placement_answers()
    cases = [
        (instance_xml("no_such_form", answers)[0], SIGNATURES, 404, "no_such_form"),
        (b"<data id='placement_recommendation'", SIGNATURES, 400, "well-formed"),
        (
            instance_xml("placement_recommendation", answers)[0].replace(b"orx:meta", b"orx:x"),
            SIGNATURES,
            400,
            "instanceID",
        ),
        (instance_xml("placement_recommendation", answers)[0], {}, 400, "sig-1.png"),
    ]
    for xml, files, status, words in cases:
        response = post_submission(demo_client, base, xml, files)
        assert response.status_code == status, (words, response.text)
        assert words in message_of(response)
    no_xml = demo_client.post(f"{base}/submission", files={"x": ("x.png", b"x", "image/png")})
    assert no_xml.status_code == 400
    assert demo_client.post(f"{base}/submission", content=b"plain").status_code == 400


def test_a_submission_refused_for_its_xml_leaves_no_file_and_a_good_one_records_its_files(
    demo_client: TestClient,
) -> None:
    """The photo's bytes are stored once the XML has been read: a submission that names a
    file it did not send is refused (400) with nothing stored; sent whole, each file is stored,
    recorded and readable by its sender."""
    token = token_of(demo_client, "ccwc.pp")
    base = f"/openrosa/key/{token}"
    store = AttachmentStore.under(get_settings().data_dir)
    one = {"sig-1.png": b"\x89PNG only the first " + uuid.uuid4().bytes}
    answers = placement_answers()
    xml, _ = instance_xml("placement_recommendation", answers)
    refused = post_submission(demo_client, base, xml, one)  # sig-2.png is named, not sent
    assert refused.status_code == 400 and "sig-2.png" in message_of(refused), refused.text
    assert store.stored_size(sha(one["sig-1.png"])) is None
    whole = {**one, "sig-2.png": b"\x89PNG the second " + uuid.uuid4().bytes}
    xml, _ = instance_xml("placement_recommendation", answers)
    accepted = post_submission(demo_client, base, xml, whole)
    assert accepted.status_code == 201, accepted.text
    headers = {"Authorization": f"Bearer {token}"}
    for content in whole.values():
        assert store.stored_size(sha(content)) == len(content)
        stored = demo_client.get(f"/api/v1/attachments/{sha(content)}", headers=headers)
        assert stored.status_code == 200 and stored.content == content


def test_a_retired_form_leaves_the_form_list_and_comes_back_when_restored(
    demo_client: TestClient,
) -> None:
    token = token_of(demo_client, "ccwc.pp")
    admin = auth_headers(demo_client, "admin")
    assert "placement_recommendation" in _listed(demo_client.get(f"/openrosa/key/{token}/formList"))
    retired = demo_client.post("/api/v1/forms/placement_recommendation/retire", headers=admin)
    assert retired.status_code == 200, retired.text
    assert "placement_recommendation" not in _listed(
        demo_client.get(f"/openrosa/key/{token}/formList")
    )
    restored = demo_client.post("/api/v1/forms/placement_recommendation/restore", headers=admin)
    assert restored.status_code == 200, restored.text
    assert "placement_recommendation" in _listed(demo_client.get(f"/openrosa/key/{token}/formList"))
