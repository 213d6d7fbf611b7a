"""A real PostgreSQL server for the tests: the one HOMEWARD_TEST_DATABASE_URL names, or a
throwaway cluster started with initdb/pg_ctl (as the postgres user when we are root)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


@dataclass
class PostgresServer:
    """Where to reach the server: ``url_for(dbname)`` gives a SQLAlchemy URL."""

    base_url: str  # postgresql+psycopg://user@host:port
    data_dir: Path | None = None
    pg_ctl: str | None = None

    def url_for(self, dbname: str) -> str:
        return f"{self.base_url}/{dbname}"

    @contextmanager
    def empty_database(self, name: str) -> Iterator[str]:
        """A new database with nothing in it (dropped afterwards): its SQLAlchemy URL."""
        import psycopg

        admin = self.url_for("postgres").replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")  # type: ignore[arg-type]
            conn.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
        try:
            yield self.url_for(name)
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]

    def stop(self) -> None:
        if self.data_dir is not None and self.pg_ctl is not None:
            _run_as_postgres([self.pg_ctl, "-D", str(self.data_dir), "-m", "immediate", "stop"])
            shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as_postgres(args: list[str]) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120)


def _binaries() -> tuple[str, str]:
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        initdb, pg_ctl = f"{bindir}/initdb", f"{bindir}/pg_ctl"
        if os.path.exists(initdb) and os.path.exists(pg_ctl):
            return initdb, pg_ctl
    initdb_path, pg_ctl_path = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb_path and pg_ctl_path:
        return initdb_path, pg_ctl_path
    raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")


def start_postgres() -> PostgresServer:
    external = os.environ.get("HOMEWARD_TEST_DATABASE_URL")
    if external:
        return PostgresServer(base_url=external.rsplit("/", 1)[0])
    initdb, pg_ctl = _binaries()
    root = Path(tempfile.mkdtemp(prefix="homeward-pg-"))
    data_dir, socket_dir = root / "data", root / "sock"
    socket_dir.mkdir()
    user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(socket_dir, "postgres")
    port = _free_port()
    try:
        _run_as_postgres(
            [initdb, "-D", str(data_dir), "-A", "trust", "-E", "UTF8", "--no-sync", "-U", user]
        )
        _run_as_postgres(
            [
                pg_ctl,
                "-D",
                str(data_dir),
                "-w",
                "-l",
                str(root / "log"),
                "-o",
                f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200",
                "start",
            ]
        )
    except (subprocess.CalledProcessError, FileNotFoundError, KeyError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise PostgresUnavailable(f"could not start a throwaway PostgreSQL: {detail}") from exc
    return PostgresServer(
        base_url=f"postgresql+psycopg://{user}@127.0.0.1:{port}", data_dir=data_dir, pg_ctl=pg_ctl
    )
