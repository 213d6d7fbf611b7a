"""The audit log as CSV, streamed newest first (UTF-8 with a BOM), in keyset batches.

Reading it is itself audited (``audit.export``, with the filters), committed before the first
byte; paging through the JSON list is not (it would fill the log with its own reading).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy.orm import Session

from app.audit import record_audit
from app.audit_log.queries import AuditFilters, audit_batches
from app.audit_log.schemas import AuditQuery
from app.db.json_codec import dumps
from app.db.session import committed, session_factory
from app.exports.csv_export import BOM, csv_cell

HEADER = ["id", "at", "actor", "device_id", "action", "target_type", "target_id", "details"]
FILENAME = "audit-log.csv"


def start_audit_csv(
    session: Session, *, actor: str, device_id: str | None, query: AuditQuery
) -> Iterator[bytes]:
    with committed(session):
        record_audit(
            session,
            action="audit.export",
            actor=actor,
            device_id=device_id,
            details={"filters": query.described()},
        )
    return audit_csv(query.filters())


def audit_csv(filters: AuditFilters) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(HEADER)
    yield buffer.getvalue().encode()
    session = session_factory()()
    try:
        for batch in audit_batches(session, filters=filters):
            buffer.seek(0)
            buffer.truncate()
            for e in batch:
                writer.writerow(
                    [
                        e.id,
                        e.at.isoformat().replace("+00:00", "Z"),
                        csv_cell(e.actor),
                        csv_cell(e.device_id),
                        e.action,
                        csv_cell(e.target_type),
                        csv_cell(e.target_id),
                        csv_cell(dumps(e.details or {})),
                    ]
                )
            yield buffer.getvalue().encode()
    finally:
        session.rollback()
        session.close()
