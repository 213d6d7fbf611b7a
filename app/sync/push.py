"""Push: turn a batch of changes into results, storing each accepted change exactly once.

The steps, in order:
1. parse each change on its own (a malformed one is ``rejected``, the others go on);
2. validate each change's own data against the form version it names, outside any lock
   (CPU work; references are looked up in the caller's scope);
3. take the sync sequence (``next_seq``: from here on, writers are serialised), read the
   current records, the earlier results of these change_ids and the base revisions;
4. decide every change with ``app.sync.decide.decide`` (pure), one after the other so that two
   changes to one record in one batch build on each other; data that a merge produced is
   validated again;
5. write every accepted change in bulk (record, revision, change result, conflicts,
   attachment links, audit line) and commit once.

Each change is all-or-nothing: a rejected change writes nothing; the accepted ones commit
together. A unique constraint on ``sync_changes.change_id`` and on ``(record_id, rev)`` backs
up the decision: if a concurrent retry of the same changes wins the race, the batch is
rolled back and decided again, and its changes come back ``duplicate``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Table, bindparam, delete, null, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.admin.device_syncs import note_push
from app.auth.principal import Principal
from app.auth.scope import location_columns, record_location
from app.change_codes import detail
from app.clock import cambodia_today, now_utc
from app.db.bulk_insert import insert_rows
from app.forms.retirement import retired_form_ids
from app.forms.schema import FormSchema
from app.forms.store import published_schema
from app.forms.validate import ValidationResult, validate_submission
from app.models import (
    AuditEntry,
    Conflict,
    PlacementStep,
    Record,
    RecordAttachment,
    RecordDeparture,
    RecordRevision,
    SyncChange,
)
from app.models.sync import sha_key
from app.records.priority import queue_priority
from app.records.workflow import REOPEN_COMMENT, REOPENED_STATES
from app.sync import queries
from app.sync.decide import ChangeIn, CurrentRecord, Decision, EarlierResult, change_digest, decide
from app.sync.lookup import Found, scoped_lookup
from app.sync.merge import row_keys_for
from app.sync.results import (
    ChangeResult,
    accepted,
    duplicate,
    rejected,
    rejected_for,
)
from app.sync.revisions import keep_replaced_data
from app.sync.row_keys import with_row_keys
from app.sync.schemas import ChangeModel
from app.sync.sequence import next_seq

MAX_ATTEMPTS = 3


@dataclass
class _Prepared:
    """A change that parsed, with its form and the validation of its own data."""

    index: int
    change: ChangeIn
    digest: str
    schema: FormSchema
    row_keys: dict[str, str]
    validation: ValidationResult
    batch_refs: frozenset[str]  # records of this push its references resolved to


@dataclass
class _Writes:
    new_records: dict[str, dict[str, Any]] = field(default_factory=dict)  # by record_id
    updated_records: dict[str, dict[str, Any]] = field(default_factory=dict)
    revisions: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    links: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # the last, by record
    placement_steps: list[dict[str, Any]] = field(default_factory=list)
    departures: list[dict[str, Any]] = field(default_factory=list)  # records that moved
    audit: list[dict[str, Any]] = field(default_factory=list)


class _Forms:
    """Form versions used by one push, each read once, with what push needs of each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[tuple[str, str], FormSchema | None] = {}
        self.row_keys: dict[tuple[str, str], dict[str, str]] = {}
        self.references: dict[tuple[str, str], list[str]] = {}

    def get(self, form_id: str, version: str) -> FormSchema | None:
        key = (form_id, version)
        if key not in self.cache:
            schema = published_schema(self.session, form_id, version)
            self.cache[key] = schema
            if schema is not None:
                self.row_keys[key], self.references[key] = _derived(schema)
        return self.cache[key]


# by id(schema): the schema itself (so that a reused id is never mistaken for it), its row
# keys and its top-level reference fields; published schemas are cached for the process
_DERIVED: dict[int, tuple[FormSchema, dict[str, str], list[str]]] = {}


def _derived(schema: FormSchema) -> tuple[dict[str, str], list[str]]:
    found = _DERIVED.get(id(schema))
    if found is None or found[0] is not schema:
        references = [f.name for f in schema.fields if f.type == "reference"]
        found = _DERIVED[id(schema)] = (schema, row_keys_for(schema.fields), references)
    return found[1], found[2]


def _referenced_ids(forms: _Forms, parsed: list[tuple[int, ChangeModel]]) -> list[str]:
    """The values of top-level reference fields (institution, child …): read in one query."""
    ids = []
    for _, model in parsed:
        if forms.get(model.form_id, model.form_version) is None:
            continue
        for name in forms.references[(model.form_id, model.form_version)]:
            value = model.data.get(name)
            if isinstance(value, str) and len(value) == 36:
                ids.append(value)
    return ids


def _prepare(
    session: Session,
    principal: Principal,
    raw_changes: list[Any],
    now: datetime,
    results: list[ChangeResult | None],
) -> list[_Prepared]:
    forms = _Forms(session)
    parsed: list[tuple[int, ChangeModel]] = []
    for index, raw in enumerate(raw_changes):
        try:
            parsed.append((index, ChangeModel.model_validate(raw)))
        except ValidationError as exc:
            given = raw if isinstance(raw, dict) else {}
            results[index] = rejected(
                str(given.get("change_id")) if given.get("change_id") else None,
                str(given.get("record_id")) if given.get("record_id") else None,
                [
                    detail(
                        "invalid_change",
                        ".".join(str(p) for p in err["loc"]),
                        detail=str(err["msg"]),
                    )
                    for err in exc.errors()
                ],
            )
    batch: dict[str, Found] = {}
    today = cambodia_today(now)
    hits: set[str] = set()
    lookup = scoped_lookup(
        session, principal.scope, batch, prefetch=_referenced_ids(forms, parsed), hits=hits
    )
    prepared = []
    for index, model in parsed:
        change = ChangeIn(
            change_id=str(model.change_id),
            record_id=str(model.record_id),
            form_id=model.form_id,
            form_version=model.form_version,
            base_rev=model.base_rev,
            data=model.data,
            attachments=tuple(model.attachments),
            captured_at=model.captured_at.isoformat() if model.captured_at else None,
        )
        schema = forms.get(model.form_id, model.form_version)
        if schema is None:
            results[index] = rejected_for(
                change.change_id,
                change.record_id,
                "unknown_form_version",
                form_id=model.form_id,
                version=model.form_version,
            )
            continue
        if principal.role not in schema.roles:
            results[index] = rejected_for(
                change.change_id,
                change.record_id,
                "form_not_allowed",
                role=principal.role,
                form_id=model.form_id,
            )
            continue
        data = with_row_keys(schema.fields, model.data, change.change_id)
        hits.clear()
        validation = validate_submission(schema, data, today=today, now=now, lookup_record=lookup)
        row_keys = forms.row_keys[(model.form_id, model.form_version)]
        prepared.append(
            _Prepared(
                index, change, change_digest(change), schema, row_keys, validation, frozenset(hits)
            )
        )
        if validation.ok:
            batch[change.record_id] = {
                "form_id": change.form_id,
                "data": validation.data,
                "location": validation.location or principal.scope.code,
            }
    return prepared


def _validate_again(
    session: Session,
    principal: Principal,
    item: _Prepared,
    data: dict[str, Any],
    now: datetime,
    accepted: dict[str, Found],
) -> ValidationResult:
    """Validation of data other than the change's own (a merge), or against only the changes
    of this push that were accepted (``accepted``)."""
    lookup = scoped_lookup(session, principal.scope, accepted)
    return validate_submission(
        item.schema, data, today=cambodia_today(now), now=now, lookup_record=lookup
    )


def _scope_errors(
    principal: Principal, validation: ValidationResult, schema: FormSchema
) -> list[dict[str, Any]]:
    """A location the record names must be in the caller's scope; a record that names none
    (no location field, or an empty one) belongs to its creator's scope (docs/forms.md)."""
    location = validation.location
    if location is None or principal.scope.covers(location):
        return []
    return [detail("out_of_scope", schema.location_field or "")]


AlsoWrite = Callable[[Session, list[dict[str, Any]]], None]
BeforeWrite = Callable[[Session, int], None]


@dataclass(frozen=True)
class PushRequest:
    """One caller's push: whose, from which device, its changes and the caller's own rows
    (see ``push_changes``)."""

    principal: Principal
    device_id: str
    raw_changes: list[Any]
    also_write: AlsoWrite | None = None
    before_write: BeforeWrite | None = None


def push_changes(
    session: Session,
    principal: Principal,
    *,
    device_id: str,
    raw_changes: list[Any],
    also_write: AlsoWrite | None = None,
    before_write: BeforeWrite | None = None,
) -> list[dict[str, Any]]:
    """Results, one per change, in order. Commits; on any error, rolls back before raising
    (see ``app.db.committed``: no lock outlives this call). ``also_write(session, results)``
    adds rows of the caller's to the push's own transaction, just before it commits (an
    IntegrityError there retries the whole push, as a concurrent push's would);
    ``before_write(session, seq)`` writes rows of the caller's right after the push takes its
    sequence number, before it reads what it decides on (an OpenRosa submission records the
    files it carries there, so that its change finds them); it does not run when every change
    was refused before that (unparsable, invalid)."""
    request = PushRequest(principal, device_id, raw_changes, also_write, before_write)
    return _with_retries(session, [request])[0]


def push_group(
    session: Session, requests: list[PushRequest]
) -> list[list[dict[str, Any]] | Exception]:
    """Several callers' pushes decided one after the other in one transaction, committed
    once (group commit: ``app.sync.group_commit``): each request's results, as
    ``push_changes`` would give them had the requests come one after the other in this
    order, or the exception its push raised. A later request sees what the earlier ones
    wrote (a second submission of the same instance is a ``duplicate`` of the first). If the
    group's transaction fails, every request is pushed again on its own, so that one
    request's error is its own."""
    try:
        return list(_with_retries(session, requests))
    except Exception as exc:  # noqa: BLE001 - the caller's to raise, or each on its own below
        if len(requests) == 1:
            return [exc]
        session.rollback()
    outcomes: list[list[dict[str, Any]] | Exception] = []
    for request in requests:
        try:
            outcomes.append(_with_retries(session, [request])[0])
        except Exception as exc:  # noqa: BLE001 - the caller's to raise
            outcomes.append(exc)
    return outcomes


def _with_retries(session: Session, requests: list[PushRequest]) -> list[list[dict[str, Any]]]:
    """``_push_once``, again after an IntegrityError (a concurrent push of the same changes
    won the race: deciding again finds its results), at most ``MAX_ATTEMPTS`` times."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            return _push_once(session, requests)
        except IntegrityError:
            session.rollback()
            if attempt == MAX_ATTEMPTS - 1:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")


@dataclass
class _Staged:
    """A request after step 2: its results so far, and its changes to decide."""

    request: PushRequest
    results: list[ChangeResult | None]
    prepared: list[_Prepared]


def _push_once(session: Session, requests: list[PushRequest]) -> list[list[dict[str, Any]]]:
    now = now_utc()
    staged = []
    for request in requests:
        results: list[ChangeResult | None] = [None] * len(request.raw_changes)
        prepared = _prepare(session, request.principal, request.raw_changes, now, results)
        staged.append(_Staged(request, results, prepared))
    session.rollback()  # end the read snapshot before taking the write lock (SQLite WAL)
    seq = next_seq(session) if any(s.prepared for s in staged) else None
    answers = [
        _decide_and_write(session, s, seq, now) if s.prepared else _refused(session, s, now)
        for s in staged
    ]
    session.commit()
    return answers


def _refused(session: Session, staged: _Staged, now: datetime) -> list[dict[str, Any]]:
    """A request none of whose changes got as far as a decision: its audit lines."""
    request = staged.request
    insert_rows(
        session,
        cast(Table, AuditEntry.__table__),
        _rejections(staged.results, request.principal, request.device_id, now),
    )
    if request.raw_changes:
        note_push(session, username=request.principal.username, device_id=request.device_id, at=now)
    answers = [r.as_json() for r in staged.results if r is not None]
    if request.also_write is not None:
        request.also_write(session, answers)
    return answers


def _decide_and_write(
    session: Session, staged: _Staged, seq: int | None, now: datetime
) -> list[dict[str, Any]]:
    """Steps 3 to 5 for one request, in the write transaction (``seq`` taken)."""
    assert seq is not None
    request, results, prepared = staged.request, staged.results, staged.prepared
    principal, device_id = request.principal, request.device_id
    if request.before_write is not None:
        request.before_write(session, seq)
    earlier = queries.earlier_changes(session, (p.change.change_id for p in prepared))
    stored = queries.records_by_id(session, (p.change.record_id for p in prepared))
    bases = queries.revision_data(
        session,
        (
            (p.change.record_id, p.change.base_rev)
            for p in prepared
            if p.change.base_rev is not None
            and p.change.record_id in stored
            and stored[p.change.record_id].rev != p.change.base_rev
        ),
    )
    retired = retired_form_ids(session, (p.change.form_id for p in prepared))
    current: dict[str, CurrentRecord] = {
        rid: CurrentRecord(record_id=rid, form_id=row.form_id, rev=row.rev, data=row.data)
        for rid, row in stored.items()
    }
    # data by (record, rev) for revisions this batch may name as base: the stored current
    # ones, and every one the batch itself creates
    in_batch_data = {(rid, row.rev): row.data for rid, row in stored.items()}
    seen_ids: dict[str, dict[str, Any]] = {}
    accepted_batch: dict[str, Found] = {}  # records this push has accepted so far
    writes = _Writes()

    for item in prepared:
        change = item.change
        row = stored.get(change.record_id)
        if row is not None and not principal.scope.covers(record_location(row)):
            # out of scope answers exactly as absent: an edit of it is an unknown record; a
            # new record cannot take its id (docs/sync-protocol.md, "Scope")
            code = "unknown_record" if change.base_rev is not None else "record_id_taken"
            results[item.index] = rejected_for(change.change_id, change.record_id, code)
            continue
        if row is None and change.base_rev is None and change.form_id in retired:
            # a retired form takes no new record; edits of its existing records go on
            results[item.index] = rejected_for(
                change.change_id, change.record_id, "form_retired", form_id=change.form_id
            )
            continue
        earlier_result = _earlier(earlier.get(change.change_id), seen_ids.get(change.change_id))
        base_data = None
        if change.base_rev is not None:
            base_data = in_batch_data.get(
                (change.record_id, change.base_rev), bases.get((change.record_id, change.base_rev))
            )
        # merge what would be stored: the change's data normalised by validation (empty text
        # removed, calculations recomputed), as the stored base and current data are
        incoming = item.validation.data if item.validation.ok else change.data
        decision = decide(
            change,
            current.get(change.record_id),
            base_data,
            earlier_result,
            row_keys=item.row_keys,
            copy_applied=False,  # an applied change stores its validated data, not this
            normalised=incoming,
        )
        if decision.status == "duplicate":
            results[item.index] = duplicate(decision.previous or {})
            continue
        if decision.status == "rejected":
            results[item.index] = rejected(change.change_id, change.record_id, decision.errors)
            continue
        validation = item.validation
        if (decision.status != "applied" and decision.data != incoming) or not (
            item.batch_refs <= accepted_batch.keys()  # it named a change that was rejected
        ):
            validation = _validate_again(
                session, principal, item, decision.data or {}, now, accepted_batch
            )
        errors = [issue.as_detail() for issue in validation.errors]
        errors += _scope_errors(principal, validation, item.schema)
        if errors:
            results[item.index] = rejected(change.change_id, change.record_id, errors)
            continue
        result = _accept(
            item, decision, validation, row, current, principal, device_id, seq, now, writes
        )
        results[item.index] = result
        seen_ids[change.change_id] = {"digest": item.digest, "result": result.as_json()}
        accepted_batch[change.record_id] = {
            "form_id": change.form_id,
            "data": validation.data,
            "location": validation.location or principal.scope.code,
        }
        assert decision.rev is not None
        in_batch_data[(change.record_id, decision.rev)] = validation.data

    writes.audit += _rejections(results, principal, device_id, now)
    _write(session, principal, writes, stored)
    note_push(session, username=principal.username, device_id=device_id, at=now)
    answers = [(r if r is not None else rejected(None, None, [])).as_json() for r in results]
    if request.also_write is not None:
        request.also_write(session, answers)
    return answers


def _rejections(
    results: list[ChangeResult | None], principal: Principal, device_id: str, now: datetime
) -> list[dict[str, Any]]:
    """An audit line for every rejected change: what was refused, and why (by code)."""
    return [
        {
            "at": now,
            "actor": principal.username,
            "device_id": device_id,
            "action": "sync.rejected",
            "target_type": "record",
            "target_id": r.record_id,
            "details": {
                "change_id": r.change_id,
                "errors": [{"path": e.get("path"), "code": e.get("code")} for e in r.errors],
            },
        }
        for r in results
        if r is not None and r.status == "rejected"
    ]


def _earlier(
    stored: queries.EarlierChange | None, in_batch: dict[str, Any] | None
) -> EarlierResult | None:
    if stored is not None:
        return EarlierResult(digest=stored.digest, result=stored.result)
    if in_batch is not None:
        return EarlierResult(digest=in_batch["digest"], result=in_batch["result"])
    return None


def _accept(
    item: _Prepared,
    decision: Decision,
    validation: ValidationResult,
    row: queries.StoredRecord | None,
    current: dict[str, CurrentRecord],
    principal: Principal,
    device_id: str,
    seq: int,
    now: datetime,
    writes: _Writes,
) -> ChangeResult:
    change = item.change
    assert decision.rev is not None
    data = validation.data
    rev = decision.rev
    conflict_ids = [str(uuid.uuid4()) for _ in decision.clashes]
    result = accepted(change, decision, conflict_ids)
    for conflict_id, clash in zip(conflict_ids, decision.clashes, strict=True):
        writes.conflicts.append(
            {
                "id": conflict_id,
                "record_id": change.record_id,
                "rev": rev,
                "path": clash.path,
                "server_value": clash.server_value,
                "client_value": clash.client_value,
                "change_id": change.change_id,
                "actor": principal.username,
                "device_id": device_id,
                "created_at": now,
            }
        )
    writes.changes.append(
        {
            "change_id": change.change_id,
            "record_id": change.record_id,
            "digest": item.digest,
            "result": result.as_json(),
            "actor": principal.username,
            "device_id": device_id,
            "received_at": now,
        }
    )
    if not decision.new_revision:
        return result  # a merge that changed nothing: only the change's result is kept
    flags = [issue.as_detail() for issue in validation.flags]
    attachments = sorted(set(validation.attachments) | set(change.attachments))
    values = {
        "form_version": change.form_version,
        "rev": rev,
        "data": data,
        "seq": seq,
        "updated_at": now,
        "review_state": "received",
        "review_comment": None,
        "flags": flags,
        "queue_priority": queue_priority(change.form_id, flags),
        "incomplete": bool(attachments),  # settled in _write
    }
    pending_new = writes.new_records.get(change.record_id)
    pending_update = writes.updated_records.get(change.record_id)
    # where the record was before this change, if it was stored or written earlier in the push
    before = pending_update or pending_new or row
    was = None if before is None else record_location(_Location.of(before))
    # a record whose location field is empty stays where its creator's scope put it
    values.update(location_columns(validation.location or was or principal.scope.code))
    if row is not None and was is not None and record_location(_Location.of(values)) != was:
        writes.departures.append(
            {"record_id": change.record_id, "seq": seq, **location_columns(was), "at": now}
        )
    if row is None and pending_new is None:
        placement = "recommended" if change.form_id == "placement_recommendation" else None
        writes.new_records[change.record_id] = {
            "record_id": change.record_id,
            "form_id": change.form_id,
            "created_by": principal.username,
            "created_at": now,
            "placement_state": placement,
            **values,
        }
    elif pending_new is not None:
        pending_new.update(values)
    else:
        assert row is not None
        state = (pending_update or {}).get("placement_state", row.placement_state)
        if state in REOPENED_STATES and data != current[change.record_id].data:
            step = _reopen_step(row, state, principal, rev, now)
            writes.placement_steps.append(step)
            writes.audit.append(
                {
                    "at": now,
                    "actor": principal.username,
                    "device_id": device_id,
                    "action": "placement.reopen",
                    "target_type": "record",
                    "target_id": change.record_id,
                    "details": {"from": state, "to": "recommended", "comment": step["comment"]},
                }
            )
            state = "recommended"
        writes.updated_records[change.record_id] = {
            "b_record_id": change.record_id,
            **values,
            "placement_state": state,
        }
    writes.revisions.append(
        {
            "record_id": change.record_id,
            "rev": rev,
            "form_version": change.form_version,
            "data": data,
            "status": decision.status,
            "change_id": change.change_id,
            "actor": principal.username,
            "device_id": device_id,
            "captured_at": change.captured_at,
            "received_at": now,
        }
    )
    writes.links[change.record_id] = [
        {"record_id": change.record_id, "sha256": sha, "sha_key": sha_key(sha)}
        for sha in attachments
    ]
    writes.audit.append(
        {
            "at": now,
            "actor": principal.username,
            "device_id": device_id,
            "action": f"sync.{decision.status}",
            "target_type": "record",
            "target_id": change.record_id,
            "details": {
                "change_id": change.change_id,
                "rev": rev,
                "form": f"{change.form_id}@{change.form_version}",
                "conflicts": len(conflict_ids),
            },
        }
    )
    current[change.record_id] = CurrentRecord(
        record_id=change.record_id, form_id=change.form_id, rev=rev, data=data
    )
    return result


@dataclass(frozen=True)
class _Location:
    province: str | None
    district: str | None
    commune: str | None

    @classmethod
    def of(cls, row: Any) -> _Location:
        """Of a Record, or of the values about to be written for one."""
        if isinstance(row, dict):
            return cls(row.get("province"), row.get("district"), row.get("commune"))
        return cls(row.province, row.district, row.commune)


def _reopen_step(
    row: queries.StoredRecord, state: str, principal: Principal, rev: int, now: datetime
) -> dict[str, Any]:
    """The step that sends a changed authorized or certified recommendation back."""
    approved = row.rev  # the revision the last step saw is at most the stored one
    return {
        "record_id": row.record_id,
        "action": "reopen",
        "from_state": state,
        "to_state": "recommended",
        "actor": principal.username,
        "role": principal.role,
        "comment": REOPEN_COMMENT.format(state=state, approved=approved, rev=rev),
        "at": now,
        "rev": rev,
    }


def _write(
    session: Session,
    principal: Principal,
    writes: _Writes,
    stored: dict[str, queries.StoredRecord],
) -> None:
    records = cast(Table, Record.__table__)
    # each record's data is written once: its last revision here leaves it to the record's
    # row, and the revision it replaces gets the data being replaced (app.sync.revisions)
    last: dict[str, dict[str, Any]] = {}
    for revision in writes.revisions:
        last[revision["record_id"]] = revision
    for revision in last.values():
        revision["data"] = null()
    keep_replaced_data(
        session,
        (
            (rid, stored[rid].rev, stored[rid].data)
            for rid in writes.updated_records
            if rid in stored
        ),
    )
    links = [link for record_links in writes.links.values() for link in record_links]
    if writes.links:
        present = queries.readable_attachments(
            session,
            username=principal.username,
            scope=principal.scope,
            hashes=(link["sha256"] for link in links),
        )
        missing_by_record: dict[str, bool] = {}
        for link in links:
            link["present"] = link["sha256"] in present
            missing_by_record[link["record_id"]] = (
                missing_by_record.get(link["record_id"], False) or not link["present"]
            )
        for values in writes.new_records.values():
            values["incomplete"] = missing_by_record.get(values["record_id"], False)
        for values in writes.updated_records.values():
            values["incomplete"] = missing_by_record.get(values["b_record_id"], False)
        _replace_links(session, set(writes.links), links, writes.updated_records)
    if writes.new_records:
        insert_rows(session, records, list(writes.new_records.values()))
    if writes.updated_records:
        rows = list(writes.updated_records.values())
        columns = [k for k in rows[0] if k != "b_record_id"]
        session.execute(
            update(records)
            .where(records.c.record_id == bindparam("b_record_id"))
            .values({c: bindparam(c) for c in columns}),
            rows,
        )
    for model, rows_ in (
        (RecordRevision, writes.revisions),
        (SyncChange, writes.changes),
        (Conflict, writes.conflicts),
        (PlacementStep, writes.placement_steps),
        (RecordDeparture, writes.departures),
        (AuditEntry, writes.audit),
    ):
        insert_rows(session, cast(Table, model.__table__), rows_)


def _replace_links(
    session: Session, written: set[str], links: list[dict[str, Any]], existing: Iterable[str]
) -> None:
    """The attachment links of the records ``written`` (those of each one's last revision);
    ``existing``: the records stored before this push (their old links go)."""
    table = cast(Table, RecordAttachment.__table__)
    stale = written.intersection(existing)
    if stale:
        session.execute(delete(table).where(table.c.record_id.in_(stale)))
    insert_rows(session, table, links)
