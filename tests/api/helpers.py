"""Small helpers for HTTP tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.demo.accounts import DEMO_PASSWORD


def sign_in(
    client: TestClient, username: str, password: str = DEMO_PASSWORD, device_id: str | None = None
) -> Any:
    form = {"username": username, "password": password}
    if device_id:
        form["device_id"] = device_id
    return client.post("/api/v1/auth/token", data=form)


def auth_headers(
    client: TestClient, username: str, password: str = DEMO_PASSWORD, device_id: str | None = None
) -> dict[str, str]:
    response = sign_in(client, username, password, device_id)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code, body
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    return error  # type: ignore[no-any-return]
