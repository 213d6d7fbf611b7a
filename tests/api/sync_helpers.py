"""Builders for sync tests: realistic changes against the demo data."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db.session import session_scope
from app.models import Record
from tests.unit.test_domain_forms import institution_inspection, placement_recommendation

__all__ = ["change", "demo_institution", "inspection_data", "placement_data", "push"]


def demo_institution(province: str) -> str:
    with session_scope() as session:
        record_id = session.scalar(
            select(Record.record_id)
            .where(Record.form_id == "institution", Record.province == province)
            .order_by(Record.record_id)
            .limit(1)
        )
    assert record_id is not None
    return record_id


def inspection_data(institution_id: str, **overrides: Any) -> dict[str, Any]:
    data = institution_inspection()
    data["institution"] = institution_id
    data.update(overrides)
    return data


def placement_data(commune: str = "120101", **overrides: Any) -> dict[str, Any]:
    data = placement_recommendation()
    data["commune"] = commune
    data["kinship_carer"]["kinship_carer_commune"] = commune
    data.update(overrides)
    return data


def change(
    form_id: str,
    data: dict[str, Any],
    *,
    record_id: str | None = None,
    base_rev: int | None = None,
    change_id: str | None = None,
    version: str = "2026.1",
) -> dict[str, Any]:
    return {
        "change_id": change_id or str(uuid.uuid4()),
        "record_id": record_id or str(uuid.uuid4()),
        "form_id": form_id,
        "form_version": version,
        "base_rev": base_rev,
        "data": data,
        "attachments": [],
        "captured_at": "2026-11-20T08:15:00+07:00",
    }


def push(
    client: TestClient,
    headers: dict[str, str],
    *changes: dict[str, Any],
    device_id: str = "tab-017",
) -> list[dict[str, Any]]:
    response = client.post(
        "/api/v1/sync/push",
        json={"device_id": device_id, "changes": list(changes)},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "server_time" in body
    results: list[dict[str, Any]] = body["results"]
    assert len(results) == len(changes)
    return results
