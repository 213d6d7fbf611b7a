"""record_attachments is looked up by an 8-byte key of the hash (app.models.sync.sha_key)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from alembic import command

from app.db.engine import reset_engines
from app.db.migrate import alembic_config
from app.models.sync import sha_key
from app.settings import get_settings
from tests.conftest import use_database


def test_the_key_is_the_hashs_first_8_bytes_as_a_signed_integer() -> None:
    assert sha_key("00" * 32) == 0
    assert sha_key("ff" * 32) == -1
    assert sha_key("7f" + "ff" * 31) == 2**63 - 1
    assert sha_key("80" + "00" * 31) == -(2**63)
    assert sha_key("0123456789abcdef" + "00" * 24) == 0x0123456789ABCDEF
    assert sha_key("AB" * 32) == sha_key("ab" * 32)


def test_migration_0005_gives_every_existing_link_its_key(tmp_path: Path) -> None:
    db = tmp_path / "links.db"
    before = os.environ.get("HOMEWARD_DATABASE_URL")
    use_database(f"sqlite:///{db}")
    try:
        command.upgrade(alembic_config(), "0004")
        hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(3)]
        with sqlite3.connect(db) as conn:
            conn.executemany(
                "INSERT INTO record_attachments (record_id, sha256, present) VALUES (?, ?, ?)",
                [(f"r{i}", sha, i % 2) for i, sha in enumerate(hashes)],
            )
        command.upgrade(alembic_config(), "head")
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "SELECT sha256, sha_key, present FROM record_attachments ORDER BY record_id"
            ).fetchall()
            indexes = {
                name
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE tbl_name = 'record_attachments'"
                    " AND type = 'index' AND sql IS NOT NULL"
                )
            }
        assert rows == [(sha, sha_key(sha), i % 2) for i, sha in enumerate(hashes)]
        assert indexes == {"ix_record_attachments_sha_key"}
        command.downgrade(alembic_config(), "0004")
        command.upgrade(alembic_config(), "head")  # and back: the key is given again
        with sqlite3.connect(db) as conn:
            again = conn.execute("SELECT sha_key FROM record_attachments ORDER BY record_id")
            assert [k for (k,) in again] == [sha_key(sha) for sha in hashes]
    finally:
        if before is None:
            os.environ.pop("HOMEWARD_DATABASE_URL", None)
            get_settings.cache_clear()
            reset_engines()
        else:
            use_database(before)
