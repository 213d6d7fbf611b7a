"""Every revision keeps its data although a push writes a record's data once (the current
revision leaves it to the record's row: app.sync.revisions). History is read from outside after
each kind of write: a new record, an edit, two edits of one record in one push, a merge, a
conflict, a supervisor's resolution, and an edit after that."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db.session import session_scope
from app.models import Record, RecordRevision
from tests.api.helpers import auth_headers
from tests.api.sync_helpers import change, demo_institution, inspection_data, push


def _history(client: TestClient, headers: dict[str, str], record_id: str) -> list[Any]:
    response = client.get(f"/api/v1/records/{record_id}/history", headers=headers)
    assert response.status_code == 200, response.text
    return [(r["rev"], r["status"], r["data"]) for r in response.json()["revisions"]]


def _stored(record_id: str) -> tuple[int, list[tuple[int, bool]]]:
    """The record's rev, and per revision whether its data column is NULL."""
    with session_scope() as session:
        rev = session.scalar(select(Record.rev).where(Record.record_id == record_id))
        rows = session.execute(
            select(RecordRevision.rev, RecordRevision.data)
            .where(RecordRevision.record_id == record_id)
            .order_by(RecordRevision.rev)
        ).all()
    assert rev is not None
    return rev, [(r.rev, r.data is None) for r in rows]


def test_every_revision_reads_back_with_the_data_it_was_given(demo_client: TestClient) -> None:
    inspector = auth_headers(demo_client, "inspector.sr")
    supervisor = auth_headers(demo_client, "mosvy")
    data = inspection_data(demo_institution("17"))
    new = change("institution_inspection", data)
    rid = new["record_id"]
    expected: list[tuple[int, str, dict[str, Any]]] = []

    def record_data() -> dict[str, Any]:
        body = demo_client.get(f"/api/v1/records/{rid}", headers=inspector).json()
        return dict(body["data"])

    def check() -> None:
        assert _history(demo_client, inspector, rid) == expected
        rev, nulls = _stored(rid)
        # only the current revision may leave its data to the record's row
        assert all(not is_null for r, is_null in nulls if r != rev), nulls

    push(demo_client, inspector, new)
    expected.append((1, "applied", record_data()))
    check()

    # two edits of one record in one push: rev 2 keeps its data, rev 3 is current
    first = change("institution_inspection", data | {"beds": 50}, record_id=rid, base_rev=1)
    second = change("institution_inspection", data | {"beds": 51}, record_id=rid, base_rev=2)
    assert [r["rev"] for r in push(demo_client, inspector, first, second)] == [2, 3]
    expected.append((2, "applied", record_data() | {"beds": 50}))
    expected.append((3, "applied", record_data()))
    assert expected[-1][2]["beds"] == 51
    check()

    # from an old base: a merge on another field, then a conflict on beds
    merged = change(
        "institution_inspection", data | {"follow_up_actions": "Visit in March."},
        record_id=rid, base_rev=1,
    )  # fmt: skip
    assert push(demo_client, inspector, merged)[0]["status"] == "merged"
    expected.append((4, "merged", record_data()))
    clash = change("institution_inspection", data | {"beds": 44}, record_id=rid, base_rev=1)
    [result] = push(demo_client, inspector, clash, device_id="tab-b")
    assert result["status"] == "conflict"
    expected.append((5, "conflict", record_data()))
    check()

    # a supervisor's resolution replaces the data outside push
    conflict_id = result["conflicts"][0]["conflict_id"]
    url = f"/api/v1/records/{rid}/conflicts/{conflict_id}/resolve"
    assert demo_client.post(url, json={"value": 44}, headers=supervisor).status_code == 200
    expected.append((6, "resolved", record_data()))
    assert expected[-1][2]["beds"] == 44
    check()

    # and a push edit after the resolution
    after = change(
        "institution_inspection", record_data() | {"staff": data["staff"] | {"carers": 9}},
        record_id=rid, base_rev=6,
    )  # fmt: skip
    assert push(demo_client, inspector, after)[0]["rev"] == 7
    expected.append((7, "applied", record_data()))
    check()
    beds = [d["beds"] for _, _, d in expected]
    assert beds == [data["beds"], 50, 51, 51, 51, 44, 44]
    assert [d["staff"]["carers"] for _, _, d in expected][-2:] == [data["staff"]["carers"], 9]
    assert expected[3][2]["follow_up_actions"] == "Visit in March."
