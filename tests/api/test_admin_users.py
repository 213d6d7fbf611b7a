"""Administration of users over the API, on SQLite and PostgreSQL: admin only, the CLI's
rules for a new user, disabling (sign-in refused, tokens 401 at once), password resets, and an
audit line for each action."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db.session import session_scope
from app.models import AuditEntry
from tests.api.helpers import assert_error, auth_headers, sign_in

NEW = {"username": "ccwc.kd1", "password": "a-long-password", "role": "ccwc", "commune": "080101"}


def _audit(action: str, target: str) -> list[AuditEntry]:
    with session_scope() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.target_id == target)
        ).all()
        session.expunge_all()
        return list(rows)


def _user(client: TestClient, headers: dict[str, str], username: str) -> dict[str, Any]:
    users = client.get("/api/v1/users", headers=headers).json()["users"]
    return next(u for u in users if u["username"] == username)


def test_every_admin_route_refuses_other_roles(demo_client: TestClient) -> None:
    for username in ("supervisor.pp", "mosvy", "ccwc.pp"):
        headers = auth_headers(demo_client, username)
        for method, path, body in (
            ("GET", "/api/v1/users", None),
            ("POST", "/api/v1/users", NEW),
            ("POST", "/api/v1/users/ccwc.pp/disable", None),
            ("POST", "/api/v1/users/ccwc.pp/enable", None),
            ("POST", "/api/v1/users/ccwc.pp/password", {}),
            ("GET", "/api/v1/devices", None),
            ("GET", "/api/v1/forms/versions", None),
            ("POST", "/api/v1/forms/institution_inspection/retire", None),
            ("POST", "/api/v1/forms/institution_inspection/restore", None),
        ):
            response = demo_client.request(method, path, json=body, headers=headers)
            assert_error(response, 403, "forbidden")
    assert sign_in(demo_client, "ccwc.pp").status_code == 200  # nothing was disabled
    assert _audit("user.create", "ccwc.kd1") == []


def test_admin_lists_users_with_role_scope_state_and_last_sign_in(
    demo_client: TestClient,
) -> None:
    auth_headers(demo_client, "ccwc.pp", device_id="tab-1")
    headers = auth_headers(demo_client, "admin")
    ccwc = _user(demo_client, headers, "ccwc.pp")
    assert ccwc["role"] == "ccwc"
    assert ccwc["scope"] == {"province": "12", "district": "1201", "commune": "120101"}
    assert ccwc["active"] is True
    assert ccwc["last_sign_in_at"] is not None
    assert _user(demo_client, headers, "mosvy")["scope"] == {
        "province": None,
        "district": None,
        "commune": None,
    }


def test_admin_creates_a_user_who_signs_in_with_the_scope_given(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "admin")
    response = demo_client.post("/api/v1/users", json=NEW, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["username"] == "ccwc.kd1" and body["active"] is True
    assert body["scope"] == {"province": "08", "district": "0801", "commune": "080101"}
    signed_in = sign_in(demo_client, "ccwc.kd1", "a-long-password")
    assert signed_in.status_code == 200
    assert signed_in.json()["user"]["scope"]["commune"] == "080101"
    [line] = _audit("user.create", "ccwc.kd1")
    assert line.actor == "admin" and line.details["role"] == "ccwc"
    again = demo_client.post("/api/v1/users", json=NEW, headers=headers)
    assert_error(again, 409, "conflict")
    assert len(_audit("user.create", "ccwc.kd1")) == 1


def test_a_new_user_follows_the_clis_rules(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "admin")
    for body in (
        {**NEW, "role": "dosvy_supervisor"},  # a supervisor holds a province, not a commune
        {**NEW, "commune": "089999"},  # no such commune
        {**NEW, "username": "Bad Name!"},
        {**NEW, "role": "king"},
        {**NEW, "password": "short"},
        {**NEW, "commune": "08"},  # not six digits
        {**NEW, "extra": 1},
    ):
        assert_error(
            demo_client.post("/api/v1/users", json=body, headers=headers), 422, "validation_error"
        )
    assert sign_in(demo_client, "ccwc.kd1", "a-long-password").status_code == 401


def test_disabling_a_user_ends_their_tokens_at_once_and_refuses_sign_in(
    demo_client: TestClient,
) -> None:
    tablet = auth_headers(demo_client, "inspector.sr", device_id="tab-a")
    other = auth_headers(demo_client, "inspector.sr", device_id="tab-b")
    assert demo_client.get("/api/v1/me", headers=tablet).status_code == 200
    headers = auth_headers(demo_client, "admin")
    response = demo_client.post("/api/v1/users/inspector.sr/disable", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    for token in (tablet, other):
        assert_error(demo_client.get("/api/v1/me", headers=token), 401, "invalid_token")
        assert_error(demo_client.get("/api/v1/sync/pull", headers=token), 401, "invalid_token")
    assert_error(sign_in(demo_client, "inspector.sr"), 401, "invalid_credentials")
    [line] = _audit("user.disable", "inspector.sr")
    assert line.actor == "admin" and line.details == {"changed": True, "revoked": 2}
    # twice: the same answer, nothing more to end
    again = demo_client.post("/api/v1/users/inspector.sr/disable", headers=headers)
    assert again.status_code == 200 and again.json()["active"] is False
    # enabled again: signs in again (the old tokens stay revoked)
    enabled = demo_client.post("/api/v1/users/inspector.sr/enable", headers=headers)
    assert enabled.status_code == 200 and enabled.json()["active"] is True
    assert sign_in(demo_client, "inspector.sr").status_code == 200
    assert_error(demo_client.get("/api/v1/me", headers=tablet), 401, "invalid_token")
    assert len(_audit("user.enable", "inspector.sr")) == 1


def test_an_admin_cannot_disable_themselves_and_unknown_users_are_404(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "admin")
    assert_error(demo_client.post("/api/v1/users/admin/disable", headers=headers), 409, "conflict")
    assert demo_client.get("/api/v1/me", headers=headers).status_code == 200
    for path in ("disable", "enable", "password"):
        response = demo_client.post(f"/api/v1/users/nobody.here/{path}", headers=headers)
        assert_error(response, 404, "not_found")


def test_a_password_reset_gives_a_temporary_password_once_and_ends_old_sign_ins(
    demo_client: TestClient,
) -> None:
    old = auth_headers(demo_client, "social.btb", device_id="tab-s")
    headers = auth_headers(demo_client, "admin")
    response = demo_client.post("/api/v1/users/social.btb/password", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    temporary = body["temporary_password"]
    assert isinstance(temporary, str) and len(temporary) >= 12
    assert body["revoked"] == 1
    assert_error(demo_client.get("/api/v1/me", headers=old), 401, "invalid_token")
    assert_error(sign_in(demo_client, "social.btb"), 401, "invalid_credentials")
    assert sign_in(demo_client, "social.btb", temporary).status_code == 200
    [line] = _audit("user.password_reset", "social.btb")
    assert line.details == {"generated": True, "revoked": 1}
    assert temporary not in str(line.details)
    # a password typed by the admin
    typed = demo_client.post(
        "/api/v1/users/social.btb/password", json={"password": "chosen-by-admin"}, headers=headers
    )
    assert typed.status_code == 200 and typed.json()["temporary_password"] is None
    assert sign_in(demo_client, "social.btb", "chosen-by-admin").status_code == 200
    short = demo_client.post(
        "/api/v1/users/social.btb/password", json={"password": "short"}, headers=headers
    )
    assert_error(short, 422, "validation_error")
    assert sign_in(demo_client, "social.btb", "chosen-by-admin").status_code == 200
