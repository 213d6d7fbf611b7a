"""What SQLite needs on every connection, and where its file is."""

from __future__ import annotations

from typing import Any

# The connections' own autocheckpoint: a safety net behind app.db.wal_checkpoints' thread.
FALLBACK_PAGES = 10_000  # 40 MB of WAL with 4 KB pages


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL, or None (another database, or an in-memory one)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    return path if path and path != ":memory:" else None


def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """On connect: WAL, foreign keys, a long busy timeout, the fallback autocheckpoint."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_PAGES}")
    cursor.close()
