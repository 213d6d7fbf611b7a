"""Files uploaded and never named by any record are collected after a delay.

Any field role may upload files of up to ``HOMEWARD_MAX_ATTACHMENT_BYTES``; one that no record
names would stay forever. ``collect_unnamed`` removes a stored file (its row, its holders, its
bytes) uploaded more than ``HOMEWARD_UNNAMED_UPLOAD_DAYS`` days ago that no record names, now or
in any earlier revision, and partial uploads untouched for as long. The delay is long on
purpose: a tablet may upload a photo and push the record that names it days later, after a week
without signal. The server runs it in the background (``Collector``, every few hours); a file
collected and then named anyway is simply missing: the record stays incomplete and the tablet,
which keeps a record's files until the server has them, uploads it again.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import String, cast, delete, select
from sqlalchemy.orm import Session

from app.attachments.storage import AttachmentStore
from app.audit import record_audit
from app.clock import now_utc
from app.db.session import committed, session_scope
from app.models import Attachment, AttachmentHolder, RecordAttachment, RecordRevision
from app.models.sync import sha_key
from app.sync.sequence import next_seq

log = logging.getLogger(__name__)
BATCH = 500


def collect_unnamed(
    session: Session, store: AttachmentStore, *, older_than: timedelta, now: datetime
) -> list[str]:
    """Remove what no record names and that is older than ``older_than``: the hashes removed."""
    cutoff = now - older_than
    with committed(session):
        next_seq(session)  # serialised with pushes: a file a push names now is kept
        old = session.scalars(
            select(Attachment.sha256)
            .where(Attachment.created_at < cutoff)
            .order_by(Attachment.created_at)
            .limit(BATCH)
        ).all()
        unnamed = [sha for sha in old if not _named(session, sha)]
        if unnamed:
            session.execute(delete(AttachmentHolder).where(AttachmentHolder.sha256.in_(unnamed)))
            session.execute(delete(Attachment).where(Attachment.sha256.in_(unnamed)))
            record_audit(
                session,
                action="attachment.collected",
                actor=None,
                target_type="attachment",
                details={"files": unnamed, "older_than_days": older_than.days},
            )
    for sha in unnamed:
        store.final_path(sha).unlink(missing_ok=True)
    _collect_partials(store.root / "partial", cutoff.timestamp())
    return unnamed


def _named(session: Session, sha256: str) -> bool:
    """Whether any record names the file: in its current revision (a link), or in an earlier
    one (the revision's data; rare, so read as text only for these few files)."""
    linked = session.scalar(
        select(RecordAttachment.record_id)
        .where(RecordAttachment.sha_key == sha_key(sha256), RecordAttachment.sha256 == sha256)
        .limit(1)
    )
    if linked is not None:
        return True
    in_history = session.scalar(
        select(RecordRevision.id)
        .where(
            RecordRevision.data.is_not(None),
            cast(RecordRevision.data, String).contains(sha256),
        )
        .limit(1)
    )
    return in_history is not None


def _collect_partials(root: Path, cutoff: float) -> None:
    """Unfinished uploads nobody resumed for as long (their lock files with them)."""
    if not root.is_dir():
        return
    for owner in root.iterdir():
        if not owner.is_dir():
            continue
        for path in owner.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
            except FileNotFoundError:
                continue


class Collector:
    """A daemon thread running ``collect_unnamed`` every ``interval`` seconds until ``stop``."""

    def __init__(self, store: AttachmentStore, days: int, interval: float = 6 * 3600) -> None:
        self.store, self.days, self.interval = store, days, interval
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="collect-uploads", daemon=True)

    def start(self) -> Collector:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.done.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        # a first pass soon after start, staggered so that several workers rarely collide
        delay: float = 60 + (os.getpid() % 60)
        while not self.done.wait(delay):
            started = time.monotonic()
            try:
                with session_scope() as session:
                    collect_unnamed(
                        session, self.store, older_than=timedelta(days=self.days), now=now_utc()
                    )
            except Exception:  # noqa: BLE001 - a failed pass is retried at the next interval
                log.exception("collecting unnamed uploads failed")
            delay = max(60.0, self.interval - (time.monotonic() - started))
