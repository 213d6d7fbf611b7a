"""Alembic, driven from Python: upgrade to head and check for drift."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]


def alembic_config() -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    return config


def upgrade_head() -> None:
    """Bring the configured database to the newest schema; a no-op when it is there."""
    command.upgrade(alembic_config(), "head")


def migrate_and_publish_builtin_forms() -> list[str]:
    """``homeward migrate``: the newest schema, every built-in form version published, and the
    indicators' facts caught up with the records."""
    from app.db.session import session_scope
    from app.forms.store import ensure_builtin_forms
    from app.indicators.facts import bring_up_to_date

    upgrade_head()
    with session_scope() as session:
        published = ensure_builtin_forms(session)
    with session_scope() as session:
        bring_up_to_date(session)  # the indicators' facts, after an upgrade that added them
    return [f"{p.form_id}@{p.version}" for p in published if p.created]


def check_drift() -> None:
    """Raise when the models and the migrations disagree (``alembic check``)."""
    command.check(alembic_config())
