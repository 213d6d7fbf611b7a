"""A submission received: its files stored, its XML read, then the same decision as a push.

Nothing here decides anything a push would not: the submission becomes one push change
(``app.sync.push``, in a group commit: ``app.sync.group_commit``), so validation, rules,
scope, idempotency and audit are the sync's own. What this adds is the translation:
- ``record_id`` is the instanceID's UUID; ``change_id`` is derived from the instanceID
  (``uuid5``), so the same instance sent again is the same change: ``duplicate`` when its
  data is the same, ``change_id_reused`` (409) when it differs;
- an edit (``meta/deprecatedID``) is a change of the record the deprecated instance became,
  with ``base_rev`` the revision that instance made: a three-way merge, as for a push;
- each file part is stored by SHA-256 through the attachments service, and the photo or
  signature that names it carries its hash; an edit may leave out a file the instance it
  replaces had by the same name (ODK Web Forms sends only new or changed files): that one is
  carried over.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.attachments.service import StoredFile, record_file, record_upload
from app.attachments.storage import AttachmentStore
from app.auth.principal import Principal
from app.clock import now_utc
from app.db.bulk_insert import insert_rows
from app.db.prepared import insert_or_ignore
from app.db.session import committed
from app.forms.schema import MEDIA_TYPES
from app.forms.store import published_schema
from app.models import OpenRosaFile, OpenRosaInstance, Record, SyncChange
from app.openrosa.edits import carried_over
from app.openrosa.submission import (
    SubmissionInvalid,
    read_data,
    read_header,
    record_id_of,
)
from app.sync.group_commit import push_grouped
from app.sync.push import PushRequest
from app.sync.queries import revision_data

# change_id = uuid5(CHANGE_NAMESPACE, "uuid:<instance uuid>")
CHANGE_NAMESPACE = uuid.UUID("0f6c1c52-8a1e-4d55-9c1b-6a3f2e7d9b40")
DEFAULT_DEVICE = "openrosa"

# a rejected change's error code -> the HTTP status of the OpenRosa answer
_STATUS_OF_CODE = {
    "change_id_reused": 409,
    "record_id_taken": 409,
    "unknown_record": 404,
    "form_not_allowed": 403,
    "unknown_form_version": 404,
}


@dataclass(frozen=True)
class Part:
    """One file part of the multipart body: its file name and bytes."""

    filename: str
    content: bytes
    content_type: str

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def store_bytes(store: AttachmentStore, owner: str, parts: list[Part]) -> None:
    """Each part's bytes stored by SHA-256, fsynced (a file stored already is left as it is;
    two phones sending the same bytes at once both succeed). No database: the slow half of
    receiving files, run in a thread."""
    for part in parts:
        store.store_whole(part.sha256, part.content, owner=owner)


@dataclass
class Outcome:
    """The answer: an HTTP status and the sentence of the OpenRosaResponse."""

    status: int
    message: str
    result: dict[str, Any] | None = None
    details: list[str] = field(default_factory=list)


def change_id_for(instance_id: str) -> str:
    record_id = record_id_of(instance_id)
    assert record_id is not None
    return str(uuid.uuid5(CHANGE_NAMESPACE, f"uuid:{record_id}"))


async def receive_submission(
    session: Session,
    principal: Principal,
    *,
    xml: bytes,
    parts: list[Part],
    incomplete: bool,
    store: AttachmentStore,
) -> Outcome:
    try:
        header = read_header(xml)
    except SubmissionInvalid as exc:
        return Outcome(400, str(exc))
    schema = published_schema(session, header.form_id, header.version)
    session.rollback()
    if schema is None:
        return Outcome(
            404, f"No published form {header.form_id} version {header.version or '(none)'}."
        )
    if principal.role not in schema.roles:
        return Outcome(403, f"Your role ({principal.role}) may not fill {header.form_id}.")
    record_id = record_id_of(header.instance_id)
    assert record_id is not None
    files = {part.filename: part.sha256 for part in parts}
    if incomplete:
        await run_in_threadpool(store_bytes, store, principal.username, parts)
        _record_parts(session, principal, f"uuid:{record_id}", parts)
        return Outcome(
            201, f"Received {len(parts)} file(s) of submission uuid:{record_id}; send the rest."
        )
    earlier: dict[str, str] | None = None  # read only when a file named is not in this POST
    replaced: dict[str, str] | None = None  # for an edit: read only when not in earlier parts
    carried: dict[str, str] = {}  # files named and not sent, to keep under this instance

    def file_hash(name: str) -> str | None:
        nonlocal earlier, replaced
        if name in files:
            return files[name]
        if earlier is None:
            earlier = _earlier_files(session, f"uuid:{record_id}", principal.username)
        if name in earlier or header.deprecated_id is None:
            return earlier.get(name)
        # an edit sends only the files it adds or changes (ODK Web Forms): a file it names
        # and does not send is the one the instance it replaces had by that name
        if replaced is None:
            replaced = _replaced_files(session, principal, header.deprecated_id)
        found = replaced.get(name)
        if found is not None:
            carried[name] = found
        return found

    try:
        data = read_data(header.root, schema.fields, file_hash)
    except SubmissionInvalid as exc:
        return Outcome(400, str(exc))
    submitted = data
    base_rev = None
    if header.deprecated_id is not None:
        edited = _instance_revision(session, header.deprecated_id)
        if edited is None:
            session.rollback()
            return Outcome(
                404, f"The submission it edits ({header.deprecated_id}) is not on this server."
            )
        record_id, base_rev = edited
        data = _over_revision(session, principal, header.deprecated_id, edited, data)
    session.rollback()
    # the bytes, fsynced, in a thread (the worker serves other phones while the disk syncs),
    # once the XML has been read: a submission refused before it leaves no file behind
    await run_in_threadpool(store_bytes, store, principal.username, parts)
    change = {
        "change_id": change_id_for(header.instance_id),
        "record_id": record_id,
        "form_id": header.form_id,
        "form_version": header.version,
        "base_rev": base_rev,
        "data": data,
        "attachments": sorted(set(_hashes(schema.fields, data))),
    }
    # decided and committed with the submissions that arrive meanwhile (group commit)
    [result] = await push_grouped(
        PushRequest(
            principal,
            device_id=principal.device_id or DEFAULT_DEVICE,
            raw_changes=[change],
            also_write=_remembering(
                header.instance_id, record_id, submitted, files={**files, **carried}, by=principal
            ),
            before_write=_recording(principal, parts),
        )
    )
    return outcome_of(result)


def _recording(principal: Principal, parts: list[Part]) -> Callable[[Session, int], None]:
    """Record this POST's files (stored already, ``store_bytes``) in the push's own
    transaction, under its ``seq``, before it checks the files its change names."""

    def record(session: Session, seq: int) -> None:
        now = now_utc()
        for part in parts:
            stored = StoredFile(part.sha256, len(part.content), part.content_type)
            record_file(session, principal, stored, seq=seq, now=now)

    return record


def _instance_key(instance_id: str) -> str:
    return f"uuid:{record_id_of(instance_id)}"


def _over_revision(
    session: Session,
    principal: Principal,
    deprecated_id: str,
    edited: tuple[str, int],
    data: dict[str, Any],
) -> dict[str, Any]:
    """The edit's data over the revision its instance made (app.openrosa.edits), for a
    record in the caller's scope; else as it is (the push then refuses it)."""
    before = session.get(OpenRosaInstance, _instance_key(deprecated_id))
    in_scope = session.scalar(
        select(Record.record_id).where(
            Record.record_id == edited[0], principal.scope.filter(Record)
        )
    )
    if before is None or in_scope is None:
        return data
    base = revision_data(session, [edited]).get(edited)
    if not isinstance(base, dict):
        return data
    return carried_over(data, before.data, base)


def _remembering(
    instance_id: str,
    record_id: str,
    data: dict[str, Any],
    *,
    files: dict[str, str],
    by: Principal,
) -> Callable[[Session, list[dict[str, Any]]], None]:
    """Keep the instance as its client holds it, for a later edit of it, and its ``files``
    by the names its XML gives them (an edit may name them without sending them again): in
    the push's own transaction, once (the same instance again is a ``duplicate``, not stored
    again)."""

    def remember(session: Session, results: list[dict[str, Any]]) -> None:
        [result] = results
        if result["status"] in {"applied", "merged", "conflict"}:
            key = _instance_key(instance_id)
            row = {"instance_id": key, "record_id": record_id, "rev": result["rev"], "data": data}
            insert_rows(session, _instances, [{**row, "created": now_utc()}])
            _add_files(session, key, files, by.username)

    return remember


_instances = cast(Table, OpenRosaInstance.__table__)
_named_files = cast(Table, OpenRosaFile.__table__)
_NAME_FILE = insert_or_ignore(
    _named_files, ("instance_id", "filename", "sha256", "username", "created")
)


def _add_files(session: Session, instance: str, files: dict[str, str], username: str) -> None:
    """The rows ``openrosa_files`` does not have yet (a split upload's earlier parts may
    have named some already)."""
    now = now_utc()
    _NAME_FILE.run_many(
        session,
        (
            {
                "instance_id": instance,
                "filename": name,
                "sha256": sha256,
                "username": username,
                "created": now,
            }
            for name, sha256 in files.items()
        ),
    )


def outcome_of(result: dict[str, Any]) -> Outcome:
    status = result["status"]
    rev = result.get("rev")
    if status == "duplicate":
        message = f"Already received: record {result['record_id']}, revision {rev}."
        return Outcome(202, message, result)
    if status in {"applied", "merged"}:
        return Outcome(201, f"Received: record {result['record_id']}, revision {rev}.", result)
    if status == "conflict":
        clashes = [c["path"] for c in result.get("conflicts") or []]
        return Outcome(
            201,
            f"Received: record {result['record_id']}, revision {rev}. These fields were changed "
            f"on the server too and kept the server's value for a supervisor to resolve: "
            f"{', '.join(clashes)}.",
            result,
        )
    errors = result.get("errors") or []
    codes = [e.get("code") for e in errors]
    http = next((_STATUS_OF_CODE[c] for c in codes if c in _STATUS_OF_CODE), 422)
    details = [
        f"{e['path']}: {e['message']}" if e.get("path") else str(e.get("message")) for e in errors
    ]
    return Outcome(http, "Refused: " + " ".join(details), result, details)


def _hashes(fields: list[Any], data: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for f in fields:
        value = data.get(f.name)
        if value is None:
            continue
        if f.type in MEDIA_TYPES and isinstance(value, str):
            found.append(value)
        elif f.type == "group" and isinstance(value, dict):
            found += _hashes(f.fields or [], value)
        elif f.type == "repeat" and isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    found += _hashes(f.fields or [], row)
    return found


def _record_parts(session: Session, principal: Principal, instance: str, parts: list[Part]) -> None:
    """Record each file of a part of a split upload (its bytes stored, ``store_bytes``), and
    keep them under their names for the instance's last part. Commits."""
    now = now_utc()
    names: dict[str, str] = {}
    for part in parts:
        record_upload(
            session,
            principal,
            sha256=part.sha256,
            size=len(part.content),
            content_type=part.content_type,
            now=now,
        )
        names[part.filename] = part.sha256
    if names:
        with committed(session):
            _add_files(session, instance, names, principal.username)


def _earlier_files(session: Session, instance: str, username: str) -> dict[str, str]:
    """The files the earlier parts of a split upload of ``instance`` by this user sent."""
    rows = session.execute(
        select(OpenRosaFile.filename, OpenRosaFile.sha256).where(
            OpenRosaFile.instance_id == instance, OpenRosaFile.username == username
        )
    ).all()
    return {row.filename: row.sha256 for row in rows}


def _replaced_files(session: Session, principal: Principal, deprecated_id: str) -> dict[str, str]:
    """The files of the instance an edit replaces, by file name, when the record it made is
    in the caller's scope (else none: the push then refuses the edit as it refuses any)."""
    edited = _instance_revision(session, deprecated_id)
    if edited is None:
        return {}
    in_scope = session.scalar(
        select(Record.record_id).where(
            Record.record_id == edited[0], principal.scope.filter(Record)
        )
    )
    if in_scope is None:
        return {}
    rows = session.execute(
        select(OpenRosaFile.filename, OpenRosaFile.sha256).where(
            OpenRosaFile.instance_id == _instance_key(deprecated_id)
        )
    ).all()
    return {row.filename: row.sha256 for row in rows}


def _instance_revision(session: Session, instance_id: str) -> tuple[str, int] | None:
    """The record and revision an earlier submission made (None: none stored)."""
    row = session.get(SyncChange, change_id_for(instance_id))
    if row is None:
        return None
    rev = row.result.get("rev")
    return (row.record_id, int(rev)) if isinstance(rev, int) else None
