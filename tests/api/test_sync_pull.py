"""Pull, review, placement and conflict resolution from the outside."""

from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import assert_error, auth_headers
from tests.api.sync_helpers import change, demo_institution, inspection_data, placement_data, push


def _pull_all(
    client: TestClient, headers: dict[str, str], cursor: str | None = None, limit: int = 1000
) -> tuple[list[dict[str, Any]], str]:
    records: list[dict[str, Any]] = []
    for _ in range(1000):
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/sync/pull", params=params, headers=headers).json()
        records += page["records"]
        cursor = page["cursor"]
        if not page["more"]:
            return records, cursor or ""
    raise AssertionError("pull never ended")


def test_pull_pages_through_exactly_the_callers_scope(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "ccwc.pp")
    records, cursor = _pull_all(demo_client, headers, limit=7)
    assert records
    ids = [r["record_id"] for r in records]
    assert len(ids) == len(set(ids))  # never twice in one pass
    for record in records:
        assert set(record) >= {
            "record_id",
            "form_id",
            "form_version",
            "rev",
            "data",
            "review",
            "open_conflicts",
            "updated_at",
        }
    communes = {r["data"].get("commune") for r in records if r["form_id"] == "institution"}
    assert communes == {"120101"}
    again, _ = _pull_all(demo_client, headers, cursor=cursor)
    assert again == []  # nothing changed since


def test_pull_from_a_cursor_returns_only_what_changed_since(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    _, cursor = _pull_all(demo_client, headers)
    new = change("institution_inspection", inspection_data(demo_institution("17")))
    push(demo_client, headers, new)
    records, cursor2 = _pull_all(demo_client, headers, cursor=cursor)
    assert [r["record_id"] for r in records] == [new["record_id"]]
    assert cursor2 != cursor


def test_a_bad_cursor_or_limit_is_a_clear_error(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    assert_error(
        demo_client.get("/api/v1/sync/pull", params={"cursor": "!!nonsense"}, headers=headers),
        400,
        "invalid_cursor",
    )
    assert_error(
        demo_client.get("/api/v1/sync/pull", params={"limit": 0}, headers=headers),
        422,
        "validation_error",
    )
    assert_error(
        demo_client.get("/api/v1/sync/pull", params={"limit": 99999}, headers=headers),
        422,
        "validation_error",
    )


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_well_formed_cursor_this_server_never_gave_is_400(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "admin")
    records, cursor = _pull_all(demo_client, headers, limit=5000)
    seq_text, last_id = base64.urlsafe_b64decode(cursor + "==").decode().split(":")
    seq = int(seq_text)
    some_id = "00000000-0000-4000-8000-000000000000"
    forged = [
        f"{seq + 1}:{last_id}",  # beyond the server's position
        f"{2**63}:{some_id}",  # past a 64-bit integer: never a 500
        f"{2**63}:",
        "9223372036854775808:",
        f"{10**40}:{some_id}",
        f"0:{some_id}",
        f"-1:{some_id}",
        f"0{seq}:{last_id}",  # not as the server writes it
        f"+{seq}:{last_id}",
        f" {seq}:{last_id}",
        f"{seq}:{last_id.upper()}",
        f"{seq}:not-a-record-id",
        f"{seq}",
    ]
    for text in forged:
        response = demo_client.get(
            "/api/v1/sync/pull", params={"cursor": _b64(text)}, headers=headers
        )
        assert_error(response, 400, "invalid_cursor")
    padded = demo_client.get("/api/v1/sync/pull", params={"cursor": cursor + "="}, headers=headers)
    assert_error(padded, 400, "invalid_cursor")
    # the cursors the server gives still work, to the last one
    again = demo_client.get("/api/v1/sync/pull", params={"cursor": cursor}, headers=headers)
    assert again.status_code == 200, again.text
    assert (again.json()["records"], again.json()["cursor"], again.json()["more"]) == (
        [],
        cursor,
        False,
    )
    page = demo_client.get("/api/v1/sync/pull", params={"limit": 1}, headers=headers).json()
    after = {"cursor": page["cursor"], "limit": 1}
    second = demo_client.get("/api/v1/sync/pull", params=after, headers=headers).json()
    assert [r["record_id"] for r in page["records"] + second["records"]] == [
        r["record_id"] for r in records[:2]
    ]


def test_pull_is_sent_gzipped_when_asked(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "supervisor.pp") | {"Accept-Encoding": "gzip"}
    response = demo_client.get("/api/v1/sync/pull", params={"limit": 200}, headers=headers)
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()["records"]) == 200


def test_a_returned_record_travels_back_and_a_correction_is_received_again(
    demo_client: TestClient,
) -> None:
    ccwc = auth_headers(demo_client, "ccwc.pp")
    supervisor = auth_headers(demo_client, "supervisor.pp")
    data = placement_data()
    new = change("placement_recommendation", data)
    push(demo_client, ccwc, new)
    _, cursor = _pull_all(demo_client, ccwc)
    response = demo_client.post(
        f"/api/v1/records/{new['record_id']}/review",
        json={"action": "return", "comment": "Add the father's name."},
        headers=supervisor,
    )
    assert response.status_code == 200, response.text
    records, cursor = _pull_all(demo_client, ccwc, cursor=cursor)
    [returned] = [r for r in records if r["record_id"] == new["record_id"]]
    assert returned["review"] == {"state": "returned", "comment": "Add the father's name."}
    corrected = change(
        "placement_recommendation",
        data | {"reasons_description": "Father: Sok."},
        record_id=new["record_id"],
        base_rev=returned["rev"],
    )
    [result] = push(demo_client, ccwc, corrected)
    assert result["status"] == "applied"
    record = demo_client.get(f"/api/v1/records/{new['record_id']}", headers=ccwc).json()
    assert record["review"]["state"] == "received"
    approve = demo_client.post(
        f"/api/v1/records/{new['record_id']}/review", json={"action": "approve"}, headers=supervisor
    )
    assert approve.json()["review"]["state"] == "approved"
    again = demo_client.post(
        f"/api/v1/records/{new['record_id']}/review", json={"action": "approve"}, headers=supervisor
    )
    assert_error(again, 409, "invalid_transition")


def test_review_rules(demo_client: TestClient) -> None:
    ccwc = auth_headers(demo_client, "ccwc.pp")
    new = change("placement_recommendation", placement_data())
    push(demo_client, ccwc, new)
    url = f"/api/v1/records/{new['record_id']}/review"
    assert_error(demo_client.post(url, json={"action": "approve"}, headers=ccwc), 403, "forbidden")
    national = auth_headers(demo_client, "mosvy")
    refused = demo_client.post(url, json={"action": "reject"}, headers=national)
    error = assert_error(refused, 422, "validation_error")
    assert [(d["path"], d["code"]) for d in error["details"]] == [("comment", "required")]
    siem_reap = auth_headers(demo_client, "inspector.sr")
    assert_error(
        demo_client.post(url, json={"action": "approve"}, headers=siem_reap), 403, "forbidden"
    )
    assert_error(
        demo_client.post(url, json={"action": "bless"}, headers=national), 422, "validation_error"
    )


def test_a_supervisor_of_another_province_cannot_learn_of_or_act_on_a_record(
    demo_client: TestClient,
) -> None:
    """Review, placement and resolution by a supervisor whose scope does not cover the record:
    404 as for a record that does not exist, and nothing changes."""
    from app.auth.users import create_user
    from app.db.session import session_scope
    from app.demo.accounts import DEMO_PASSWORD

    with session_scope() as session:
        create_user(
            session,
            username="supervisor.sr",
            password=DEMO_PASSWORD,
            role="dosvy_supervisor",
            province="17",
        )
    ccwc = auth_headers(demo_client, "ccwc.pp")  # Phnom Penh (12)
    data = placement_data()
    new = change("placement_recommendation", data)
    push(demo_client, ccwc, new)
    rid = new["record_id"]
    for village in ("Village A", "Village B"):  # both on rev 1: the second clashes
        push(demo_client, ccwc, change(
            "placement_recommendation", data | {"village": village}, record_id=rid, base_rev=1
        ))  # fmt: skip
    before = demo_client.get(f"/api/v1/records/{rid}", headers=ccwc).json()
    [conflict] = before["open_conflicts"]
    other = auth_headers(demo_client, "supervisor.sr")
    base = f"/api/v1/records/{rid}"
    for method, url, body in (
        ("GET", base, None),
        ("GET", f"{base}/history", None),
        ("POST", f"{base}/review", {"action": "approve"}),
        ("POST", f"{base}/review", {"action": "return", "comment": "Check the village."}),
        ("POST", f"{base}/placement", {"action": "authorize", "comment": "Kinship checked."}),
        ("POST", f"{base}/conflicts/{conflict['conflict_id']}/resolve", {"value": "Village B"}),
    ):
        response = demo_client.request(method, url, json=body, headers=other)
        assert_error(response, 404, "not_found")
    after = demo_client.get(f"/api/v1/records/{rid}", headers=ccwc).json()
    assert after == before
    # the same supervisor role in the record's province may act (the refusals above were scope)
    own = auth_headers(demo_client, "supervisor.pp")
    authorize = {"action": "authorize", "comment": "Kinship checked."}
    step = demo_client.post(f"{base}/placement", json=authorize, headers=own)
    assert step.status_code == 200, step.text


def test_placement_chain_recommended_authorized_certified(demo_client: TestClient) -> None:
    ccwc = auth_headers(demo_client, "ccwc.pp")
    supervisor = auth_headers(demo_client, "supervisor.pp")
    mosvy = auth_headers(demo_client, "mosvy")
    new = change("placement_recommendation", placement_data())
    push(demo_client, ccwc, new)
    url = f"/api/v1/records/{new['record_id']}/placement"
    record = demo_client.get(f"/api/v1/records/{new['record_id']}", headers=ccwc).json()
    assert record["placement"] == {"state": "recommended"}
    assert_error(
        demo_client.post(url, json={"action": "certify"}, headers=mosvy), 409, "invalid_transition"
    )
    assert_error(
        demo_client.post(url, json={"action": "authorize"}, headers=mosvy), 403, "forbidden"
    )
    assert_error(
        demo_client.post(url, json={"action": "authorize"}, headers=ccwc), 403, "forbidden"
    )
    step = demo_client.post(
        url, json={"action": "authorize", "comment": "Kinship checked."}, headers=supervisor
    )
    assert step.json()["placement"] == {"state": "authorized"}
    assert_error(
        demo_client.post(url, json={"action": "authorize"}, headers=supervisor),
        409,
        "invalid_transition",
    )
    certified = demo_client.post(url, json={"action": "certify"}, headers=mosvy)
    assert certified.json()["placement"] == {"state": "certified"}
    history = demo_client.get(f"/api/v1/records/{new['record_id']}/history", headers=mosvy).json()[
        "placement"
    ]
    assert [(h["action"], h["from"], h["to"], h["by"]) for h in history] == [
        ("authorize", "recommended", "authorized", "supervisor.pp"),
        ("certify", "authorized", "certified", "mosvy"),
    ]
    assert history[0]["comment"] == "Kinship checked."


def test_a_placement_may_be_declined_by_the_step_in_charge(demo_client: TestClient) -> None:
    ccwc = auth_headers(demo_client, "ccwc.pp")
    supervisor = auth_headers(demo_client, "supervisor.pp")
    new = change("placement_recommendation", placement_data())
    push(demo_client, ccwc, new)
    url = f"/api/v1/records/{new['record_id']}/placement"
    declined = demo_client.post(
        url, json={"action": "decline", "comment": "Family support first."}, headers=supervisor
    )
    assert declined.json()["placement"] == {"state": "declined"}
    assert_error(
        demo_client.post(url, json={"action": "authorize"}, headers=supervisor),
        409,
        "invalid_transition",
    )


def test_placement_steps_apply_only_to_placement_recommendations(demo_client: TestClient) -> None:
    supervisor = auth_headers(demo_client, "supervisor.pp")
    institution = demo_institution("12")
    response = demo_client.post(
        f"/api/v1/records/{institution}/placement", json={"action": "authorize"}, headers=supervisor
    )
    assert_error(response, 409, "invalid_transition")


def test_a_supervisor_resolves_a_conflict_into_a_new_revision(demo_client: TestClient) -> None:
    inspector = auth_headers(demo_client, "inspector.sr")
    data = inspection_data(demo_institution("17"))
    new = change("institution_inspection", data)
    push(demo_client, inspector, new)
    push(
        demo_client,
        inspector,
        change(
            "institution_inspection", data | {"beds": 50}, record_id=new["record_id"], base_rev=1
        ),
    )
    [clash] = push(
        demo_client,
        inspector,
        change(
            "institution_inspection", data | {"beds": 48}, record_id=new["record_id"], base_rev=1
        ),
    )
    conflict_id = clash["conflicts"][0]["conflict_id"]
    supervisor = auth_headers(demo_client, "mosvy")
    url = f"/api/v1/records/{new['record_id']}/conflicts/{conflict_id}/resolve"
    assert_error(demo_client.post(url, json={"value": 48}, headers=inspector), 403, "forbidden")
    bad = demo_client.post(url, json={"value": "many"}, headers=supervisor)
    assert_error(bad, 422, "validation_error")
    resolved = demo_client.post(url, json={"value": 48}, headers=supervisor)
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert (body["rev"], body["data"]["beds"], body["open_conflicts"]) == (4, 48, [])
    assert_error(
        demo_client.post(url, json={"value": 47}, headers=supervisor), 409, "invalid_transition"
    )
    history = demo_client.get(
        f"/api/v1/records/{new['record_id']}/history", headers=supervisor
    ).json()["revisions"]
    assert [(h["rev"], h["status"]) for h in history] == [
        (1, "applied"),
        (2, "applied"),
        (3, "conflict"),
        (4, "resolved"),
    ]


def test_review_and_placement_are_audited(demo_client: TestClient) -> None:
    from sqlalchemy import select

    from app.db.session import session_scope
    from app.models import AuditEntry

    ccwc = auth_headers(demo_client, "ccwc.pp")
    supervisor = auth_headers(demo_client, "supervisor.pp")
    new = change("placement_recommendation", placement_data())
    push(demo_client, ccwc, new)
    demo_client.post(
        f"/api/v1/records/{new['record_id']}/placement",
        json={"action": "authorize"},
        headers=supervisor,
    )
    demo_client.post(
        f"/api/v1/records/{new['record_id']}/review", json={"action": "approve"}, headers=supervisor
    )
    with session_scope() as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.target_id == new["record_id"])
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["sync.applied", "placement.authorize", "review.approve"]


def test_pull_carries_each_records_open_conflicts_and_the_records_own_view(
    demo_client: TestClient,
) -> None:
    """Open conflicts travel with their record only, on whatever page it falls; an entry of
    pull is the record exactly as GET /records shows it (data, review, updated_at …)."""
    headers = auth_headers(demo_client, "inspector.sr")
    _, cursor = _pull_all(demo_client, headers)
    data = inspection_data(demo_institution("17"))
    clashing, calm = change("institution_inspection", data), change("institution_inspection", data)
    push(demo_client, headers, clashing, calm)
    url = "institution_inspection"
    push(
        demo_client,
        headers,
        change(url, data | {"beds": 50}, record_id=clashing["record_id"], base_rev=1),
    )
    [clash] = push(
        demo_client,
        headers,
        change(url, data | {"beds": 48}, record_id=clashing["record_id"], base_rev=1),
    )
    assert clash["status"] == "conflict"
    for limit in (1, 1000):
        records, _ = _pull_all(demo_client, headers, cursor=cursor, limit=limit)
        by_id = {r["record_id"]: r for r in records}
        assert set(by_id) == {clashing["record_id"], calm["record_id"]}
        [opened] = by_id[clashing["record_id"]]["open_conflicts"]
        assert (opened["path"], opened["server_value"], opened["client_value"]) == ("beds", 50, 48)
        assert by_id[calm["record_id"]]["open_conflicts"] == []
        for record_id, entry in by_id.items():
            shown = demo_client.get(f"/api/v1/records/{record_id}", headers=headers).json()
            assert {k: shown[k] for k in entry} == entry
