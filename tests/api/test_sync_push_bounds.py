"""Push, from the outside: out-of-range numbers and deep nesting are per-change rejections.

Issue #14 item 9: a `base_rev` of 2^63 and a change nested 480 levels deep each gave a 500
(integer overflow in the database; RecursionError in the content digest), and the valid
changes of the same push were lost with it. Each is now its own `rejected` `invalid_change`
with a path and a message, and the other changes are decided as usual.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.sync.schemas import MAX_BASE_REV, MAX_DATA_DEPTH
from tests.api.helpers import assert_error, auth_headers
from tests.api.sync_helpers import change, demo_institution, inspection_data, push


def _nested(levels: int) -> dict[str, Any]:
    """An object `levels` deep (the outermost counts as one), built without recursion."""
    inner: dict[str, Any] = {"leaf": 1}
    for _ in range(levels - 1):
        inner = {"deeper": inner}
    return inner


def test_a_deep_change_and_a_huge_base_rev_are_rejected_and_the_others_applied(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    institution = demo_institution("17")
    existing = change("institution_inspection", inspection_data(institution))
    assert push(demo_client, headers, existing)[0]["status"] == "applied"
    good1 = change("institution_inspection", inspection_data(institution))
    deep = change("institution_inspection", inspection_data(institution, notes=_nested(480)))
    huge = change(
        "institution_inspection",
        inspection_data(institution, beds=60),
        record_id=existing["record_id"],
        base_rev=2**63,
    )
    good2 = change("institution_inspection", inspection_data(institution, beds=40))
    results = push(demo_client, headers, good1, deep, huge, good2)
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "applied"]
    assert [r["change_id"] for r in results] == [c["change_id"] for c in (good1, deep, huge, good2)]
    deep_error, huge_error = results[1]["errors"][0], results[2]["errors"][0]
    assert deep_error["code"] == "invalid_change" and deep_error["path"] == "data"
    assert str(MAX_DATA_DEPTH) in deep_error["message"]
    assert huge_error["code"] == "invalid_change" and huge_error["path"] == "base_rev"
    assert huge_error["message"]
    # the valid ones really were stored
    for good in (good1, good2):
        got = demo_client.get(f"/api/v1/records/{good['record_id']}", headers=headers)
        assert got.status_code == 200, got.text


def test_the_bounds_themselves_are_allowed(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    institution = demo_institution("17")
    at_limit = change(
        "institution_inspection",
        inspection_data(institution, notes=_nested(MAX_DATA_DEPTH - 1)),
    )
    over = change(
        "institution_inspection",
        inspection_data(institution, notes=_nested(MAX_DATA_DEPTH)),
    )
    edit_of_unknown = change(
        "institution_inspection", inspection_data(institution), base_rev=MAX_BASE_REV
    )
    results = push(demo_client, headers, at_limit, over, edit_of_unknown)
    # nesting within the limit reaches the form's own validation (notes must be text)
    assert results[0]["status"] == "rejected"
    assert all(e["code"] != "invalid_change" for e in results[0]["errors"])
    assert results[1]["status"] == "rejected"
    assert results[1]["errors"][0]["code"] == "invalid_change"
    # the largest base_rev allowed is decided as usual (no such record)
    assert results[2]["status"] == "rejected"
    assert results[2]["errors"][0]["code"] == "unknown_record"


def test_a_body_nested_beyond_the_json_parser_is_a_422_not_a_500(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "inspector.sr") | {"Content-Type": "application/json"}
    levels = 5000
    body = (
        b'{"device_id": "tab-017", "changes": [{"data": '
        + b'{"a": ' * levels
        + b"1"
        + b"}" * levels
        + b"}]}"
    )
    response = demo_client.post("/api/v1/sync/push", content=body, headers=headers)
    assert_error(response, 422, "validation_error")
    arrays = b'{"device_id": "tab-017", "changes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = demo_client.post("/api/v1/sync/push", content=arrays, headers=headers)
    assert_error(response, 422, "validation_error")
