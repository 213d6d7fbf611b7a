"""Each (user, device)'s last push and last pull (``device_syncs``), so the users' and
devices' pages read one row per device instead of every change (docs/admin.md).

A push notes itself inside its own transaction (one upsert). A pull is a read: it reads its
device's row by primary key and writes only when the last pull noted is more than a minute
old (``PULL_EVERY``), so a device paging through a pull, or pulling every few seconds, costs
one indexed read most of the time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ClauseElement, Table, bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.db.prepared import Prepared, dialect_insert
from app.db.session import committed
from app.db.writer_lock import hold_writer_lock
from app.models import DeviceSync

log = logging.getLogger(__name__)
PULL_EVERY = timedelta(minutes=1)
NO_DEVICE = ""  # a push with no device id (an OpenRosa submission)


def _upsert(column: str) -> Prepared:
    """Note ``:at`` in ``column`` of the device's row (made if missing), unless the one
    stored is at least as recent as ``:older_than``."""

    def build(dialect: str) -> ClauseElement:
        stmt = dialect_insert(dialect, cast(Table, DeviceSync.__table__)).values(
            {
                "username": bindparam("username"),
                "device_id": bindparam("device_id"),
                column: bindparam("at"),
            }
        )
        stored = getattr(DeviceSync, column)
        return stmt.on_conflict_do_update(
            index_elements=["username", "device_id"],
            set_={column: getattr(stmt.excluded, column)},
            where=stored.is_(None) | (stored < bindparam("older_than")),
        )

    return Prepared(build)


_NOTE_PUSH = _upsert("last_push_at")
_NOTE_PULL = _upsert("last_pull_at")
_LAST_PULL = Prepared(
    select(DeviceSync.last_pull_at).where(
        DeviceSync.username == bindparam("username"), DeviceSync.device_id == bindparam("device_id")
    )
)


def note_push(session: Session, *, username: str, device_id: str | None, at: datetime) -> None:
    """In the push's transaction: this device pushed at ``at``."""
    device = device_id or NO_DEVICE
    _NOTE_PUSH.run(session, username=username, device_id=device, at=at, older_than=at)


def note_pull(session: Session, *, username: str, device_id: str | None, at: datetime) -> None:
    """This device pulled at ``at``: written (and committed) only if its last pull noted is
    more than a minute old; otherwise one read by primary key, and nothing written."""
    device = device_id or NO_DEVICE
    stored = _LAST_PULL.scalar(session, username=username, device_id=device)
    if stored is not None and at - stored < PULL_EVERY:
        return
    session.rollback()  # end the pull's read snapshot before writing (SQLite WAL)
    try:
        with committed(session):
            hold_writer_lock(session)
            _NOTE_PULL.run(
                session, username=username, device_id=device, at=at, older_than=at - PULL_EVERY
            )
    except SQLAlchemyError:
        # bookkeeping: the pull itself succeeded; the next pull tries again
        log.warning("could not note a pull", exc_info=True)
