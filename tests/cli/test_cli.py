"""The homeward command line, run as a user would (a subprocess), on both databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from app.db.session import session_scope
from app.models import Record, User
from app.settings import DEV_SECRET
from tests.conftest import skip_or_fail
from tests.postgres import PostgresServer

REPO = Path(__file__).resolve().parents[2]


def homeward(
    database: str, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HOMEWARD_DATABASE_URL=database, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=stdin,
        text=True,
        capture_output=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


def test_migrate_twice_is_harmless_and_alembic_check_finds_no_drift(database: str) -> None:
    for _ in range(2):
        result = homeward(database, "migrate")
        assert result.returncode == 0, result.stderr
        assert "newest schema" in result.stdout
    env = dict(os.environ, HOMEWARD_DATABASE_URL=database)
    check = subprocess.run(
        [sys.executable, "-m", "alembic", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_create_user_reads_the_password_from_stdin(demo_database: str) -> None:
    result = homeward(
        demo_database,
        "create-user",
        "--username",
        "Field.One",
        "--role",
        "inspector",
        "--district",
        "1702",
        stdin="a-long-secret\n",
    )
    assert result.returncode == 0, result.stderr
    assert "a-long-secret" not in result.stdout + result.stderr
    with session_scope() as session:
        user = session.scalar(select(User).where(User.username == "field.one"))
        assert user is not None
        assert (user.role, user.province, user.district, user.commune) == (
            "inspector",
            "17",
            "1702",
            None,
        )
        assert user.password_hash.startswith("$argon2id$")


def test_create_user_refuses_bad_input_clearly(database: str) -> None:
    cases = [
        (["--role", "ccwc", "--province", "12"], "commune"),
        (["--role", "pilot"], "unknown role"),
        (["--role", "ccwc", "--commune", "12ab01"], "6 digits"),
        (["--role", "inspector", "--province", "17", "--district", "1201"], "not in province"),
    ]
    for args, message in cases:
        result = homeward(
            database, "create-user", "--username", "someone", *args, stdin="a-long-secret\n"
        )
        assert result.returncode != 0
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    short = homeward(
        database, "create-user", "--username", "someone", "--role", "admin", stdin="short\n"
    )
    assert short.returncode != 0 and "at least 8" in short.stderr
    twice = [
        homeward(
            database, "create-user", "--username", "dup", "--role", "admin", stdin="a-long-secret\n"
        )
        for _ in range(2)
    ]
    assert twice[0].returncode == 0 and twice[1].returncode != 0
    assert "already exists" in twice[1].stderr


def test_create_user_refuses_a_location_that_does_not_exist(demo_database: str) -> None:
    cases = [
        (["--role", "inspector", "--province", "99"], "unknown province 99"),
        (["--role", "inspector", "--district", "1799"], "unknown district 1799"),
        (["--role", "ccwc", "--commune", "120199"], "unknown commune 120199"),
        (["--role", "ccwc", "--commune", "990101"], "unknown province 99"),
    ]
    for args, message in cases:
        result = homeward(
            demo_database, "create-user", "--username", "someone", *args, stdin="a-long-secret\n"
        )
        assert result.returncode != 0, args
        assert message in result.stderr and "Traceback" not in result.stderr, result.stderr
    with session_scope() as session:
        assert session.scalar(select(User).where(User.username == "someone")) is None
    known = homeward(
        demo_database,
        *("create-user", "--username", "someone", "--role", "ccwc", "--commune", "120101"),
        stdin="a-long-secret\n",
    )
    assert known.returncode == 0, known.stderr


def test_production_with_the_default_secret_says_so_in_one_line(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'homeward.db'}"
    env = {"HOMEWARD_ENVIRONMENT": "production", "HOMEWARD_SECRET_KEY": DEV_SECRET}
    for args in (["migrate"], ["serve", "--port", "1"], ["seed-demo"]):
        result = homeward(database, *args, env=env)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr and result.stdout == ""
        [line] = result.stderr.strip().splitlines()
        assert "HOMEWARD_SECRET_KEY" in line and "production" in line, line
    secret = homeward(
        database, "migrate", env={**env, "HOMEWARD_SECRET_KEY": "a-secret-of-our-own-0123456789"}
    )
    assert secret.returncode == 0, secret.stderr


def _counts() -> tuple[dict[str, int], int]:
    with session_scope() as session:
        counts = dict(
            session.execute(select(Record.form_id, func.count()).group_by(Record.form_id))
            .tuples()
            .all()
        )
        users = session.scalar(select(func.count()).select_from(User))
    return counts, int(users or 0)


def test_seed_demo_is_idempotent(database: str) -> None:
    seen = []
    for _ in range(2):
        result = homeward(database, "seed-demo")
        assert result.returncode == 0, result.stderr
        assert "supervisor.pp" in result.stdout
        seen.append(_counts())
    assert seen[0] == seen[1]  # the second run added nothing
    counts, users = seen[1]
    assert (counts["institution"], counts["child_registration"]) == (267, 11788)
    # the demo history (app.demo.history): a few hundred records of work for the desk
    history = ("institution_inspection", "abuse_report", "placement_recommendation")
    assert 200 <= sum(counts[form] for form in history) <= 500
    # the plan's years pushed in Battambang (app.demo.plan_history)
    plan = {"case_plan": 1267, "follow_up_visit": 1434, "case_closure": 365}
    assert {form: counts[form] for form in plan} == plan
    assert set(counts) == {"institution", "child_registration", *history, *plan}
    assert users == 7


def _tables(url: str) -> set[str]:
    from sqlalchemy import inspect

    from app.db.engine import make_engine

    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrate_builds_an_empty_database_from_nothing(
    tmp_path: Path, postgres_server: PostgresServer | None
) -> None:
    """`homeward migrate` on a database with no table at all (the test databases are copies
    of one already migrated), on both databases."""
    if postgres_server is None:
        skip_or_fail("PostgreSQL is not available")
    with postgres_server.empty_database(f"homeward_cli_empty_{os.getpid()}") as postgres:
        for url in (f"sqlite:///{tmp_path / 'empty.db'}", postgres):
            assert _tables(url) == set()
            result = homeward(url, "migrate")
            assert result.returncode == 0, result.stderr
            assert "newest schema" in result.stdout
            assert {"records", "record_revisions", "sync_changes", "alembic_version"} <= (
                _tables(url)
            )
