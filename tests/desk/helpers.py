"""Signing in to the desk through its own forms, as a browser would."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.demo.accounts import DEMO_PASSWORD

ORIGIN = {"Origin": "http://testserver"}
_CSRF = re.compile(r'name="csrftoken" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def desk_sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> str:
    """Sign in through /review/signin; returns the session's CSRF token."""
    page = client.get("/review/signin")
    assert page.status_code == 200, page.text
    response = client.post(
        "/review/signin",
        data={"username": username, "password": password, "csrftoken": csrf_of(page.text)},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/review"
    queue = client.get("/review")
    return csrf_of(queue.text)
