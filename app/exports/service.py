"""An export, from the API or the desk: check the form, audit the request, then stream.

The audit line (``export.csv`` / ``export.xlsx``, with the language and filters) is committed
before the first byte is sent. The rows are read afterwards, in keyset batches, through a
session of the stream's own (the request's session is gone by then), closed when the stream
ends or the client goes away.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from app.audit import record_audit
from app.auth.scope import Scope
from app.db.session import committed, session_factory
from app.desk.queries import QueueFilters
from app.errors import ApiError
from app.exports.cells import CellFormat, RecordRow
from app.exports.columns import merged_tables
from app.exports.csv_export import csv_rows, csv_zip
from app.exports.queries import form_schemas, record_batches
from app.exports.schemas import ExportQuery
from app.exports.xlsx_export import xlsx_stream

Kind = Literal["csv", "xlsx"]
CSV_TYPE = "text/csv; charset=utf-8"
ZIP_TYPE = "application/zip"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    filename: str
    media_type: str
    body: Iterator[bytes]


@dataclass(frozen=True)
class Who:
    username: str
    scope: Scope
    device_id: str | None


def start_export(
    session: Session,
    who: Who,
    *,
    form_id: str,
    kind: Kind,
    query: ExportQuery,
    base_url: str,
) -> Export:
    """Check that the form exists (else ``not_found``), audit, and return the stream."""
    schemas = form_schemas(session, form_id)
    if not schemas:
        raise ApiError("not_found", "No such form.")
    with committed(session):
        record_audit(
            session,
            action=f"export.{kind}",
            actor=who.username,
            device_id=who.device_id,
            target_type="form",
            target_id=form_id,
            details={"filters": query.described(), "scope": who.scope.code or "national"},
        )
    tables = merged_tables(schemas)
    fmt = CellFormat(lang=query.lang, attachment_url=f"{base_url.rstrip('/')}/api/v1/attachments/")
    filters = query.filters(form_id)
    if kind == "xlsx":
        body = xlsx_stream(_batches(who.scope, filters), tables, fmt)
        return Export(f"{form_id}.xlsx", XLSX_TYPE, body)
    if len(tables) == 1:
        return Export(
            f"{form_id}.csv", CSV_TYPE, csv_rows(_batches(who.scope, filters), tables[0], fmt)
        )
    return Export(
        f"{form_id}.zip", ZIP_TYPE, csv_zip(_batches(who.scope, filters), tables, fmt, form_id)
    )


def _batches(scope: Scope, filters: QueueFilters) -> Iterator[list[RecordRow]]:
    session = session_factory()()
    try:
        yield from record_batches(session, scope=scope, filters=filters)
    finally:
        session.rollback()
        session.close()


def disposition(filename: str) -> str:
    return f'attachment; filename="{filename}"'
