"""Review, placement and conflict resolution: each a state change on a record in scope.

Every step bumps the record's sync sequence, so devices see it on their next pull, and
writes an audit line. The caller commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import record_audit
from app.auth.principal import Principal
from app.auth.roles import may
from app.db.session import committed
from app.errors import ApiError
from app.models import Conflict, PlacementStep, Record, RecordRevision
from app.sync.revisions import data_of
from app.sync.sequence import next_seq

REVIEW_STATES = {"approve": "approved", "return": "returned", "reject": "rejected"}

# A recommendation changed after DoSVY authorized it (or MoSVY certified it) goes back to
# ``recommended``: what was approved is no longer what the record says (app.sync.push writes
# this ``reopen`` step; issue #14, item 7).
REOPENED_STATES = frozenset({"authorized", "certified"})
REOPEN_COMMENT = (
    "The recommendation was changed after it was {state} (revision {approved}); "
    "revision {rev} must be authorized again."
)

# action -> {state it starts from: (state it leads to, the verb it needs)}: CCWC recommends,
# DoSVY authorises, MoSVY certifies; each may decline at their own step (DOMAIN.md). Who holds
# each verb is app.auth.roles.PERMISSIONS.
PLACEMENT_STEPS: dict[str, dict[str, tuple[str, str]]] = {
    "authorize": {"recommended": ("authorized", "placement.authorize")},
    "certify": {"authorized": ("certified", "placement.certify")},
    "decline": {
        "recommended": ("declined", "placement.decline_recommended"),
        "authorized": ("declined", "placement.decline_authorized"),
    },
}


def locked_record(
    session: Session, principal: Principal, record_id: str, *, attempt: str
) -> tuple[Record, int]:
    """Take the sequence first (it serialises writers), then read the record in scope. A
    record that is missing or out of scope is 404 alike; the attempt is audited."""
    seq = next_seq(session)
    record = session.scalar(
        select(Record).where(Record.record_id == record_id, principal.scope.filter(Record))
    )
    if record is None:
        session.rollback()
        with committed(session):
            record_audit(
                session,
                action=f"{attempt}.refused",
                actor=principal.username,
                device_id=principal.device_id,
                target_type="record",
                target_id=record_id,
                details={"reason": "not_found"},
            )
        raise ApiError("not_found", "No such record.")
    return record, seq


def mark_changed(
    session: Session,
    principal: Principal,
    record: Record,
    *,
    seq: int,
    now: datetime,
    action: str,
    details: dict[str, Any],
) -> None:
    """Stamp the record for the next pull and write the audit line of the step."""
    record.seq, record.updated_at = seq, now
    record_audit(
        session,
        action=action,
        actor=principal.username,
        device_id=principal.device_id,
        target_type="record",
        target_id=record.record_id,
        details=details,
    )


def review_record(
    session: Session,
    principal: Principal,
    *,
    record_id: str,
    action: str,
    comment: str | None,
    now: datetime,
) -> Record:
    record, seq = locked_record(session, principal, record_id, attempt=f"review.{action}")
    if record.review_state != "received":
        raise ApiError(
            "invalid_transition",
            f"Only a received record can be reviewed; this one is {record.review_state}.",
        )
    if action in {"return", "reject"} and not (comment and comment.strip()):
        raise ApiError(
            "validation_error",
            "Say why: a comment is required to return or reject.",
            details=[{"path": "comment", "code": "required", "message": "A comment is required."}],
        )
    record.review_state = REVIEW_STATES[action]
    record.review_comment = comment
    mark_changed(
        session,
        principal,
        record,
        seq=seq,
        now=now,
        action=f"review.{action}",
        details={"rev": record.rev, "comment": comment},
    )
    return record


def step_placement(
    session: Session,
    principal: Principal,
    *,
    record_id: str,
    action: str,
    comment: str | None,
    now: datetime,
) -> Record:
    record, seq = locked_record(session, principal, record_id, attempt=f"placement.{action}")
    state = record.placement_state
    if record.form_id != "placement_recommendation" or state is None:
        raise ApiError("invalid_transition", "This record is not a placement recommendation.")
    step = PLACEMENT_STEPS[action].get(state)
    if step is None:
        raise ApiError("invalid_transition", f"A placement that is {state} cannot be {action}d.")
    target, verb = step
    if not may(principal.role, verb):
        raise ApiError(
            "forbidden",
            f"Your role ({principal.role}) may not {action} a placement that is {state}.",
        )
    session.add(
        PlacementStep(
            record_id=record_id,
            action=action,
            from_state=state,
            to_state=target,
            actor=principal.username,
            role=principal.role,
            comment=comment,
            at=now,
            rev=record.rev,
        )
    )
    record.placement_state = target
    mark_changed(
        session,
        principal,
        record,
        seq=seq,
        now=now,
        action=f"placement.{action}",
        details={"from": state, "to": target, "comment": comment},
    )
    return record


def placement_history(session: Session, record_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(PlacementStep).where(PlacementStep.record_id == record_id).order_by(PlacementStep.id)
    ).all()
    return [
        {
            "action": r.action,
            "from": r.from_state,
            "to": r.to_state,
            "by": r.actor,
            "role": r.role,
            "comment": r.comment,
            "at": r.at.isoformat(),
            "rev": r.rev,
        }
        for r in rows
    ]


def revision_history(session: Session, record_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(RecordRevision)
        .where(RecordRevision.record_id == record_id)
        .order_by(RecordRevision.rev)
    ).all()
    current = (  # read only when a revision left its data to the record's row
        session.scalar(select(Record.data).where(Record.record_id == record_id))
        if any(r.data is None for r in rows)
        else None
    )
    return [
        {
            "rev": r.rev,
            "form_version": r.form_version,
            "status": r.status,
            "data": data_of(r.data, current),
            "change_id": r.change_id,
            "by": r.actor,
            "device_id": r.device_id,
            "captured_at": r.captured_at,
            "received_at": r.received_at.isoformat(),
        }
        for r in rows
    ]


def open_conflict(session: Session, record_id: str, conflict_id: str) -> Conflict:
    conflict = session.get(Conflict, conflict_id)
    if conflict is None or conflict.record_id != record_id:
        raise ApiError("not_found", "No such conflict on this record.")
    if conflict.resolved_at is not None:
        raise ApiError("invalid_transition", "This conflict is already resolved.")
    return conflict
