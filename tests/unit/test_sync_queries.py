"""The sync queries that take a list of ids or hashes as one parameter (json_each on SQLite,
= ANY on PostgreSQL) find exactly the rows named, whatever the values."""

from __future__ import annotations

import hashlib

from app.db import session_scope
from app.models import Attachment
from app.sync import queries

ODD = ['quote"d', "back\\slash", "ភូមិ", "comma,and]bracket", "", " spaced "]


def test_present_attachments_finds_exactly_the_named_rows(database: str) -> None:
    stored = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(300)] + ODD
    with session_scope() as session:
        session.add_all(Attachment(sha256=value, size=1) for value in stored)
    asked = stored[::3] + [hashlib.sha256(b"absent").hexdigest(), "absent", "ភូមិ x"]
    with session_scope() as session:
        found = queries.present_attachments(session, asked)
        assert found == set(stored[::3])
        assert queries.present_attachments(session, ODD + ODD) == set(ODD)
        assert queries.present_attachments(session, []) == set()


def test_lookups_by_id_name_nothing_else(database: str) -> None:
    with session_scope() as session:
        assert queries.records_by_id(session, ODD) == {}
        assert queries.earlier_changes(session, ODD) == {}
