"""Resolve an open conflict: the chosen value becomes a new revision of the record."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.scope import location_columns, record_location
from app.change_codes import detail
from app.clock import cambodia_today
from app.errors import ApiError
from app.forms.store import get_version, schema_of
from app.forms.validate import validate_submission
from app.models import RecordDeparture, RecordRevision
from app.records import workflow
from app.records.priority import queue_priority
from app.sync.lookup import scoped_lookup
from app.sync.merge import PathError, row_keys_for, with_value
from app.sync.revisions import keep_replaced_data


def resolve_conflict(
    session: Session,
    principal: Principal,
    *,
    record_id: str,
    conflict_id: str,
    value: Any,
    now: datetime,
) -> None:
    record, seq = workflow.locked_record(session, principal, record_id, attempt="conflict.resolve")
    conflict = workflow.open_conflict(session, record_id, conflict_id)
    form = get_version(session, record.form_id, record.form_version)
    if form is None:
        raise ApiError("conflict", "The record's form version is no longer available.")
    schema = schema_of(form)
    try:
        data = with_value(record.data, conflict.path, value, row_keys=row_keys_for(schema.fields))
    except PathError as exc:
        raise ApiError("conflict", "The conflict's field no longer exists in the record.") from exc
    # the same checks as a push: references only in the caller's scope, the rules, and a
    # location the caller may place the record in
    lookup = scoped_lookup(session, principal.scope, {})
    result = validate_submission(
        schema, data, today=cambodia_today(now), now=now, lookup_record=lookup
    )
    errors = [issue.as_detail() for issue in result.errors]
    if result.location is not None and not principal.scope.covers(result.location):
        errors.append(detail("out_of_scope", schema.location_field or ""))
    if errors:
        raise ApiError(
            "validation_error", "The chosen value does not fit the form.", details=errors
        )
    keep_replaced_data(session, [(record_id, record.rev, record.data)])
    rev = record.rev + 1
    session.add(
        RecordRevision(
            record_id=record_id,
            rev=rev,
            form_version=record.form_version,
            data=result.data,
            status="resolved",
            change_id=str(uuid.uuid4()),
            actor=principal.username,
            device_id=principal.device_id,
            received_at=now,
        )
    )
    record.data, record.rev = result.data, rev
    record.flags = [issue.as_detail() for issue in result.flags]
    record.queue_priority = queue_priority(record.form_id, record.flags)
    moved_from = record_location(record)
    if result.location is not None and result.location != moved_from:
        # else it stays where it is (an empty location field: its creator's scope)
        session.add(
            RecordDeparture(record_id=record_id, seq=seq, **location_columns(moved_from), at=now)
        )
        for column, code in location_columns(result.location).items():
            setattr(record, column, code)
    conflict.resolved_at, conflict.resolved_by, conflict.resolved_rev = now, principal.username, rev
    workflow.mark_changed(
        session,
        principal,
        record,
        seq=seq,
        now=now,
        action="conflict.resolve",
        details={"conflict_id": conflict_id, "path": conflict.path, "rev": rev},
    )
