"""Builders for the placements, conflicts and bulk-approval tests: users in Kandal and Siem
Reap, records pushed through the API, and reads of what the database holds afterwards."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.auth.users import create_user
from app.db.session import session_scope
from app.demo.accounts import DEMO_PASSWORD
from app.models import AuditEntry, Location, Record
from tests.api.helpers import auth_headers
from tests.api.sync_helpers import change, placement_data, push
from tests.desk.helpers import ORIGIN


def siem_reap_commune() -> str:
    with session_scope() as session:
        code = session.scalar(
            select(Location.code)
            .where(Location.level == "commune", Location.code.startswith("17"))
            .order_by(Location.code)
            .limit(1)
        )
    assert code is not None
    return code


def other_users() -> str:
    """supervisor.kd (Kandal), supervisor.sr (Siem Reap) and ccwc.sr; the Siem Reap commune."""
    commune = siem_reap_commune()
    with session_scope() as session:
        for username, role, province, where in (
            ("supervisor.kd", "dosvy_supervisor", "08", None),
            ("supervisor.sr", "dosvy_supervisor", "17", None),
            ("ccwc.sr", "ccwc", None, commune),
        ):
            create_user(
                session,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                province=province,
                commune=where,
            )
    return commune


def pushed_placement(
    client: TestClient, username: str = "ccwc.pp", commune: str = "120101", **overrides: Any
) -> str:
    new = change("placement_recommendation", placement_data(commune, **overrides))
    [result] = push(client, auth_headers(client, username), new)
    assert result["status"] == "applied", result
    return str(new["record_id"])


def stored(record_id: str) -> Record:
    with session_scope() as session:
        record = session.get(Record, record_id)
        assert record is not None
        session.expunge(record)
        return record


def audit_lines(action: str, target_id: str) -> list[AuditEntry]:
    with session_scope() as session:
        lines = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == action, AuditEntry.target_id == target_id)
                .order_by(AuditEntry.id)
            )
        )
        session.expunge_all()
        return lines


def post(client: TestClient, url: str, data: dict[str, Any], token: str | None) -> Any:
    form = dict(data)
    if token is not None:
        form["csrftoken"] = token
    return client.post(url, data=form, headers=ORIGIN, follow_redirects=False)


def two_tablets_clash(
    client: TestClient,
    username: str,
    form_id: str,
    data: dict[str, Any],
    server: dict[str, Any],
    device: dict[str, Any],
) -> tuple[str, str]:
    """A record pushed once, then edited on two tablets from revision 1: ``tab-a`` syncs
    first (its values stay), ``tab-b`` second (a conflict). Returns (record_id, conflict_id)."""
    headers = auth_headers(client, username)
    new = change(form_id, data)
    rid = str(new["record_id"])
    [first] = push(client, headers, new, device_id="tab-a")
    assert first["status"] == "applied", first

    def edited(values: dict[str, Any]) -> dict[str, Any]:
        merged = {**data}
        for key, value in values.items():
            merged[key] = {**merged[key], **value} if isinstance(value, dict) else value
        return change(form_id, merged, record_id=rid, base_rev=1)

    [a] = push(client, headers, edited(server), device_id="tab-a")
    [b] = push(client, headers, edited(device), device_id="tab-b")
    assert a["status"] == "applied" and b["status"] == "conflict", (a, b)
    [clash] = b["conflicts"]
    return rid, str(clash["conflict_id"])


def pull_all(client: TestClient, headers: dict[str, str], cursor: str | None = None) -> Any:
    """Follow pull until ``more`` is false; the last page (its cursor) and every record."""
    records: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": 5000}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/sync/pull", params=params, headers=headers).json()
        records += page["records"]
        cursor = page["cursor"]
        if not page["more"]:
            return cursor, records
