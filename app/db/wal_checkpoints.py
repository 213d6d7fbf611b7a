"""SQLite's write-ahead log copied back into the database file by a background thread.

By default the connection whose commit takes the WAL past 1,000 pages copies it back (a
checkpoint, with an fsync) before that commit returns: one push in a few pays for all the
others, and waits for the disk. Here request connections leave it to a thread that runs a
PASSIVE checkpoint every second (it never blocks a reader or a writer; SQLite releases the
GIL meanwhile, so it runs beside the requests). The connections' own autocheckpoint stays,
raised to ``app.db.sqlite.FALLBACK_PAGES``, as a safety net if the thread falls behind or is
not running (the CLI, tests without the app's lifespan).
"""

from __future__ import annotations

import logging
import sqlite3
import threading

INTERVAL_SECONDS = 1.0

log = logging.getLogger(__name__)


class Checkpointer:
    """A daemon thread checkpointing one SQLite file until ``stop``."""

    def __init__(self, path: str, interval: float = INTERVAL_SECONDS) -> None:
        self.path = path
        self.interval = interval
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self.checkpoints = 0

    def start(self) -> Checkpointer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.done.set()
        self.thread.join(timeout=10)

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        try:
            while not self.done.wait(self.interval):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error as exc:  # busy or locked: the next round tries again
                    log.warning("WAL checkpoint failed: %s", exc)
        finally:
            connection.close()
