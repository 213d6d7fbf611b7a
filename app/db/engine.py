"""Engines: one per database URL, the same code for SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from app.db.json_codec import dumps, loads
from app.db.sqlite import set_pragmas, sqlite_path
from app.settings import get_settings


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
        event.listen(engine, "connect", set_pragmas)
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
