"""Fixtures: a fresh database per test on SQLite and on a real PostgreSQL, and an HTTP client.

Each test database is copied from a template migrated once per session (a file copy on
SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), so every test starts clean and fast.
Under ``CI=true`` a test that cannot get PostgreSQL fails instead of skipping.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from fastapi.testclient import TestClient

from app.db.engine import reset_engines
from app.settings import get_settings
from tests.postgres import PostgresServer, PostgresUnavailable, start_postgres

IN_CI = os.environ.get("CI", "").lower() == "true"
_counter = itertools.count()


def skip_or_fail(reason: str) -> NoReturn:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this may not skip)")
    pytest.skip(reason)


def use_database(url: str, data_dir: Path | None = None) -> None:
    """Point the app (settings, engines) at ``url``."""
    os.environ["HOMEWARD_DATABASE_URL"] = url
    if data_dir is not None:
        os.environ["HOMEWARD_DATA_DIR"] = str(data_dir)
    get_settings.cache_clear()
    reset_engines()


def migrate_and_seed(url: str, *, demo: bool) -> None:
    from app.db.migrate import migrate_and_publish_builtin_forms
    from app.db.session import session_scope

    use_database(url)
    migrate_and_publish_builtin_forms()
    if demo:
        from app.demo.accounts import ensure_demo_accounts
        from app.demo.load import load_demo

        with session_scope() as session:
            load_demo(session)
            ensure_demo_accounts(session)
    reset_engines()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true: {exc}")
        yield None
        return
    yield server
    server.stop()


def _pg_admin(server: PostgresServer, sql: str) -> None:
    url = server.url_for("postgres").replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def templates(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer | None
) -> dict[str, str]:
    """Migrated template databases: ``{backend}-{empty|demo}`` -> URL or file path."""
    root = tmp_path_factory.mktemp("templates")
    made: dict[str, str] = {}
    for kind in ("empty", "demo"):
        path = root / f"{kind}.db"
        migrate_and_seed(f"sqlite:///{path}", demo=kind == "demo")
        made[f"sqlite-{kind}"] = str(path)
        if postgres_server is not None:
            name = f"homeward_tpl_{kind}_{os.getpid()}"
            _pg_admin(postgres_server, f"DROP DATABASE IF EXISTS {name}")
            _pg_admin(postgres_server, f"CREATE DATABASE {name}")
            migrate_and_seed(postgres_server.url_for(name), demo=kind == "demo")
            made[f"postgresql-{kind}"] = name
    return made


def _fresh_database(
    backend: str,
    kind: str,
    templates: dict[str, str],
    postgres_server: PostgresServer | None,
    tmp_path: Path,
) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "homeward.db"
        shutil.copyfile(templates[f"sqlite-{kind}"], path)
        url = f"sqlite:///{path}"
        use_database(url, tmp_path / "files")
        yield url
        reset_engines()
        return
    if postgres_server is None:
        skip_or_fail("PostgreSQL is not available")
        return
    name = f"homeward_t{os.getpid()}_{next(_counter)}"
    _pg_admin(postgres_server, f"CREATE DATABASE {name} TEMPLATE {templates[f'postgresql-{kind}']}")
    url = postgres_server.url_for(name)
    use_database(url, tmp_path / "files")
    yield url
    reset_engines()
    _pg_admin(postgres_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def database(
    request: pytest.FixtureRequest,
    templates: dict[str, str],
    postgres_server: PostgresServer | None,
    tmp_path: Path,
) -> Iterator[str]:
    """A fresh, migrated, empty database (URL), once on each backend."""
    yield from _fresh_database(request.param, "empty", templates, postgres_server, tmp_path)


@pytest.fixture(params=BACKENDS)
def demo_database(
    request: pytest.FixtureRequest,
    templates: dict[str, str],
    postgres_server: PostgresServer | None,
    tmp_path: Path,
) -> Iterator[str]:
    """A fresh database with the demo data set and demo accounts, once on each backend."""
    yield from _fresh_database(request.param, "demo", templates, postgres_server, tmp_path)


@pytest.fixture
def client(database: str) -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def demo_client(demo_database: str) -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def postgres_demo_database(
    templates: dict[str, str],
    postgres_server: PostgresServer | None,
    tmp_path: Path,
) -> Iterator[str]:
    """A fresh PostgreSQL database with the demo data (for tests that only mean PostgreSQL)."""
    yield from _fresh_database("postgresql", "demo", templates, postgres_server, tmp_path)


@pytest.fixture
def sqlite_demo_database(
    templates: dict[str, str],
    postgres_server: PostgresServer | None,
    tmp_path: Path,
) -> Iterator[str]:
    """A fresh SQLite database with the demo data (for tests that need one backend only)."""
    yield from _fresh_database("sqlite", "demo", templates, postgres_server, tmp_path)
