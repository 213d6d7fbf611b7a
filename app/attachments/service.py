"""Attachments: receive an upload (whole or resumed), and find a file a caller may read.

An upload is one of three shapes (``plan_upload``):
- a plain ``PUT``: the whole file from byte 0 (an unfinished earlier attempt is started over);
- ``Upload-Offset: n`` (tus style, optionally ``Upload-Length: total``): bytes from ``n`` on;
- ``Content-Range: bytes n-m/total`` (``total`` may be ``*``): bytes ``n`` to ``m``.

Each uploader has their own partial file (``AttachmentStore``): a resume continues the
caller's own upload. A file already stored that the caller may not read is, to them, not there:
they upload its bytes like anyone else, and only bytes that hash to the name make them a holder
(``attachment_holders``) who may then read and name it; nothing in the answer tells them it
existed (issue #14, item 1).

A resume must start exactly where the server's partial file ends (else 409
``offset_mismatch`` with the right ``Upload-Offset``). The moment the bytes hash to the name,
the file moves into place and ``record_upload`` records it; a plain PUT, or a resume that
reaches its declared total, whose bytes hash to something else is 422 ``hash_mismatch`` and
its partial file is thrown away. Sizes are checked against the limit from the headers before
a byte is read (413 ``attachment_too_large``) and again while the body streams to disk.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.orm import Session, aliased
from starlette.requests import ClientDisconnect

from app.attachments.storage import AttachmentStore, UploadBusy
from app.audit import record_audit
from app.auth.principal import Principal
from app.clock import now_utc
from app.db.bulk_insert import insert_rows
from app.db.prepared import Prepared, insert_or_ignore
from app.db.session import committed
from app.errors import ApiError
from app.models import Attachment, AttachmentHolder, AuditEntry, Record, RecordAttachment
from app.models.sync import sha_key
from app.sync.sequence import next_seq
from app.web.limits import BodyLimit, BodyTooLarge

DEFAULT_MEDIA_TYPE = "application/octet-stream"
TUS_MEDIA_TYPE = "application/offset+octet-stream"
_MEDIA_TYPE = re.compile(
    r'^[\w.+-]+/[\w.+-]+(\s*;\s*[\w.+-]+=("[^"\x00-\x1f]*"|[\w.+-]+))*$', re.ASCII
)
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


@dataclass(frozen=True)
class UploadPlan:
    offset: int  # where this request's bytes go in the file
    length: int | None  # how many bytes this request carries, when declared
    total: int | None  # the whole file's size, when declared
    resume: bool  # False: a plain PUT, the whole file from byte 0


@dataclass(frozen=True)
class UploadOutcome:
    status: int  # 201 this request completed the file, 200 it was already stored, 204 partial
    sha256: str
    offset: int  # bytes the server holds (the size, once complete)
    content_type: str | None = None


def _number(name: str, value: str) -> int:
    if not value.strip().isdigit():
        raise ApiError("bad_request", f"{name} must be a non-negative whole number.")
    return int(value.strip())


def plan_upload(
    *,
    content_length: str | None,
    upload_offset: str | None,
    upload_length: str | None,
    content_range: str | None,
) -> UploadPlan:
    """What an upload's headers declare; 400 ``bad_request`` when they are malformed or
    contradict each other."""
    length = None if content_length is None else _number("Content-Length", content_length)
    total = None if upload_length is None else _number("Upload-Length", upload_length)
    offset = None if upload_offset is None else _number("Upload-Offset", upload_offset)
    if content_range is not None:
        match = _CONTENT_RANGE.match(content_range.strip())
        if match is None:
            raise ApiError(
                "bad_request", "Content-Range must read 'bytes first-last/total' (total may be *)."
            )
        first, last = int(match[1]), int(match[2])
        range_total = None if match[3] == "*" else int(match[3])
        if last < first or (range_total is not None and last >= range_total):
            raise ApiError("bad_request", "Content-Range is not a valid byte range.")
        if offset is not None and offset != first:
            raise ApiError("bad_request", "Upload-Offset and Content-Range disagree.")
        if length is not None and length != last - first + 1:
            raise ApiError("bad_request", "Content-Length and Content-Range disagree.")
        if total is not None and range_total is not None and total != range_total:
            raise ApiError("bad_request", "Upload-Length and Content-Range disagree.")
        return UploadPlan(
            offset=first,
            length=last - first + 1,
            total=range_total if range_total is not None else total,
            resume=True,
        )
    if offset is not None:
        return UploadPlan(offset=offset, length=length, total=total, resume=True)
    return UploadPlan(
        offset=0, length=length, total=total if total is not None else length, resume=False
    )


def check_declared_size(plan: UploadPlan, limit: int) -> None:
    """413 before reading when the headers already say the file passes the limit."""
    declared = max(
        plan.total or 0,
        plan.offset + (plan.length or 0),
    )
    if declared > limit:
        raise _too_large(limit)


TOO_LARGE = "An attachment may be at most {limit} bytes; this one is larger."


def attachment_limit(limit: int) -> BodyLimit:
    """The body limit of the attachment routes: a body over it is an attachment over it."""
    return BodyLimit(limit, "attachment_too_large", TOO_LARGE)


def _too_large(limit: int) -> ApiError:
    return ApiError("attachment_too_large", TOO_LARGE.format(limit=limit))


def media_type(header: str | None) -> str:
    """The Content-Type to store and serve back: the uploaded one when it is a well-formed media
    type, else ``application/octet-stream``."""
    value = (header or "").strip()
    if (
        not value
        or len(value) > 128
        or not _MEDIA_TYPE.match(value)
        or value.split(";")[0].strip().lower() == TUS_MEDIA_TYPE
    ):
        return DEFAULT_MEDIA_TYPE
    return value


class BodyStalled(Exception):
    """The request's body sent nothing for the idle limit (``idle_limited``)."""


async def idle_limited(body: AsyncIterator[bytes], seconds: float) -> AsyncIterator[bytes]:
    """``body``'s chunks, raising ``BodyStalled`` when the next one takes longer than
    ``seconds``: a link lost without a word leaves a connection that may never say more."""
    chunks = body.__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(chunks.__anext__(), timeout=seconds)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise BodyStalled from None
        yield chunk


async def receive_upload(
    session: Session,
    principal: Principal,
    *,
    sha256: str,
    plan: UploadPlan,
    content_type: str,
    body: AsyncIterator[bytes],
    store: AttachmentStore,
    limit: int,
) -> UploadOutcome:
    """Store what this request carries. Commits when the file completes."""
    check_declared_size(plan, limit)
    known = await run_in_threadpool(_readable_row, session, principal, sha256)
    if known is not None and store.stored_size(sha256) is not None:
        return UploadOutcome(200, sha256, *known)
    try:
        with store.exclusive(sha256, owner=principal.username):
            return await _receive_locked(
                session, principal, sha256=sha256, plan=plan, content_type=content_type,
                body=body, store=store, limit=limit,
            )  # fmt: skip
    except UploadBusy:
        raise ApiError(
            "conflict",
            "Another upload of this file is in progress; ask again (HEAD) in a moment.",
            headers={"Retry-After": "5"},
        ) from None


async def _receive_locked(
    session: Session,
    principal: Principal,
    *,
    sha256: str,
    plan: UploadPlan,
    content_type: str,
    body: AsyncIterator[bytes],
    store: AttachmentStore,
    limit: int,
) -> UploadOutcome:
    owner = principal.username
    held = store.partial_size(sha256, owner=owner) or 0
    if plan.resume and plan.offset != held:
        raise ApiError(
            "offset_mismatch",
            f"The server holds {held} bytes of this file: send the rest from byte {held}.",
            headers={"Upload-Offset": str(held)},
        )
    partial = await run_in_threadpool(
        store.open_partial, sha256, owner=owner, restart=not plan.resume
    )
    received = 0
    interrupted = too_large = too_long = False
    try:
        async for chunk in body:
            if partial.size + len(chunk) > limit:
                too_large = True
                break
            if plan.length is not None and received + len(chunk) > plan.length:
                too_long = True
                break
            await run_in_threadpool(partial.write, chunk)
            received += len(chunk)
    except (ClientDisconnect, BodyStalled):
        interrupted = True  # keep what arrived: the client resumes from HEAD's Upload-Offset
    except BodyTooLarge:
        await run_in_threadpool(partial.close)
        store.discard(sha256, owner=owner)
        raise
    finally:
        await run_in_threadpool(partial.close)
    if too_large:
        store.discard(sha256, owner=owner)
        await run_in_threadpool(_audit_refusal, session, principal, sha256, "attachment_too_large")
        raise _too_large(limit)
    if partial.hexdigest() == sha256:
        await run_in_threadpool(store.finalize, sha256, owner=owner)
        created = await run_in_threadpool(
            record_upload, session, principal, sha256=sha256, size=partial.size,
            content_type=content_type, now=now_utc(),
        )  # fmt: skip
        return UploadOutcome(201 if created else 200, sha256, partial.size, content_type)
    if too_long:
        raise ApiError(
            "bad_request",
            f"The body is longer than its Content-Range; the server holds {partial.size} bytes.",
            headers={"Upload-Offset": str(partial.size)},
        )
    finished = not plan.resume or (plan.total is not None and partial.size >= plan.total)
    if finished and not interrupted:
        store.discard(sha256, owner=owner)
        await run_in_threadpool(_audit_refusal, session, principal, sha256, "hash_mismatch")
        raise ApiError(
            "hash_mismatch",
            f"These {partial.size} bytes do not hash to {sha256}: nothing was stored.",
        )
    return UploadOutcome(204, sha256, partial.size)


def _readable_row(
    session: Session, principal: Principal, sha256: str
) -> tuple[int, str | None] | None:
    """Size and content type of a recorded file the caller may read already."""
    row = readable_attachment(session, principal, sha256=sha256)
    session.rollback()  # end the read snapshot: a completion takes the write lock afresh
    return None if row is None else (row.size, row.content_type)


def _audit_refusal(session: Session, principal: Principal, sha256: str, code: str) -> None:
    """An audit line for a refused upload, in its own transaction (the request fails)."""
    session.rollback()
    with committed(session):
        record_audit(
            session,
            action="attachment.refused",
            actor=principal.username,
            device_id=principal.device_id,
            target_type="attachment",
            target_id=sha256,
            details={"reason": code},
        )


@dataclass(frozen=True)
class StoredFile:
    """A file whose bytes are stored (``AttachmentStore.finalize``), to record."""

    sha256: str
    size: int
    content_type: str


def record_upload(
    session: Session,
    principal: Principal,
    *,
    sha256: str,
    size: int,
    content_type: str,
    now: datetime,
) -> bool:
    """``record_file`` in a transaction of its own, with its own ``seq``. Commits.

    ``next_seq`` comes first: it serialises this with pushes (which read which attachments
    exist under the same lock), so a record pushed concurrently is never left incomplete.
    """
    session.rollback()
    with committed(session):
        seq = next_seq(session)
        return record_file(
            session, principal, StoredFile(sha256, size, content_type), seq=seq, now=now
        )


_holders = cast(Table, AttachmentHolder.__table__)
_files = cast(Table, Attachment.__table__)
_links = cast(Table, RecordAttachment.__table__)
_NEW_HOLDER = insert_or_ignore(_holders, ("sha256", "username", "created_at"))
_NEW_FILE = insert_or_ignore(
    _files, ("sha256", "size", "content_type", "uploaded_by", "created_at")
)
_MARK_PRESENT = Prepared(
    update(_links)
    .where(
        _links.c.sha_key == bindparam("key"),
        _links.c.sha256 == bindparam("sha256"),
        _links.c.present.is_(False),
    )
    .values(present=True)
)


def record_file(
    session: Session, principal: Principal, file: StoredFile, *, seq: int, now: datetime
) -> bool:
    """Record a file now stored and the caller as one who holds it, in the caller's
    transaction (which has taken ``seq``): its row (once), the holder, an audit line,
    ``present`` on every link to it, and every record that thereby has all its attachments
    is complete again, with ``seq`` so that devices pull it. True when the caller is a new
    holder. Statements compiled once (``app.db.prepared``): an OpenRosa submission records
    its photo with each."""
    sha256 = file.sha256
    created = (
        _NEW_HOLDER.run(session, sha256=sha256, username=principal.username, created_at=now) == 1
    )
    _NEW_FILE.run(
        session,
        sha256=sha256,
        size=file.size,
        content_type=file.content_type,
        uploaded_by=principal.username,
        created_at=now,
    )
    # no record was waiting for it: none can be complete because of it
    waiting = _MARK_PRESENT.run(session, key=sha_key(sha256), sha256=sha256)
    completed = _records_now_complete(session, sha256) if waiting else []
    if completed:
        session.execute(
            update(Record)
            .where(Record.record_id.in_(completed))
            .values(incomplete=False, seq=seq, updated_at=now),
            execution_options={"synchronize_session": False},
        )
    details = {"size": file.size, "content_type": file.content_type}
    insert_rows(
        session,
        cast(Table, AuditEntry.__table__),
        [
            {
                "at": now,
                "actor": principal.username,
                "device_id": principal.device_id,
                "action": "attachment.upload",
                "target_type": "attachment",
                "target_id": sha256,
                "details": {**details, "records_completed": completed},
            }
        ],
    )
    return created


def _records_now_complete(session: Session, sha256: str) -> list[str]:
    """Incomplete records that name this file and no longer miss any attachment."""
    link = aliased(RecordAttachment)
    missing = aliased(RecordAttachment)
    rows: Sequence[str] = session.scalars(
        select(Record.record_id)
        .join(link, link.record_id == Record.record_id)
        .where(
            link.sha_key == sha_key(sha256),
            link.sha256 == sha256,
            Record.incomplete.is_(True),
            ~select(missing.record_id)
            .where(missing.record_id == Record.record_id, missing.present.is_(False))
            .exists(),
        )
        .order_by(Record.record_id)
    ).all()
    return list(rows)


def readable_attachment(
    session: Session, principal: Principal, *, sha256: str
) -> Attachment | None:
    """The file's row when the caller holds it (uploaded its bytes) or may see a record that
    names it with the file present (named by someone who could read it)."""
    named_in_scope = (
        select(RecordAttachment.record_id)
        .join(Record, Record.record_id == RecordAttachment.record_id)
        .where(
            RecordAttachment.sha_key == sha_key(sha256),
            RecordAttachment.sha256 == sha256,
            RecordAttachment.present.is_(True),
            principal.scope.filter(Record),
        )
        .exists()
    )
    held = (
        select(AttachmentHolder.sha256)
        .where(AttachmentHolder.sha256 == sha256, AttachmentHolder.username == principal.username)
        .exists()
    )
    return session.scalar(
        select(Attachment).where(Attachment.sha256 == sha256, or_(held, named_in_scope))
    )


def find_readable(
    session: Session, principal: Principal, store: AttachmentStore, *, sha256: str
) -> tuple[Attachment, Path]:
    """The row and the file, or 404 (``Upload-Offset`` when the caller's own upload of it is
    unfinished). A file the caller may not read answers exactly like one that is not there."""
    row = readable_attachment(session, principal, sha256=sha256)
    if row is not None and store.stored_size(sha256) is not None:
        return row, store.final_path(sha256)
    held = store.partial_size(sha256, owner=principal.username)
    raise ApiError(
        "not_found",
        "No such attachment.",
        headers=None if held is None else {"Upload-Offset": str(held)},
    )
