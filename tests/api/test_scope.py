"""Each role sees exactly its scope, from the outside, on every route that reads data."""

from __future__ import annotations

import hashlib
import os
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.auth.scope import Scope
from app.db.session import session_scope
from app.demo.accounts import DEMO_ACCOUNTS
from app.models import Record
from tests.api.helpers import assert_error, auth_headers
from tests.api.sync_helpers import change, demo_institution, inspection_data, push
from tests.api.test_every_route_is_guarded import _api_routes


def _sample_records() -> list[tuple[str, str]]:
    """(record_id, commune) of one institution and one child per demo commune."""
    with session_scope() as session:
        rows = session.execute(
            select(Record.form_id, Record.commune, func.min(Record.record_id)).group_by(
                Record.form_id, Record.commune
            )
        ).all()
        ids = [r[2] for r in rows]
        communes = dict(
            session.execute(
                select(Record.record_id, Record.commune).where(Record.record_id.in_(ids))
            )
            .tuples()
            .all()
        )
    return [(record_id, communes[record_id]) for record_id in ids]


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_each_role_reads_exactly_the_records_in_its_scope(
    demo_client: TestClient, account: object
) -> None:
    scope = Scope(
        province=account.province,
        district=account.district,  # type: ignore[attr-defined]
        commune=account.commune,
    )  # type: ignore[attr-defined]
    headers = auth_headers(demo_client, account.username)  # type: ignore[attr-defined]
    samples = _sample_records()
    assert len(samples) > 20
    seen_inside = seen_outside = 0
    for record_id, commune in samples:
        response = demo_client.get(f"/api/v1/records/{record_id}", headers=headers)
        if scope.covers(commune):
            assert response.status_code == 200, (record_id, commune)
            assert response.json()["record_id"] == record_id
            seen_inside += 1
        else:
            assert_error(response, 404, "not_found")
            seen_outside += 1
    assert seen_inside > 0
    if scope.code is not None:
        assert seen_outside > 0


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_each_role_lists_only_locations_in_its_scope(
    demo_client: TestClient, account: object
) -> None:
    scope = Scope(
        province=account.province,
        district=account.district,  # type: ignore[attr-defined]
        commune=account.commune,
    )  # type: ignore[attr-defined]
    headers = auth_headers(demo_client, account.username)  # type: ignore[attr-defined]
    codes = [
        loc["code"]
        for loc in demo_client.get("/api/v1/locations", headers=headers).json()["locations"]
    ]
    assert codes
    assert all(scope.covers(code) for code in codes)
    if scope.code is None:
        assert {"02", "08", "12", "17", "18"} <= set(codes)


def test_out_of_scope_is_indistinguishable_from_missing(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "ccwc.pp")
    outside = next(rid for rid, commune in _sample_records() if not commune.startswith("120101"))
    missing = demo_client.get(f"/api/v1/records/{uuid.uuid4()}", headers=headers)
    hidden = demo_client.get(f"/api/v1/records/{outside}", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def _hidden_inspection(client: TestClient) -> tuple[str, str]:
    """A Siem Reap inspection (rev 2: it has a history) with a photo: (record_id, sha256)."""
    headers = auth_headers(client, "inspector.sr")
    photo = os.urandom(2_000)
    sha = hashlib.sha256(photo).hexdigest()
    assert client.put(f"/api/v1/attachments/{sha}", content=photo, headers=headers).is_success
    data = inspection_data(demo_institution("17"))
    data["photos"][0]["photo"] = sha
    first = change("institution_inspection", data)
    assert push(client, headers, first)[0]["status"] == "applied"
    again = change(
        "institution_inspection", {**data, "beds": 1}, record_id=first["record_id"], base_rev=1
    )
    assert push(client, headers, again)[0]["status"] == "applied"
    return first["record_id"], sha


def _route_cases(record_id: str, sha: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, request keywords) for every /api/v1 route that names a record or a file,
    walked from the app's routes so that a new one cannot be left out."""
    bodies: dict[str, dict[str, Any]] = {
        "/review": {"json": {"action": "return", "comment": "check"}},
        "/placement": {"json": {"action": "authorize", "comment": "ok"}},
        "/resolve": {"json": {"value": 1}},
    }
    cases = []
    for route in _api_routes():
        names = set(route.param_convertors)
        if not names & {"record_id", "sha256"}:
            continue
        path = route.path.replace("{record_id}", record_id).replace("{sha256}", sha)
        path = path.replace("{conflict_id}", CONFLICT_ID)
        for method in sorted(route.methods):
            extra = next((b for end, b in bodies.items() if route.path.endswith(end)), {})
            if method == "PUT":
                extra = {"content": b"not the file"}
            cases.append((method, path, extra))
    return cases


CONFLICT_ID = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("username", ["supervisor.pp", "inspector.pp1", "ccwc.pp"])
def test_every_route_answers_a_hidden_record_or_file_exactly_as_a_missing_one(
    demo_client: TestClient, username: str
) -> None:
    """Byte for byte: status, headers that could tell, and body, for the record, its history,
    review, placement, conflict resolution and its files, against a fresh id and hash."""
    hidden_id, hidden_sha = _hidden_inspection(demo_client)
    missing_id = str(uuid.uuid4())
    missing_sha = hashlib.sha256(os.urandom(16)).hexdigest()
    headers = auth_headers(demo_client, username)
    hidden_cases = _route_cases(hidden_id, hidden_sha)
    missing_cases = _route_cases(missing_id, missing_sha)
    assert len(hidden_cases) >= 8
    for (method, hidden_path, extra), (_, missing_path, _) in zip(
        hidden_cases, missing_cases, strict=True
    ):
        hidden = demo_client.request(method, hidden_path, headers=headers, **extra)
        missing = demo_client.request(method, missing_path, headers=headers, **extra)
        assert hidden.status_code == missing.status_code, (method, hidden_path, hidden.text)
        assert hidden.status_code in {403, 404, 422}, (method, hidden_path, hidden.text)
        assert hidden.content == missing.content.replace(
            missing_sha.encode(), hidden_sha.encode()
        ), (method, hidden_path)
        for header in ("upload-offset", "content-length", "etag", "location"):
            assert hidden.headers.get(header) == missing.headers.get(header), (header, method)


def test_an_edit_of_a_hidden_record_is_answered_as_one_of_a_missing_record(
    demo_client: TestClient,
) -> None:
    hidden_id, _ = _hidden_inspection(demo_client)
    headers = auth_headers(demo_client, "inspector.pp1")
    data = inspection_data(demo_institution("12"))
    missing_id = str(uuid.uuid4())
    results = push(
        demo_client,
        headers,
        change("institution_inspection", data, record_id=hidden_id, base_rev=1),
        change("institution_inspection", data, record_id=missing_id, base_rev=1),
    )
    hidden, missing = ({k: v for k, v in r.items() if k != "record_id"} for r in results)
    hidden.pop("change_id"), missing.pop("change_id")
    assert hidden == missing
    assert hidden["status"] == "rejected"
    assert [e["code"] for e in hidden["errors"]] == ["unknown_record"]
    # and the hidden record is as it was
    owner = auth_headers(demo_client, "inspector.sr")
    assert demo_client.get(f"/api/v1/records/{hidden_id}", headers=owner).json()["rev"] == 2
