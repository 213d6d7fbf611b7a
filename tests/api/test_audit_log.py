"""The audit log is written by every write path so far and cannot be altered."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app.db.session import session_scope
from app.models import AuditEntry
from tests.api.helpers import auth_headers, sign_in


def test_login_and_revocation_are_audited(demo_client: TestClient) -> None:
    sign_in(demo_client, "ccwc.pp", "wrong-password")
    headers = auth_headers(demo_client, "ccwc.pp", device_id="tab-1")
    demo_client.post("/api/v1/auth/revoke", headers=headers)
    with session_scope() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.device_id)
            .where(AuditEntry.actor == "ccwc.pp")
            .order_by(AuditEntry.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("login.failed", None),
        ("login.succeeded", "tab-1"),
        ("token.revoke", "tab-1"),
    ]


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log"]
)
def test_audit_log_refuses_update_and_delete(demo_client: TestClient, statement: str) -> None:
    sign_in(demo_client, "admin")
    with session_scope() as session:
        before = session.execute(select(AuditEntry.id, AuditEntry.actor)).all()
    assert before
    with pytest.raises(DatabaseError, match="append-only"), session_scope() as session:
        session.execute(text(statement))
    with session_scope() as session:  # every line still there, as it was
        assert session.execute(select(AuditEntry.id, AuditEntry.actor)).all() == before
