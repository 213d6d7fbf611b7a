"""Holes found from outside by an attacker holding a field account (issue #14), each
reproduced through the API on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db.session import session_scope
from app.models import AuditEntry, Record
from tests.api.helpers import auth_headers
from tests.api.sync_helpers import change, demo_institution, inspection_data, placement_data, push
from tests.unit.test_domain_forms import institution


def _institutions_in(district: str, n: int) -> list[str]:
    with session_scope() as session:
        ids = session.scalars(
            select(Record.record_id)
            .where(Record.form_id == "institution", Record.district == district)
            .order_by(Record.record_id)
            .limit(n)
        ).all()
    assert len(ids) == n
    return list(ids)


def _location(record_id: str) -> tuple[str | None, str | None]:
    with session_scope() as session:
        row = session.get(Record, record_id)
        assert row is not None
        return row.province, row.district


# --- item 2: references laundered inside one push ------------------------------------------


def test_a_reference_never_resolves_to_a_change_of_the_push_that_was_rejected(
    demo_client: TestClient,
) -> None:
    """An institution change claiming a Phnom Penh institution's id is refused; an inspection
    in the same push naming that id must not resolve to the refused change."""
    headers = auth_headers(demo_client, "inspector.sr")
    foreign = demo_institution("12")
    claim = change(
        "institution",
        {**institution(), "province": "17", "district": "1701", "commune": "170101"},
        record_id=foreign,
    )
    inspection = change("institution_inspection", inspection_data(foreign))
    claimed, inspected = push(demo_client, headers, claim, inspection)
    assert claimed["status"] == "rejected"
    assert inspected["status"] == "rejected", inspected
    assert [(e["path"], e["code"]) for e in inspected["errors"]] == [
        ("institution", "invalid_reference")
    ]


def test_a_reference_to_an_accepted_change_of_the_same_push_still_resolves(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    new = change(
        "institution", {**institution(), "province": "17", "district": "1701", "commune": "170101"}
    )
    inspection = change("institution_inspection", inspection_data(new["record_id"]))
    assert [r["status"] for r in push(demo_client, headers, new, inspection)] == [
        "applied",
        "applied",
    ]


# --- item 3: conflict resolution makes the checks a push makes -----------------------------


def _conflict_on_institution(client: TestClient) -> tuple[str, str]:
    """An inspection in district 1201 whose `institution` two tablets changed apart."""
    headers = auth_headers(client, "inspector.pp1")
    first, second, third = _institutions_in("1201", 3)
    created = change("institution_inspection", inspection_data(first))
    assert push(client, headers, created)[0]["status"] == "applied"
    rid = created["record_id"]
    a = change("institution_inspection", inspection_data(second), record_id=rid, base_rev=1)
    b = change("institution_inspection", inspection_data(third), record_id=rid, base_rev=1)
    assert push(client, headers, a, device_id="tab-a")[0]["status"] == "applied"
    [clashed] = push(client, headers, b, device_id="tab-b")
    assert clashed["status"] == "conflict", clashed
    [conflict] = [c for c in clashed["conflicts"] if c["path"] == "institution"]
    return rid, conflict["conflict_id"]


def test_resolving_a_clash_with_an_institution_out_of_scope_is_refused(
    demo_client: TestClient,
) -> None:
    rid, conflict_id = _conflict_on_institution(demo_client)
    supervisor = auth_headers(demo_client, "supervisor.pp")
    url = f"/api/v1/records/{rid}/conflicts/{conflict_id}/resolve"
    response = demo_client.post(url, json={"value": demo_institution("17")}, headers=supervisor)
    assert response.status_code == 422, response.text
    assert [(d["path"], d["code"]) for d in response.json()["error"]["details"]] == [
        ("institution", "invalid_reference")
    ]
    record = demo_client.get(f"/api/v1/records/{rid}", headers=supervisor).json()
    assert record["rev"] == 3 and record["open_conflicts"]


def test_resolving_a_clash_moves_the_record_where_its_new_value_places_it(
    demo_client: TestClient,
) -> None:
    rid, conflict_id = _conflict_on_institution(demo_client)
    assert _location(rid) == ("12", "1201")
    [elsewhere] = _institutions_in("1202", 1)
    supervisor = auth_headers(demo_client, "supervisor.pp")
    url = f"/api/v1/records/{rid}/conflicts/{conflict_id}/resolve"
    response = demo_client.post(url, json={"value": elsewhere}, headers=supervisor)
    assert response.status_code < 300, response.text
    assert _location(rid) == ("12", "1202")
    # the district-1201 inspector no longer sees it, the supervisor of the province does
    inspector = auth_headers(demo_client, "inspector.pp1")
    assert demo_client.get(f"/api/v1/records/{rid}", headers=inspector).status_code == 404
    assert demo_client.get(f"/api/v1/records/{rid}", headers=supervisor).status_code == 200


# --- item 1: a file cannot be read by naming its hash ----------------------------------------

ATTACHMENTS = "/api/v1/attachments/"


def _photo() -> tuple[bytes, str]:
    content = os.urandom(3_000)
    return content, hashlib.sha256(content).hexdigest()


def _phnom_penh_record_with_photo(client: TestClient) -> str:
    """A photo that belongs only to a Phnom Penh inspection: its sha256."""
    owner = auth_headers(client, "inspector.pp1")
    photo, sha = _photo()
    assert client.put(ATTACHMENTS + sha, content=photo, headers=owner).status_code == 201
    data = inspection_data(_institutions_in("1201", 1)[0])
    data["photos"][0]["photo"] = sha
    assert push(client, owner, change("institution_inspection", data))[0]["status"] == "applied"
    return sha


def test_naming_anothers_file_in_a_record_does_not_open_it(demo_client: TestClient) -> None:
    sha = _phnom_penh_record_with_photo(demo_client)
    attacker = auth_headers(demo_client, "inspector.sr")
    assert demo_client.get(ATTACHMENTS + sha, headers=attacker).status_code == 404
    data = inspection_data(demo_institution("17"))
    data["photos"][0]["photo"] = sha
    mine = change("institution_inspection", data)
    mine["attachments"] = [sha]
    [result] = push(demo_client, attacker, mine)
    assert result["status"] == "applied"
    # exactly as a file not yet uploaded: the record waits for it, the file stays closed
    record = demo_client.get(f"/api/v1/records/{mine['record_id']}", headers=attacker).json()
    assert record["incomplete"] is True
    assert demo_client.get(ATTACHMENTS + sha, headers=attacker).status_code == 404
    assert demo_client.head(ATTACHMENTS + sha, headers=attacker).status_code == 404


def test_a_put_of_anothers_file_confirms_nothing_unless_the_bytes_are_right(
    demo_client: TestClient,
) -> None:
    sha = _phnom_penh_record_with_photo(demo_client)
    missing = _photo()[1]
    attacker = auth_headers(demo_client, "inspector.sr")
    hidden = demo_client.put(ATTACHMENTS + sha, content=b"garbage", headers=attacker)
    absent = demo_client.put(ATTACHMENTS + missing, content=b"garbage", headers=attacker)
    assert hidden.status_code == absent.status_code == 422
    assert hidden.content == absent.content.replace(missing.encode(), sha.encode())
    assert demo_client.get(ATTACHMENTS + sha, headers=attacker).status_code == 404


def test_whoever_uploads_the_same_bytes_holds_the_file(demo_client: TestClient) -> None:
    """Having the bytes is having the file: the answer is that of a first upload."""
    owner = auth_headers(demo_client, "inspector.pp1")
    photo, sha = _photo()
    assert demo_client.put(ATTACHMENTS + sha, content=photo, headers=owner).status_code == 201
    other = auth_headers(demo_client, "inspector.sr")
    again = demo_client.put(ATTACHMENTS + sha, content=photo, headers=other)
    assert again.status_code == 201, again.text
    assert demo_client.get(ATTACHMENTS + sha, headers=other).content == photo


def test_anothers_partial_upload_is_neither_visible_nor_destroyable(
    demo_client: TestClient,
) -> None:
    photo, sha = _photo()
    owner = auth_headers(demo_client, "inspector.pp1")
    half = {"Upload-Offset": "0", "Content-Range": f"bytes 0-1499/{len(photo)}"}
    assert (
        demo_client.put(ATTACHMENTS + sha, content=photo[:1500], headers={**owner, **half})
    ).status_code == 204
    assert demo_client.head(ATTACHMENTS + sha, headers=owner).headers["upload-offset"] == "1500"
    attacker = auth_headers(demo_client, "inspector.sr")
    seen = demo_client.head(ATTACHMENTS + sha, headers=attacker)
    assert seen.status_code == 404 and "upload-offset" not in seen.headers
    assert demo_client.put(ATTACHMENTS + sha, content=b"x", headers=attacker).status_code == 422
    rest = {"Upload-Offset": "1500"}
    done = demo_client.put(ATTACHMENTS + sha, content=photo[1500:], headers={**owner, **rest})
    assert done.status_code == 201, done.text


# --- item 7: a certified placement that is edited goes back to recommended ---------------------


def test_a_certified_placement_changed_afterwards_must_be_authorized_again(
    demo_client: TestClient,
) -> None:
    ccwc = auth_headers(demo_client, "ccwc.pp")
    supervisor = auth_headers(demo_client, "supervisor.pp")
    mosvy = auth_headers(demo_client, "mosvy")
    data = placement_data()
    new = change("placement_recommendation", data)
    assert push(demo_client, ccwc, new)[0]["status"] == "applied"
    rid = new["record_id"]
    url = f"/api/v1/records/{rid}/placement"
    assert demo_client.post(url, json={"action": "authorize"}, headers=supervisor).is_success
    assert demo_client.post(url, json={"action": "certify"}, headers=mosvy).is_success

    # the same data again changes nothing: still certified
    same = change("placement_recommendation", data, record_id=rid, base_rev=1)
    push(demo_client, ccwc, same)
    record = demo_client.get(f"/api/v1/records/{rid}", headers=ccwc).json()
    assert record["placement"] == {"state": "certified"}

    rev = record["rev"]
    other = "foster_care" if data["recommended_placement"] != "foster_care" else "kinship_care"
    edited = change(
        "placement_recommendation",
        {**data, "recommended_placement": other},
        record_id=rid,
        base_rev=rev,
    )
    [result] = push(demo_client, ccwc, edited)
    assert result["status"] == "applied", result
    record = demo_client.get(f"/api/v1/records/{rid}", headers=ccwc).json()
    assert record["placement"] == {"state": "recommended"}
    trail = demo_client.get(f"/api/v1/records/{rid}/history", headers=mosvy).json()["placement"]
    assert [(s["action"], s["from"], s["to"], s["rev"]) for s in trail] == [
        ("authorize", "recommended", "authorized", 1),
        ("certify", "authorized", "certified", 1),
        ("reopen", "certified", "recommended", result["rev"]),
    ]
    assert "authorized again" in trail[-1]["comment"]
    # the chain starts over, and MoSVY cannot certify what DoSVY has not authorized again
    assert demo_client.post(url, json={"action": "certify"}, headers=mosvy).status_code == 409
    assert demo_client.post(url, json={"action": "authorize"}, headers=supervisor).is_success


# --- item 11: refused writes are audited --------------------------------------------------------


def _audit(action: str, actor: str) -> list[AuditEntry]:
    with session_scope() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == action, AuditEntry.actor == actor)
            )
        )


def test_refused_writes_land_in_the_audit_log(demo_client: TestClient) -> None:
    attacker = auth_headers(demo_client, "inspector.sr")
    # a rejected change (a record out of scope named by an edit)
    hidden = demo_institution("12")
    edit = change("institution", institution(), record_id=hidden, base_rev=1)
    malformed = {"change_id": "nope"}
    push(demo_client, attacker, edit, malformed)
    lines = _audit("sync.rejected", "inspector.sr")
    assert {line.target_id for line in lines} >= {hidden}
    assert any(line.details["errors"][0]["code"] == "unknown_record" for line in lines)
    assert len(lines) == 2  # the malformed one too
    # a refused upload
    _, sha = _photo()
    assert demo_client.put(ATTACHMENTS + sha, content=b"x", headers=attacker).status_code == 422
    [refused] = _audit("attachment.refused", "inspector.sr")
    assert (refused.target_id, refused.details) == (sha, {"reason": "hash_mismatch"})
    # a review of a record out of scope
    supervisor = auth_headers(demo_client, "supervisor.pp")
    outside = demo_institution("17")
    review = {"action": "approve"}
    url = f"/api/v1/records/{outside}/review"
    assert demo_client.post(url, json=review, headers=supervisor).status_code == 404
    [attempt] = _audit("review.approve.refused", "supervisor.pp")
    assert attempt.target_id == outside


# --- item 13: files no record names are collected after a delay --------------------------------


def test_a_file_no_record_names_is_collected_after_the_delay(demo_client: TestClient) -> None:
    from datetime import timedelta

    from app.attachments.collect import collect_unnamed
    from app.attachments.storage import AttachmentStore
    from app.clock import now_utc
    from app.settings import get_settings

    uploader = auth_headers(demo_client, "inspector.sr")
    (orphan, orphan_sha), (named, named_sha) = _photo(), _photo()
    (replaced, replaced_sha) = _photo()
    for content, sha in ((orphan, orphan_sha), (named, named_sha), (replaced, replaced_sha)):
        assert demo_client.put(ATTACHMENTS + sha, content=content, headers=uploader).is_success
    data = inspection_data(demo_institution("17"))
    data["photos"][0]["photo"] = replaced_sha
    record = change("institution_inspection", data)
    assert push(demo_client, uploader, record)[0]["status"] == "applied"
    data["photos"][0]["photo"] = named_sha  # the first photo stays in revision 1 only
    again = change("institution_inspection", data, record_id=record["record_id"], base_rev=1)
    assert push(demo_client, uploader, again)[0]["status"] == "applied"

    store = AttachmentStore.under(get_settings().data_dir)
    with session_scope() as session:  # not yet old enough: nothing goes
        assert collect_unnamed(session, store, older_than=timedelta(days=30), now=now_utc()) == []
    later = now_utc() + timedelta(days=31)
    with session_scope() as session:
        removed = collect_unnamed(session, store, older_than=timedelta(days=30), now=later)
    assert orphan_sha in removed
    assert named_sha not in removed and replaced_sha not in removed
    assert store.stored_size(orphan_sha) is None
    assert demo_client.get(ATTACHMENTS + orphan_sha, headers=uploader).status_code == 404
    assert demo_client.get(ATTACHMENTS + named_sha, headers=uploader).content == named
    assert demo_client.get(ATTACHMENTS + replaced_sha, headers=uploader).content == replaced
    # uploaded again, it is there again
    assert demo_client.put(ATTACHMENTS + orphan_sha, content=orphan, headers=uploader).is_success
    assert demo_client.get(ATTACHMENTS + orphan_sha, headers=uploader).content == orphan


# --- item 14: a record that leaves a scope leaves the devices there -----------------------------


def _pull_all(
    client: TestClient, headers: dict[str, str], cursor: str | None = None, limit: int = 500
) -> tuple[list[dict[str, Any]], list[str], str | None]:
    records: list[dict[str, Any]] = []
    removed: list[str] = []
    for _ in range(500):
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/sync/pull", params=params, headers=headers).json()
        records += page["records"]
        removed += [r["record_id"] for r in page["removed"]]
        cursor = page["cursor"]
        if not page["more"]:
            return records, removed, cursor
    raise AssertionError("the pull never ended")


def test_a_record_that_moves_away_is_removed_from_the_devices_it_left(
    demo_client: TestClient,
) -> None:
    rid, conflict_id = _conflict_on_institution(demo_client)
    inspector = auth_headers(demo_client, "inspector.pp1")  # district 1201
    supervisor = auth_headers(demo_client, "supervisor.pp")  # province 12
    _, _, inspector_cursor = _pull_all(demo_client, inspector)
    _, _, supervisor_cursor = _pull_all(demo_client, supervisor)
    [elsewhere] = _institutions_in("1202", 1)
    url = f"/api/v1/records/{rid}/conflicts/{conflict_id}/resolve"
    assert demo_client.post(url, json={"value": elsewhere}, headers=supervisor).is_success
    # some other writes after it, so that the removal sits between records in the feed
    later = change("institution_inspection", inspection_data(_institutions_in("1201", 1)[0]))
    assert push(demo_client, inspector, later)[0]["status"] == "applied"

    records, removed, _ = _pull_all(demo_client, inspector, inspector_cursor, limit=1)
    assert removed == [rid]
    assert rid not in [r["record_id"] for r in records]
    assert later["record_id"] in [r["record_id"] for r in records]
    # the province still holds it: an update, not a removal
    records, removed, _ = _pull_all(demo_client, supervisor, supervisor_cursor)
    assert removed == [] and rid in [r["record_id"] for r in records]
    # a device that starts afresh never gets it (it may be told to drop it: an id its user
    # could see before it moved, and a no-op for a device that does not hold it)
    records, _, _ = _pull_all(demo_client, inspector)
    assert rid not in [r["record_id"] for r in records]
    first = demo_client.get("/api/v1/sync/pull", params={"limit": 5}, headers=inspector).json()
    assert first["removed"] == []


def test_a_record_a_push_moves_away_is_removed_from_the_devices_it_left(
    demo_client: TestClient,
) -> None:
    from app.auth.users import create_user
    from app.demo.accounts import DEMO_PASSWORD

    with session_scope() as session:
        create_user(
            session, username="inspector.pp", password=DEMO_PASSWORD, role="inspector",
            province="12",
        )  # fmt: skip
    province = auth_headers(demo_client, "inspector.pp")
    district = auth_headers(demo_client, "inspector.pp1")  # 1201
    data = inspection_data(_institutions_in("1201", 1)[0])
    new = change("institution_inspection", data)
    assert push(demo_client, district, new)[0]["status"] == "applied"
    _, _, cursor = _pull_all(demo_client, district)
    moved = {**data, "institution": _institutions_in("1202", 1)[0]}
    edit = change("institution_inspection", moved, record_id=new["record_id"], base_rev=1)
    assert push(demo_client, province, edit)[0]["status"] == "applied"
    assert _location(new["record_id"]) == ("12", "1202")
    records, removed, _ = _pull_all(demo_client, district, cursor)
    assert removed == [new["record_id"]] and records == []
