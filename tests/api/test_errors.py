"""Every error is JSON in the contract's shape; nothing internal leaks."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import assert_error, auth_headers


def test_unknown_routes_are_json_404(client: TestClient) -> None:
    assert_error(client.get("/api/v1/no-such-route"), 404, "not_found")
    assert_error(client.get("/no/such/page"), 404, "not_found")


def test_wrong_method_is_json_405(client: TestClient) -> None:
    assert_error(client.delete("/api/v1/me"), 405, "method_not_allowed")


def test_fastapi_validation_errors_use_the_envelope(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "admin")
    error = assert_error(
        demo_client.get("/api/v1/records/not-a-uuid", headers=headers), 422, "validation_error"
    )
    assert error["details"][0]["path"] == "record_id"
    assert {"path", "code", "message"} <= set(error["details"][0])
    missing = assert_error(demo_client.post("/api/v1/auth/token", data={}), 422, "validation_error")
    assert {d["path"] for d in missing["details"]} == {"username", "password"}


def test_malformed_json_is_a_validation_error(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "admin") | {"Content-Type": "application/json"}
    response = demo_client.post("/api/v1/auth/revoke", content=b"{not json", headers=headers)
    assert_error(response, 422, "validation_error")


def test_oversized_body_is_413_before_parsing(client: TestClient) -> None:
    big = b"x" * (16 * 1024 * 1024 + 1)
    response = client.post(
        "/api/v1/auth/token",
        content=big,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_error(response, 413, "body_too_large")


def test_server_errors_leak_nothing(client: TestClient) -> None:
    """A database failure under a route gives a bare 500 envelope: no SQL, no paths."""
    from app.db.engine import get_engine

    get_engine().dispose()
    with get_engine().begin() as connection:
        connection.exec_driver_sql("DROP TABLE login_attempts")
    response = client.post("/api/v1/auth/token", data={"username": "x", "password": "y"})
    error = assert_error(response, 500, "internal_error")
    text = response.text.lower()
    for leak in ("select", "login_attempts", "traceback", "/work", ".py"):
        assert leak not in text
    assert error["details"] == []
