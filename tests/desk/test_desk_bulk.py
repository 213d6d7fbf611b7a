"""Approving several records of the queue at once, over HTTP on SQLite and PostgreSQL: each
through the review service with one audit line; what cannot be approved is reported (already
reviewed, out of scope, not a record), never a 500; the wrong role and CSRF refused."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.desk.chain_helpers import audit_lines, other_users, post, pushed_placement, stored
from tests.desk.helpers import ORIGIN, desk_sign_in

CHECKBOX = re.compile(r'<input type="checkbox" name="record_id" value="([0-9a-f-]{36})"')


def _as(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return desk_sign_in(client, username)


def test_the_queue_offers_a_checkbox_per_received_row_to_reviewers_only(
    demo_client: TestClient,
) -> None:
    received, approved = pushed_placement(demo_client), pushed_placement(demo_client)
    token = _as(demo_client, "supervisor.pp")
    done = post(demo_client, f"/review/records/{approved}/review", {"action": "approve"}, token)
    assert done.status_code == 303
    page = demo_client.get("/review", params={"form": "placement_recommendation"}).text
    assert CHECKBOX.findall(page) == [received]
    assert 'action="/review/approve"' in page and ">Approve selected</button>" in page
    _as(demo_client, "admin")
    page = demo_client.get("/review", params={"form": "placement_recommendation"}).text
    assert CHECKBOX.findall(page) == [] and "Approve selected" not in page


def test_several_are_approved_at_once_one_audit_line_each_the_rest_reported(
    demo_client: TestClient,
) -> None:
    commune = other_users()
    first, second, third = (pushed_placement(demo_client) for _ in range(3))
    elsewhere = pushed_placement(demo_client, "ccwc.sr", commune)
    token = _as(demo_client, "supervisor.pp")
    post(
        demo_client,
        f"/review/records/{third}/review",
        {"action": "reject", "comment": "No."},
        token,
    )
    before = stored(elsewhere)
    answer = demo_client.post(
        "/review/approve",
        data={
            "csrftoken": token,
            "record_id": [first, second, third, elsewhere, "not-a-record", first],
        },
        headers=ORIGIN,
    )
    assert answer.status_code == 200, answer.text
    assert "2 records approved." in answer.text and "3 not approved" in answer.text
    assert "this one is Rejected" in answer.text
    assert answer.text.count("There is no record with this ID that you may see.") == 2
    assert elsewhere not in answer.text.split("not approved")[0]
    assert stored(first).review_state == stored(second).review_state == "approved"
    assert stored(third).review_state == "rejected"
    after = stored(elsewhere)
    assert after.review_state == "received" and after.seq == before.seq
    for rid in (first, second):
        [line] = audit_lines("review.approve", rid)
        assert line.actor == "supervisor.pp" and (line.device_id or "").startswith("desk:")
    assert audit_lines("review.approve", third) == audit_lines("review.approve", elsewhere) == []
    [refusal] = audit_lines("review.approve.refused", elsewhere)
    assert refusal.actor == "supervisor.pp"


def test_nothing_selected_the_wrong_role_and_a_missing_token_change_nothing(
    demo_client: TestClient,
) -> None:
    rid = pushed_placement(demo_client)
    token = _as(demo_client, "supervisor.pp")
    empty = post(demo_client, "/review/approve", {}, token)
    assert empty.status_code == 422 and "Select at least one record" in empty.text
    for data, headers in (
        ({"record_id": rid}, ORIGIN),
        ({"record_id": rid, "csrftoken": "forged"}, ORIGIN),
        ({"record_id": rid, "csrftoken": token}, {"Origin": "http://evil.example"}),
    ):
        refused = demo_client.post("/review/approve", data=data, headers=headers)
        assert refused.status_code == 403
    token = _as(demo_client, "admin")
    refused = post(demo_client, "/review/approve", {"record_id": rid}, token)
    assert refused.status_code == 403
    assert stored(rid).review_state == "received"
    assert audit_lines("review.approve", rid) == []
