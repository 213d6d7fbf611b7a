"""Engines and sessions: one engine per database URL, the same code for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.jsonfast import dumps, loads
from app.settings import get_settings
from app.wal_checkpoints import FALLBACK_PAGES, sqlite_path


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_PAGES}")  # app.wal_checkpoints
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_serializer=dumps,
            json_deserializer=loads,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        json_serializer=dumps,
        json_deserializer=loads,
    )


_ENGINES: dict[str, Engine] = {}


def get_engine() -> Engine:
    url = get_settings().database_url
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = make_engine(url)
    return engine


def reset_engines() -> None:
    """Dispose every engine (tests and the CLI switch databases)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def committed(session: Session) -> Iterator[Session]:
    """Commit ``session`` when the block succeeds; roll it back before any error leaves it.

    A request that writes ends its transaction inside the call that began it, so the writer
    lock (``app.sync.writer_lock``) or PostgreSQL's row lock on the sync counter never waits
    for the request's teardown: a push runs on the event loop (``app.sync.routes``) and would
    otherwise wait for a teardown that needs that same loop to run."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error."""
    session = session_factory()()
    try:
        with committed(session):
            yield session
    finally:
        session.close()
