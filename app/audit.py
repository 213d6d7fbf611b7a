"""Append a line to the audit log. Every write path calls this inside its own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.models import AuditEntry


def record_audit(
    session: Session,
    *,
    action: str,
    actor: str | None,
    device_id: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            action=action,
            actor=actor,
            device_id=device_id,
            target_type=target_type,
            target_id=target_id,
            details=details or {},
        )
    )
