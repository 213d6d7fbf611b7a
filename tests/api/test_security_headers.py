"""Security headers on every answer (issue #14, item 10): the field app's pages allow only this
origin and no inline script; API answers with child data or tokens are never stored."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.helpers import auth_headers

STATIC = Path(__file__).resolve().parents[2] / "static" / "pwa"


def _common(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"


def test_the_field_app_is_served_under_a_strict_policy(demo_client: TestClient) -> None:
    for path in ("/", "/index.html", "/js/app.js", "/sw.js", "/manifest.webmanifest"):
        response = demo_client.get(path)
        assert response.status_code == 200, path
        _common(response)
        policy = response.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"  # no inline script, no other host
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in policy and "http" not in policy


def test_the_field_app_has_no_inline_script_or_style_attribute() -> None:
    """What the policy forbids is not there to be blocked."""
    for page in STATIC.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, flags=re.S)
        assert all("src=" in attrs and not body.strip() for attrs, body in scripts), page
        assert "style=" not in text, page
        assert not re.search(r"\son[a-z]+=", text), page  # no inline event handlers


def test_api_answers_with_child_data_or_tokens_are_never_stored(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    for response in (
        demo_client.get("/api/v1/me", headers=headers),
        demo_client.get("/api/v1/sync/pull", params={"limit": 5}, headers=headers),
        demo_client.post(
            "/api/v1/auth/token", data={"username": "inspector.sr", "password": "homeward-demo"}
        ),
        demo_client.get("/api/v1/me"),  # a 401 too
    ):
        _common(response)
        assert response.headers["cache-control"] == "no-store", response.request.url
        assert "content-security-policy" not in response.headers


def test_a_refusal_before_the_app_carries_the_headers_too(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    response = demo_client.post(
        "/api/v1/sync/push",
        content=b"x" * (17 * 1024 * 1024),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    _common(response)
