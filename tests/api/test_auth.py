"""Sign-in, tokens, revocation and the throttle, from the outside."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from app.db.session import session_scope
from app.models import AuditEntry
from tests.api.helpers import assert_error, auth_headers, sign_in


def test_sign_in_returns_a_bearer_token_and_the_users_scope(demo_client: TestClient) -> None:
    response = sign_in(demo_client, "ccwc.pp", device_id="tab-017")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["access_token"]
    assert body["user"] == {
        "username": "ccwc.pp",
        "role": "ccwc",
        "scope": {"province": "12", "district": "1201", "commune": "120101"},
    }
    me = demo_client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "ccwc.pp"


def test_token_lasts_at_least_a_week_in_the_field(demo_client: TestClient) -> None:
    from datetime import timedelta

    body = sign_in(demo_client, "inspector.sr").json()
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at - datetime.now(UTC) > timedelta(days=7)


def test_wrong_password_is_refused(demo_client: TestClient) -> None:
    assert_error(sign_in(demo_client, "ccwc.pp", "not-the-password"), 401, "invalid_credentials")
    assert_error(sign_in(demo_client, "nobody", "whatever-pass"), 401, "invalid_credentials")


def test_repeated_wrong_passwords_are_slowed_and_logged(
    demo_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the server's clock stands still: the 1 s wait after the third failure cannot run out
    # while Argon2 hashes on a busy machine (the wait is what is tested, not its length)
    still = datetime.now(UTC)
    monkeypatch.setattr("app.auth.routes.now_utc", lambda: still)
    for _ in range(3):
        assert_error(sign_in(demo_client, "mosvy", "wrong-password"), 401, "invalid_credentials")
    slowed = sign_in(demo_client, "mosvy")  # even the right password must wait now
    error = assert_error(slowed, 429, "too_many_attempts")
    assert int(slowed.headers["Retry-After"]) >= 1
    assert "try again" in error["message"]
    with session_scope() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor == "mosvy")
        ).all()
    assert actions.count("login.failed") == 3
    assert "login.throttled" in actions


def test_throttle_is_per_username(demo_client: TestClient) -> None:
    for _ in range(5):
        sign_in(demo_client, "mosvy", "wrong-password")
    assert sign_in(demo_client, "admin").status_code == 200


def test_missing_or_garbage_token_is_401(demo_client: TestClient) -> None:
    assert_error(demo_client.get("/api/v1/me"), 401, "not_authenticated")
    assert_error(
        demo_client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}),
        401,
        "invalid_token",
    )


def test_revoked_token_is_refused(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    other = auth_headers(demo_client, "inspector.sr")
    response = demo_client.post("/api/v1/auth/revoke", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"revoked": 1}
    assert_error(demo_client.get("/api/v1/me", headers=headers), 401, "invalid_token")
    assert demo_client.get("/api/v1/me", headers=other).status_code == 200


def test_admin_revokes_a_lost_tablets_tokens(demo_client: TestClient) -> None:
    lost = auth_headers(demo_client, "ccwc.pp", device_id="tab-lost")
    kept = auth_headers(demo_client, "ccwc.pp", device_id="tab-kept")
    admin = auth_headers(demo_client, "admin")
    response = demo_client.post(
        "/api/v1/auth/revoke", json={"device_id": "tab-lost"}, headers=admin
    )
    assert response.json() == {"revoked": 1}
    assert_error(demo_client.get("/api/v1/me", headers=lost), 401, "invalid_token")
    assert demo_client.get("/api/v1/me", headers=kept).status_code == 200


def test_admin_revokes_every_token_of_a_user(demo_client: TestClient) -> None:
    first = auth_headers(demo_client, "social.btb", device_id="a")
    second = auth_headers(demo_client, "social.btb", device_id="b")
    admin = auth_headers(demo_client, "admin")
    response = demo_client.post(
        "/api/v1/auth/revoke", json={"username": "social.btb"}, headers=admin
    )
    assert response.json() == {"revoked": 2}
    for headers in (first, second):
        assert_error(demo_client.get("/api/v1/me", headers=headers), 401, "invalid_token")


@pytest.mark.parametrize(
    "body",
    [
        {"usernme": "ccwc.pp"},
        {"device": "tab-lost"},
        {"username": "ccwc.pp", "extra": 1},
        {"username": None},
        {"device_id": ""},
        [],
        "ccwc.pp",
    ],
)
def test_a_revoke_body_that_is_not_understood_is_422_and_revokes_nothing(
    demo_client: TestClient, body: object
) -> None:
    admin = auth_headers(demo_client, "admin")
    target = auth_headers(demo_client, "ccwc.pp")
    response = demo_client.post("/api/v1/auth/revoke", json=body, headers=admin)
    assert_error(response, 422, "validation_error")
    assert demo_client.get("/api/v1/me", headers=admin).status_code == 200  # not its own token
    assert demo_client.get("/api/v1/me", headers=target).status_code == 200


@pytest.mark.parametrize("body", [None, {}])
def test_an_empty_revoke_body_revokes_the_callers_own_token(
    demo_client: TestClient, body: object
) -> None:
    admin = auth_headers(demo_client, "admin")
    other = auth_headers(demo_client, "admin")
    response = demo_client.post("/api/v1/auth/revoke", json=body, headers=admin)
    assert response.status_code == 200 and response.json() == {"revoked": 1}
    assert_error(demo_client.get("/api/v1/me", headers=admin), 401, "invalid_token")
    assert demo_client.get("/api/v1/me", headers=other).status_code == 200


def test_only_admin_revokes_other_tokens(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "supervisor.pp")
    response = demo_client.post(
        "/api/v1/auth/revoke", json={"username": "ccwc.pp"}, headers=headers
    )
    assert_error(response, 403, "forbidden")


def test_passwords_are_stored_as_argon2_hashes(demo_client: TestClient) -> None:
    with session_scope() as session:
        hashes = session.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


def test_tokens_are_stored_only_as_hashes(demo_client: TestClient) -> None:
    token = sign_in(demo_client, "admin").json()["access_token"]
    with session_scope() as session:
        stored = session.execute(text("SELECT token_hash FROM auth_tokens")).scalars().all()
    assert token not in stored and all(len(h) == 64 for h in stored)
