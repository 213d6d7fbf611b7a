"""The sync queries that take a list of ids or hashes as one parameter (json_each on SQLite,
= ANY on PostgreSQL) find exactly the rows named, whatever the values."""

from __future__ import annotations

import hashlib

from app.auth.scope import Scope
from app.db.session import session_scope
from app.models import Attachment, AttachmentHolder, Record, SyncChange
from app.sync import queries

ODD = ['quote"d', "back\\slash", "ភូមិ", "comma,and]bracket", "", " spaced "]


def test_readable_attachments_finds_exactly_the_named_rows(database: str) -> None:
    """Of the hashes asked, those stored and held by the caller; another user holding none
    (and seeing no record that names them) finds none."""
    stored = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(300)] + ODD
    with session_scope() as session:
        session.add_all(Attachment(sha256=value, size=1) for value in stored)
        session.add_all(AttachmentHolder(sha256=value, username="u") for value in stored)
    asked = stored[::3] + [hashlib.sha256(b"absent").hexdigest(), "absent", "ភូមិ x"]
    national = Scope(province=None, district=None, commune=None)

    def readable(username: str, hashes: list[str]) -> set[str]:
        return queries.readable_attachments(
            session, username=username, scope=national, hashes=hashes
        )

    with session_scope() as session:
        assert readable("u", asked) == set(stored[::3])
        assert readable("u", ODD + ODD) == set(ODD)
        assert readable("u", []) == set()
        assert readable("v", stored[:300:7]) == set()


def test_lookups_by_id_find_exactly_the_named_rows(database: str) -> None:
    # stored: some of the odd values and near misses of the others (a prefix, a suffix, a
    # different case), so that a query matching loosely would bring back too much
    stored = ODD[:3] + ["quote", "back\\slash ", "ភូមិ x", "COMMA,AND]BRACKET", "spaced"]
    with session_scope() as session:
        for value in stored:
            session.add(Record(record_id=value, form_id="f", form_version="1", data={"v": value}))
            session.add(SyncChange(change_id=value, record_id=value, digest="d", result={}))
    with session_scope() as session:
        records = queries.records_by_id(session, ODD)
        changes = queries.earlier_changes(session, ODD)
        assert sorted(records) == sorted(changes) == sorted(ODD[:3])
        assert all(records[k].data == {"v": k} for k in records)
        assert queries.records_by_id(session, ODD[3:]) == {}
        assert queries.earlier_changes(session, []) == {}
