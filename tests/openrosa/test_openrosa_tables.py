"""Migration 0012h matches the models (form_xforms, openrosa_files, openrosa_instances), and
goes down and up again, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from app.db.engine import get_engine, reset_engines
from app.db.migrate import alembic_config, check_drift


def _tables() -> set[str]:
    tables = set(inspect(get_engine()).get_table_names())
    reset_engines()
    return tables


def test_the_migration_matches_the_models_and_goes_down_and_up(database: str) -> None:
    check_drift()  # raises when the models and the migrations disagree
    ours = {"form_xforms", "openrosa_files", "openrosa_instances"}
    assert ours <= _tables()
    command.downgrade(alembic_config(), "0011")
    assert not ours & _tables()
    command.upgrade(alembic_config(), "head")
    assert ours <= _tables()
    check_drift()
