"""Each role sees exactly its scope, from the outside, on every route that reads data."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.auth.scope import Scope
from app.db.session import session_scope
from app.demo.accounts import DEMO_ACCOUNTS
from app.models import Record
from tests.api.helpers import assert_error, auth_headers


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
