"""A new route cannot forget authorisation: every /api/v1 route declares require(action)."""

from __future__ import annotations

import uuid

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.main import ROUTERS

PUBLIC = {("/api/v1/auth/token", "POST")}


def _requires_action(route: APIRoute) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if getattr(dep.call, "homeward_action", None):
            return True
        stack.extend(dep.dependencies)
    return False


def _api_routes() -> list[APIRoute]:
    return [
        r
        for router in ROUTERS
        for r in router.routes
        if isinstance(r, APIRoute) and r.path.startswith("/api/v1")
    ]


def test_every_api_route_declares_a_required_action() -> None:
    missing = [
        (r.path, sorted(r.methods))
        for r in _api_routes()
        if not _requires_action(r) and not {(r.path, m) for m in r.methods} <= PUBLIC
    ]
    assert missing == []


def test_every_api_route_refuses_a_caller_without_token(client: TestClient) -> None:
    checked = 0
    for route in _api_routes():
        path = route.path
        for name in route.param_convertors:
            path = path.replace("{" + name + "}", str(uuid.uuid4()) if "id" in name else "x")
        for method in route.methods:
            if (route.path, method) in PUBLIC:
                continue
            response = client.request(method, path)
            assert response.status_code == 401, (method, path, response.text)
            if method != "HEAD":  # a HEAD response carries no body
                assert response.json()["error"]["code"] == "not_authenticated"
            checked += 1
    assert checked >= 3
