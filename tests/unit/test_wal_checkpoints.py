"""The background WAL checkpointer: it copies committed pages back, and stops."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.db.sqlite import sqlite_path
from app.db.wal_checkpoints import Checkpointer


def test_sqlite_path_of_urls() -> None:
    assert sqlite_path("sqlite:////tmp/x/homeward.db") == "/tmp/x/homeward.db"
    assert sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("postgresql+psycopg://u@h/db") is None


def test_the_checkpointer_empties_the_wal_while_a_writer_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # only the thread checkpoints
    writer.execute("CREATE TABLE t (x TEXT)")
    checkpointer = Checkpointer(str(path), interval=0.05).start()
    try:
        for _ in range(200):
            writer.execute("INSERT INTO t VALUES (?)", ("x" * 3000,))
        # two more passes: at least one of them starts after the last insert has committed
        wanted = checkpointer.checkpoints + 2
        deadline = 200
        while checkpointer.checkpoints < wanted and deadline:
            checkpointer.done.wait(0.05)
            deadline -= 1
    finally:
        checkpointer.stop()
    assert not checkpointer.thread.is_alive()
    assert checkpointer.checkpoints >= wanted
    # the rows reached the database file itself (without the thread it would hold only the
    # schema: the writer never checkpoints)
    assert path.stat().st_size > 200 * 3000
    writer.close()
