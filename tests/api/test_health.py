"""GET /healthz answers for the database, and fails when it is gone."""

from __future__ import annotations

import os

from fastapi.testclient import TestClient

from app.db.engine import reset_engines
from app.main import create_app
from app.settings import get_settings


def test_healthz_is_ok_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_fails_when_the_database_is_gone(database: str) -> None:
    if database.startswith("sqlite"):
        os.environ["HOMEWARD_DATABASE_URL"] = "sqlite:////nonexistent-dir/none/homeward.db"
    else:
        os.environ["HOMEWARD_DATABASE_URL"] = database.rsplit(":", 1)[0] + ":1/homeward"
    get_settings.cache_clear()
    reset_engines()
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["error"]["code"] == "database_unavailable"
    assert body["database"] == "unavailable"


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/api/v1/auth/token" in client.get("/openapi.json").json()["paths"]
