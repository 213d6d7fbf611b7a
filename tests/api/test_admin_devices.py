"""Devices and forms' administration over the API, on SQLite and PostgreSQL: each user's
devices with their last upload; revoking a lost tablet ends its tokens while the user's other
device goes on; a retired form leaves the field without losing its records."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db.session import session_scope
from app.models import AuditEntry, DeviceSync
from tests.api.helpers import assert_error, auth_headers
from tests.api.sync_helpers import change, placement_data, push


def _devices(client: TestClient, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = client.get("/api/v1/devices", headers=headers)
    assert response.status_code == 200, response.text
    return {d["device_id"]: d for d in response.json()["devices"]}


def test_devices_list_each_users_tablets_with_their_last_upload(demo_client: TestClient) -> None:
    lost = auth_headers(demo_client, "ccwc.pp", device_id="tab-lost")
    auth_headers(demo_client, "ccwc.pp", device_id="tab-spare")
    push(
        demo_client,
        lost,
        change("placement_recommendation", placement_data()),
        device_id="tab-lost",
    )
    admin = auth_headers(demo_client, "admin")
    devices = _devices(demo_client, admin)
    assert devices["tab-lost"]["username"] == "ccwc.pp"
    assert devices["tab-lost"]["live_tokens"] == 1
    assert devices["tab-lost"]["last_sync_at"] is not None
    assert devices["tab-spare"]["last_sync_at"] is None
    assert not any(d.startswith("desk:") for d in devices)


def test_a_tablet_that_only_pulls_shows_its_last_sync_and_a_push_its_last_upload(
    demo_client: TestClient,
) -> None:
    reader = auth_headers(demo_client, "ccwc.pp", device_id="tab-reader")
    admin = auth_headers(demo_client, "admin")
    assert _devices(demo_client, admin)["tab-reader"]["last_sync_at"] is None
    assert demo_client.get("/api/v1/sync/pull?limit=1", headers=reader).status_code == 200
    pulled = _devices(demo_client, admin)["tab-reader"]
    assert pulled["last_pull_at"] is not None and pulled["last_push_at"] is None
    assert pulled["last_sync_at"] == pulled["last_pull_at"]
    users = demo_client.get("/api/v1/users", headers=admin).json()["users"]
    assert next(u for u in users if u["username"] == "ccwc.pp")["last_sync_at"] is not None

    # another pull within the minute writes nothing
    assert demo_client.get("/api/v1/sync/pull?limit=1", headers=reader).status_code == 200
    assert _devices(demo_client, admin)["tab-reader"]["last_pull_at"] == pulled["last_pull_at"]
    # one more than a minute after the last noted is noted
    with session_scope() as session:
        row = session.get(DeviceSync, ("ccwc.pp", "tab-reader"))
        assert row is not None and row.last_pull_at is not None
        row.last_pull_at -= timedelta(minutes=2)
        earlier = row.last_pull_at
    assert demo_client.get("/api/v1/sync/pull?limit=1", headers=reader).status_code == 200
    later = _devices(demo_client, admin)["tab-reader"]
    assert datetime.fromisoformat(later["last_pull_at"]) > earlier

    push(
        demo_client,
        reader,
        change("placement_recommendation", placement_data()),
        device_id="tab-reader",
    )
    pushed = _devices(demo_client, admin)["tab-reader"]
    assert pushed["last_push_at"] is not None
    assert pushed["last_sync_at"] == max(pushed["last_push_at"], pushed["last_pull_at"])


def test_revoking_a_device_ends_its_tokens_and_not_the_users_other_device(
    demo_client: TestClient,
) -> None:
    lost = auth_headers(demo_client, "ccwc.pp", device_id="tab-lost")
    spare = auth_headers(demo_client, "ccwc.pp", device_id="tab-spare")
    admin = auth_headers(demo_client, "admin")
    response = demo_client.post(
        "/api/v1/auth/revoke", json={"device_id": "tab-lost"}, headers=admin
    )
    assert response.status_code == 200 and response.json() == {"revoked": 1}
    new = change("placement_recommendation", placement_data())
    refused = demo_client.post(
        "/api/v1/sync/push", json={"device_id": "tab-lost", "changes": [new]}, headers=lost
    )
    assert_error(refused, 401, "invalid_token")
    [result] = push(demo_client, spare, new, device_id="tab-spare")
    assert result["status"] == "applied"
    devices = _devices(demo_client, admin)
    assert devices["tab-lost"]["live_tokens"] == 0 and devices["tab-lost"]["revoked_at"]
    assert devices["tab-spare"]["live_tokens"] == 1
    with session_scope() as session:
        line = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "token.revoke", AuditEntry.target_id == "tab-lost"
            )
        ).one()
        assert line.actor == "admin" and line.target_type == "device"


def test_a_retired_form_takes_no_new_record_and_keeps_its_records_editable(
    demo_client: TestClient,
) -> None:
    ccwc = auth_headers(demo_client, "ccwc.pp")
    admin = auth_headers(demo_client, "admin")
    first = change("placement_recommendation", placement_data())
    [applied] = push(demo_client, ccwc, first)
    assert applied["status"] == "applied"

    response = demo_client.post("/api/v1/forms/placement_recommendation/retire", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["retired"] is True
    listed = demo_client.get("/api/v1/forms", headers=ccwc).json()["forms"]
    assert "placement_recommendation" not in {f["form_id"] for f in listed}
    versions = demo_client.get("/api/v1/forms/versions", headers=admin).json()["versions"]
    assert {v["retired"] for v in versions if v["form_id"] == "placement_recommendation"} == {True}
    # the version itself stays readable, the record too, and edits of it are accepted
    schema = demo_client.get("/api/v1/forms/placement_recommendation/versions/2026.1", headers=ccwc)
    assert schema.status_code == 200
    record = demo_client.get(f"/api/v1/records/{first['record_id']}", headers=ccwc)
    assert record.status_code == 200
    edited_data = {**first["data"], "child_views": "Edited after the form was retired."}
    edit = change("placement_recommendation", edited_data, record_id=first["record_id"], base_rev=1)
    new = change("placement_recommendation", placement_data())
    edited, refused = push(demo_client, ccwc, edit, new)
    assert edited["status"] == "applied", edited
    assert refused["status"] == "rejected"
    assert [e["code"] for e in refused["errors"]] == ["form_retired"]
    pulled = demo_client.get("/api/v1/sync/pull", headers=ccwc).json()["records"]
    assert first["record_id"] in {r["record_id"] for r in pulled}

    # restored: listed and accepted again; both actions audited
    again = demo_client.post("/api/v1/forms/placement_recommendation/restore", headers=admin)
    assert again.status_code == 200 and again.json()["retired"] is False
    [accepted] = push(demo_client, ccwc, change("placement_recommendation", placement_data()))
    assert accepted["status"] == "applied"
    with session_scope() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.target_id == "placement_recommendation",
                AuditEntry.action.in_(["form.retire", "form.restore"]),
            )
        ).all()
    assert sorted(actions) == ["form.restore", "form.retire"]
    assert_error(
        demo_client.post("/api/v1/forms/no_such_form/retire", headers=admin), 404, "not_found"
    )
