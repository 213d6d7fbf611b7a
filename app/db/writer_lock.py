"""On SQLite, writers queue on an OS file lock instead of SQLite's busy handler.

SQLite lets one transaction write at a time; a second writer that finds the lock taken is
put to sleep by the busy handler in steps of up to 100 ms and retries, so with two server
workers most of the time goes to sleeping rather than writing. Here a transaction takes an
exclusive ``flock`` on ``<database>.writer-lock`` (and, inside one process, a thread lock)
right before its first write (``app.sync.sequence.next_seq``), and lets both go when it
commits or rolls back: the next writer in the process wakes the moment the lock is free, one
in another process within half a millisecond. It only orders
writers that SQLite would serialise anyway; correctness never depends on it (without it,
SQLite's own lock still decides). PostgreSQL needs none of this: its row lock on the sync
counter queues writers itself.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Session, SessionTransaction

from app.db.sqlite import sqlite_path

_KEY = "homeward_writer_lock"
WAIT_SECONDS = 30.0  # as SQLite's busy_timeout: past it, SQLite's own lock decides
POLL_SECONDS = 0.0005  # another process's turn is noticed within half a millisecond
_guard = threading.Lock()
_locks: dict[str, tuple[threading.Lock, int]] = {}


def _lock_for(path: str) -> tuple[threading.Lock, int]:
    with _guard:
        found = _locks.get(path)
        if found is None:
            fd = os.open(f"{path}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
            found = _locks[path] = (threading.Lock(), fd)
        return found


def hold_writer_lock(session: Session) -> None:
    """Take the writer lock for the rest of ``session``'s transaction (SQLite only)."""
    if _KEY in session.info:
        return
    bind = session.get_bind()
    url = bind.engine.url if isinstance(bind, Connection) else bind.url
    path = sqlite_path(url.render_as_string(hide_password=True))
    if path is None:
        return
    thread_lock, fd = _lock_for(path)
    if not thread_lock.acquire(timeout=WAIT_SECONDS):
        return  # something holds it far too long: let SQLite's own lock decide
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                thread_lock.release()
                return
            time.sleep(POLL_SECONDS)
    session.info[_KEY] = (thread_lock, fd)


def holds_writer_lock(session: Session) -> bool:
    """Whether ``session``'s transaction holds the writer lock (let go when it ends)."""
    return _KEY in session.info


@event.listens_for(Session, "after_transaction_end")
def _release(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint or subtransaction ended, not the whole
        return
    held: Any = session.info.pop(_KEY, None)
    if held is not None:
        thread_lock, fd = held
        fcntl.flock(fd, fcntl.LOCK_UN)
        thread_lock.release()
