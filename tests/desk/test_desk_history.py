"""The demo history (app.demo.history) on SQLite and PostgreSQL: work for the desk, written
through the push and the supervisors' services, added once."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db.session import session_scope
from app.demo.history import add_history
from app.models import AuditEntry, Conflict, Record, RecordRevision


def _snapshot() -> tuple[int, int, int]:
    with session_scope() as session:
        return (
            int(session.scalar(select(func.count()).select_from(Record)) or 0),
            int(session.scalar(select(func.count()).select_from(RecordRevision)) or 0),
            int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0),
        )


def test_the_demo_history_has_every_kind_of_work_and_is_added_once(demo_database: str) -> None:
    before = _snapshot()
    with session_scope() as session:
        report = add_history(session)
    assert not report.skipped
    after = _snapshot()
    assert 200 <= after[0] - before[0] <= 500  # a few hundred records
    with session_scope() as session:
        placements = set(
            session.scalars(
                select(Record.placement_state).where(Record.form_id == "placement_recommendation")
            )
        )
        states = set(
            session.scalars(
                select(Record.review_state).where(Record.form_id == "institution_inspection")
            )
        )
        institutions = session.scalar(
            select(func.count()).select_from(Record).where(Record.form_id == "institution")
        )
        inspected = session.scalar(
            select(func.count(func.distinct(Record.data["institution"].as_string()))).where(
                Record.form_id == "institution_inspection"
            )
        )
        abuse = session.scalar(
            select(func.count()).where(Record.form_id == "abuse_report", Record.queue_priority == 2)
        )
        incomplete = session.scalar(select(func.count()).where(Record.incomplete.is_(True)))
        open_conflicts = session.scalars(
            select(Conflict).where(Conflict.resolved_at.is_(None))
        ).all()
        # each conflict: the record's revisions came from two tablets
        devices = {
            c.record_id: set(
                session.scalars(
                    select(RecordRevision.device_id).where(
                        RecordRevision.record_id == c.record_id, RecordRevision.rev > 1
                    )
                )
            )
            | {c.device_id}
            for c in open_conflicts
        }
        steps = set(
            session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("placement.%")))
        )
    assert placements == {"recommended", "authorized", "certified", "declined"}
    assert {"received", "approved", "returned", "rejected"} <= states
    # most institutions inspected this year, and not all: some are overdue
    assert institutions is not None and inspected is not None
    assert 0.6 * institutions < inspected < institutions
    assert abuse == report.abuse_reports > 0
    assert incomplete == 0  # the signatures were stored as uploads
    assert len(open_conflicts) == report.conflicts >= 2
    assert all(len(d) == 2 for d in devices.values()), devices
    assert {"placement.authorize", "placement.certify", "placement.decline"} <= steps
    # a second run adds nothing
    with session_scope() as session:
        assert add_history(session).skipped
    assert _snapshot() == after
