"""Sign-in, session, sign-out, revocation, CSRF and headers of the desk, over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db.session import session_scope
from app.models import AuditEntry, DeskSession
from tests.api.helpers import auth_headers
from tests.desk.helpers import ORIGIN, csrf_of, desk_sign_in


def _audit(action: str, actor: str) -> list[AuditEntry]:
    with session_scope() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == action, AuditEntry.actor == actor)
            )
        )


def test_the_queue_without_a_session_redirects_to_the_sign_in_page(
    demo_client: TestClient,
) -> None:
    response = demo_client.get("/review", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/review/signin"
    page = demo_client.get("/review/signin")
    assert page.status_code == 200
    assert '<label for="username">Username</label>' in page.text
    assert '<label for="password">Password</label>' in page.text
    assert ">Sign in</button>" in page.text


def test_sign_in_sets_a_server_side_session_cookie_and_sign_out_ends_it(
    demo_client: TestClient,
) -> None:
    page = demo_client.get("/review/signin")
    response = demo_client.post(
        "/review/signin",
        data={
            "username": "supervisor.pp",
            "password": "homeward-demo",
            "csrftoken": csrf_of(page.text),
        },
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("homeward_desk=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/review" in cookie
    assert "Secure" not in cookie  # development; production adds it
    value = cookie.split(";")[0].split("=", 1)[1]
    with session_scope() as session:
        stored = session.scalars(select(DeskSession)).all()
    assert len(stored) == 1 and value not in stored[0].id_hash  # only the hash is stored
    queue = demo_client.get("/review")
    assert queue.status_code == 200 and "Review queue" in queue.text
    assert _audit("desk.sign_in", "supervisor.pp")
    signout = demo_client.post(
        "/review/signout", data={"csrftoken": csrf_of(queue.text)}, headers=ORIGIN,
        follow_redirects=False,
    )  # fmt: skip
    assert signout.status_code == 303
    assert _audit("desk.sign_out", "supervisor.pp")
    demo_client.cookies.set("homeward_desk", value, path="/review")  # replay the old cookie
    again = demo_client.get("/review", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/review/signin"


def test_wrong_password_shows_an_error_and_is_audited(demo_client: TestClient) -> None:
    page = demo_client.get("/review/signin")
    response = demo_client.post(
        "/review/signin",
        data={"username": "supervisor.pp", "password": "wrong", "csrftoken": csrf_of(page.text)},
        headers=ORIGIN,
    )
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert 'class="error-summary"' in response.text
    cookies = response.headers.get_list("set-cookie")
    assert not [c for c in cookies if c.startswith("homeward_desk=")]
    assert _audit("login.failed", "supervisor.pp")


def test_the_session_ends_when_an_admin_revokes_the_users_tokens(demo_client: TestClient) -> None:
    desk_sign_in(demo_client, "supervisor.pp")
    admin = auth_headers(demo_client, "admin")
    revoked = demo_client.post(
        "/api/v1/auth/revoke", json={"username": "supervisor.pp"}, headers=admin
    )
    assert revoked.status_code == 200, revoked.text
    response = demo_client.get("/review", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/review/signin"


def test_an_idle_session_expires(demo_client: TestClient) -> None:
    desk_sign_in(demo_client, "supervisor.pp")
    with session_scope() as session:
        for row in session.scalars(select(DeskSession)):
            row.last_seen_at = row.last_seen_at - timedelta(minutes=31)
    response = demo_client.get("/review", follow_redirects=False)
    assert response.status_code == 303


def test_a_field_role_is_pointed_to_the_field_app(demo_client: TestClient) -> None:
    desk_sign_in_page = demo_client.get("/review/signin")
    demo_client.post(
        "/review/signin",
        data={"username": "inspector.sr", "password": "homeward-demo",
              "csrftoken": csrf_of(desk_sign_in_page.text)},
        headers=ORIGIN,
    )  # fmt: skip
    response = demo_client.get("/review")
    assert response.status_code == 403
    assert "Use the field app" in response.text and 'href="/"' in response.text


@pytest.mark.parametrize("headers", [{}, {"Origin": "http://evil.example"}])
def test_sign_in_without_a_valid_token_or_from_another_site_is_refused(
    demo_client: TestClient, headers: dict[str, str]
) -> None:
    page = demo_client.get("/review/signin")
    token = csrf_of(page.text)
    for data, extra in (
        ({"username": "supervisor.pp", "password": "homeward-demo"}, ORIGIN),
        ({"username": "supervisor.pp", "password": "homeward-demo", "csrftoken": "forged"}, ORIGIN),
        ({"username": "supervisor.pp", "password": "homeward-demo", "csrftoken": token}, headers),
    ):
        response = demo_client.post("/review/signin", data=data, headers=extra)
        assert response.status_code == 403, response.text
    with session_scope() as session:
        assert session.scalars(select(DeskSession)).all() == []


def test_every_desk_page_carries_the_security_headers(demo_client: TestClient) -> None:
    pages = [demo_client.get("/review/signin"), demo_client.get("/review", follow_redirects=False)]
    desk_sign_in(demo_client, "supervisor.pp")
    pages += [
        demo_client.get("/review"),
        demo_client.get("/review/records/00000000-0000-0000-0000-000000000000"),
        demo_client.get("/review/records/not-a-uuid"),
    ]
    for response in pages:
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["cache-control"] == "no-store"
        assert "<script" not in response.text


def test_the_language_switch_is_remembered(demo_client: TestClient) -> None:
    desk_sign_in(demo_client, "supervisor.pp")
    switched = demo_client.get("/review/language/km?next=/review", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/review"
    page = demo_client.get("/review")
    assert '<html lang="km">' in page.text and "បញ្ជីរង់ចាំការពិនិត្យ" in page.text
    elsewhere = demo_client.get(
        "/review/language/en?next=https://evil.example/", follow_redirects=False
    )
    assert elsewhere.headers["location"] == "/review"  # never off the desk


def test_in_production_the_session_cookie_is_secure(
    demo_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.settings import get_settings

    monkeypatch.setenv("HOMEWARD_ENVIRONMENT", "production")
    monkeypatch.setenv("HOMEWARD_SECRET_KEY", "a-test-secret-that-is-not-the-default")
    get_settings.cache_clear()
    try:
        page = demo_client.get("/review/signin")
        assert "Secure" in page.headers["set-cookie"]
        response = demo_client.post(
            "https://testserver/review/signin",
            data={
                "username": "supervisor.pp",
                "password": "homeward-demo",
                "csrftoken": csrf_of(page.text),
            },
            headers={"Origin": "https://testserver"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith("homeward_desk=")
        )
        assert "Secure" in cookie and "HttpOnly" in cookie
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
