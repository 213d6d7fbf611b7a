"""The OpenAPI document describes the bodies the server sends, hand-built JSON included.

Real answers of every route (a push with each kind of result, pull pages, a record with a
placement step and an open conflict, its history, errors) are validated against the schema
/openapi.json documents for their status. Response models list every key
(``additionalProperties: false``), so a key the code sends and the document lacks fails here.
The fuzz test (tests/api/test_fuzz.py) checks the same on generated requests.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient

from tests.api.helpers import auth_headers
from tests.api.sync_helpers import change, demo_institution, inspection_data, placement_data


def _documented(document: dict[str, Any], method: str, path: str, status: int) -> dict[str, Any]:
    """The JSON schema the document gives an answer (by its status, else its status range)."""
    responses = document["paths"][path][method.lower()]["responses"]
    found = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    assert found, f"{method} {path} does not document a {status}"
    body: dict[str, Any] = found["content"]["application/json"]["schema"]
    while "$ref" in body:
        body = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return body


def _conforms(schema: Any, method: str, path: str, response: Any, *, closed: bool = True) -> Any:
    """Validate ``response`` against what the document says of ``method path``: a schema that
    names every key (``closed``), and the body valid against it."""
    assert response.status_code < 500, response.text
    documented = _documented(schema.raw_schema, method, path, response.status_code)
    if closed:
        assert documented.get("additionalProperties") is False, (method, path, documented)
    schema[path][method].validate_response(response)  # raises, naming what does not conform
    return response.json() if response.content else None


def test_pull_records_and_push_results_are_as_the_document_says(demo_client: TestClient) -> None:
    schema = schemathesis.openapi.from_dict(demo_client.get("/openapi.json").json())
    inspector = auth_headers(demo_client, "inspector.sr")
    ccwc = auth_headers(demo_client, "ccwc.pp")
    supervisor = auth_headers(demo_client, "supervisor.pp")
    admin = auth_headers(demo_client, "admin")

    def push(headers: dict[str, str], *changes: dict[str, Any]) -> list[dict[str, Any]]:
        body = {"device_id": "tab-doc", "changes": list(changes)}
        response = demo_client.post("/api/v1/sync/push", json=body, headers=headers)
        return _conforms(schema, "POST", "/api/v1/sync/push", response)["results"]  # type: ignore[no-any-return]

    # every kind of result: applied, merged, conflict, duplicate, rejected
    data = inspection_data(demo_institution("17"))
    new = change("institution_inspection", data)
    record_id = new["record_id"]
    first = change("institution_inspection", data | {"beds": 40}, record_id=record_id, base_rev=1)
    clash = change("institution_inspection", data | {"beds": 41}, record_id=record_id, base_rev=1)
    rejected = change("institution_inspection", data, version="no-such-version")
    results = push(inspector, new, first, clash, new, rejected)
    assert [r["status"] for r in results] == [
        "applied",
        "applied",
        "conflict",
        "duplicate",
        "rejected",
    ]
    assert results[2]["conflicts"] and results[4]["errors"]

    # a placement recommendation with a step taken, so "placement" is not null
    recommendation = change("placement_recommendation", placement_data())
    push(ccwc, recommendation)
    step = demo_client.post(
        f"/api/v1/records/{recommendation['record_id']}/placement",
        json={"action": "authorize", "comment": "Kinship checked."},
        headers=supervisor,
    )
    shown = _conforms(schema, "POST", "/api/v1/records/{record_id}/placement", step)
    assert shown["placement"] == {"state": "authorized"}

    # a record with an open conflict, its history, a review
    record = demo_client.get(f"/api/v1/records/{record_id}", headers=inspector)
    body = _conforms(schema, "GET", "/api/v1/records/{record_id}", record)
    assert body["open_conflicts"] and set(body) >= {"placement", "flags", "incomplete"}
    history = demo_client.get(f"/api/v1/records/{record_id}/history", headers=inspector)
    _conforms(schema, "GET", "/api/v1/records/{record_id}/history", history)
    review = demo_client.post(
        f"/api/v1/records/{recommendation['record_id']}/review",
        json={"action": "return", "comment": "Add the carer's phone."},
        headers=supervisor,
    )
    _conforms(schema, "POST", "/api/v1/records/{record_id}/review", review)

    # pull pages, in a narrow scope and nationally
    for headers in (inspector, ccwc, admin):
        page = demo_client.get("/api/v1/sync/pull", params={"limit": 2000}, headers=headers)
        assert _conforms(schema, "GET", "/api/v1/sync/pull", page)["records"]
    narrow = demo_client.get("/api/v1/sync/pull", params={"limit": 5000}, headers=inspector)
    entries = {r["record_id"]: r for r in narrow.json()["records"]}
    assert entries[record_id]["open_conflicts"] == body["open_conflicts"]


def test_other_answers_and_errors_are_as_the_document_says(demo_client: TestClient) -> None:
    schema = schemathesis.openapi.from_dict(demo_client.get("/openapi.json").json())
    admin = auth_headers(demo_client, "admin")
    inspector = auth_headers(demo_client, "inspector.sr")
    _conforms(schema, "GET", "/healthz", demo_client.get("/healthz"))
    _conforms(schema, "GET", "/api/v1/me", demo_client.get("/api/v1/me", headers=admin))
    forms = _conforms(
        schema, "GET", "/api/v1/forms", demo_client.get("/api/v1/forms", headers=admin)
    )
    first = forms["forms"][0]
    version = demo_client.get(
        f"/api/v1/forms/{first['form_id']}/versions/{first['version']}", headers=admin
    )
    _conforms(schema, "GET", "/api/v1/forms/{form_id}/versions/{version}", version, closed=False)
    _conforms(
        schema, "GET", "/api/v1/locations", demo_client.get("/api/v1/locations", headers=admin)
    )
    upload = demo_client.put(
        "/api/v1/attachments/" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        content=b"",
        headers=inspector | {"Content-Type": "application/octet-stream"},
    )
    _conforms(schema, "PUT", "/api/v1/attachments/{sha256}", upload)
    errors = [
        ("GET", "/api/v1/records/{record_id}", demo_client.get("/api/v1/records/x", headers=admin)),
        ("GET", "/api/v1/sync/pull", demo_client.get("/api/v1/sync/pull?cursor=x", headers=admin)),
        ("GET", "/api/v1/me", demo_client.get("/api/v1/me")),
        (
            "POST",
            "/api/v1/sync/push",
            demo_client.post("/api/v1/sync/push", json={}, headers=admin),
        ),
    ]
    for method, path, response in errors:
        assert response.status_code >= 400
        _conforms(schema, method, path, response)
