"""Every error is JSON in the contract's shape; nothing internal leaks."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import assert_error, auth_headers

SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
RECORD = "/api/v1/records/7c9e6679-7425-40de-944b-e07fc1f90ae7"

# (method, path, status, Allow): a wrong method on a route is 405 naming every method the path
# takes; a path no route has is 404 under /api, and the field app's business elsewhere.
PATHS_AND_METHODS = [
    ("GET", "/api/v1/sync/push", 405, "POST"),
    ("GET", "/api/v1/auth/token", 405, "POST"),
    ("GET", "/api/v1/auth/revoke", 405, "POST"),
    ("PUT", "/api/v1/sync/pull", 405, "GET"),
    ("DELETE", "/api/v1/me", 405, "GET"),
    ("DELETE", "/api/v1/forms", 405, "GET, POST"),
    ("PATCH", "/api/v1/forms/xlsform", 405, "POST"),
    ("GET", f"{RECORD}/review", 405, "POST"),
    ("POST", RECORD, 405, "GET"),
    ("POST", f"/api/v1/attachments/{SHA}", 405, "GET, HEAD, PUT"),
    ("DELETE", f"/api/v1/attachments/{SHA}", 405, "GET, HEAD, PUT"),
    ("POST", "/healthz", 405, "GET"),
    ("POST", "/api/v1/no-such-route", 404, None),
    ("GET", "/api/v1/no-such-route", 404, None),
    ("PUT", "/api/v1/sync", 404, None),
    ("POST", "/api", 404, None),
    ("GET", "/api/v1", 404, None),
    ("GET", "/no/such/page", 404, None),
    ("POST", "/no/such/page", 404, None),
    ("DELETE", "/no-such-file.js", 404, None),
    ("POST", "/", 405, "GET, HEAD"),
    ("POST", "/index.html", 405, "GET, HEAD"),
    ("PUT", "/sw.js", 405, "GET, HEAD"),
]


@pytest.mark.parametrize(("method", "path", "status", "allow"), PATHS_AND_METHODS)
def test_paths_and_methods_answer_404_or_405_as_documented(
    client: TestClient, method: str, path: str, status: int, allow: str | None
) -> None:
    response = client.request(method, path)
    assert_error(response, status, "not_found" if status == 404 else "method_not_allowed")
    assert response.headers.get("allow") == allow


def test_the_field_app_serves_its_files_to_get_and_head(client: TestClient) -> None:
    for method in ("GET", "HEAD"):
        for path in ("/", "/index.html", "/sw.js"):
            assert client.request(method, path).status_code == 200, (method, path)


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


def _body_routes() -> list[tuple[str, str]]:
    from fastapi.routing import APIRoute

    from app.main import ROUTERS

    found = []
    for router in ROUTERS:
        for route in router.routes:
            # the API's routes; the desk's pages take HTML forms (tests/desk)
            api = isinstance(route, APIRoute) and route.path.startswith("/api/")
            if api and route.methods & {"POST", "PUT"}:
                path = route.path
                for name in route.param_convertors:
                    path = path.replace("{" + name + "}", SHA if name == "sha256" else RECORD[-36:])
                found += [(m, path) for m in sorted(route.methods & {"POST", "PUT"})]
    return found


def test_a_body_in_a_type_the_route_does_not_take_is_415(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "admin")
    refused = []
    for method, path in _body_routes():
        for content_type in ("text/plain", "application/xml", "application/json; charset=latin-1"):
            response = demo_client.request(
                method, path, content=b"{}", headers=headers | {"Content-Type": content_type}
            )
            if response.status_code == 415:
                assert_error(response, 415, "unsupported_media_type")
                assert content_type.split(";")[0] in response.json()["error"]["message"]
                refused.append((method, path))
    body_routes = {route for route in _body_routes() if "/attachments/" not in route[1]}
    assert set(refused) == body_routes  # every route but the attachments', and every time
    assert len(refused) == 3 * len(body_routes)


def test_a_body_without_a_content_type_is_415_and_no_body_needs_none(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    push = demo_client.post(
        "/api/v1/sync/push", content=b'{"device_id": "t", "changes": []}', headers=headers
    )
    assert_error(push, 415, "unsupported_media_type")
    for content_type in ("application/json", "application/json; charset=UTF-8"):
        ok = demo_client.post(
            "/api/v1/sync/push",
            content=b'{"device_id": "t", "changes": []}',
            headers=headers | {"Content-Type": content_type},
        )
        assert ok.status_code == 200, (content_type, ok.text)
    revoke = demo_client.post("/api/v1/auth/revoke", headers=headers)  # no body, no type
    assert revoke.status_code == 200 and revoke.json() == {"revoked": 1}


def test_the_token_route_takes_both_form_encodings(demo_client: TestClient) -> None:
    form = {"username": "admin", "password": "homeward-demo"}
    assert demo_client.post("/api/v1/auth/token", data=form).status_code == 200
    multipart = demo_client.post(
        "/api/v1/auth/token", files={k: (None, v) for k, v in form.items()}
    )
    assert multipart.status_code == 200, multipart.text
    as_json = demo_client.post("/api/v1/auth/token", json=form)
    assert_error(as_json, 415, "unsupported_media_type")
