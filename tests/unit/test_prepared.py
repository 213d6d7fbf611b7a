"""Prepared statements give back what SQLAlchemy's own execution gives, on both databases:
the same values converted the same way (JSON, timestamps, booleans), id lists as one
parameter, a statement's own literal values, row counts, and SQLAlchemy's errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy import Table, bindparam, select, text, update
from sqlalchemy.exc import IntegrityError

from app.db.bulk_insert import insert_rows
from app.db.id_lists import one_of
from app.db.prepared import Prepared, insert_or_ignore
from app.db.session import session_scope
from app.models import AuditEntry, RecordAttachment

AT = datetime(2026, 12, 7, 9, 30, 15, 654321, tzinfo=UTC)
audit = cast(Table, AuditEntry.__table__)
links = cast(Table, RecordAttachment.__table__)

_AUDIT = Prepared(
    lambda dialect: (
        select(audit.c.at, audit.c.target_id, audit.c.details, audit.c.device_id)
        .where(one_of(audit.c.target_id, dialect), audit.c.action == bindparam("action"))
        .order_by(audit.c.target_id)
    )
)
_LINKS = Prepared(
    select(links.c.sha256, links.c.present)
    .where(links.c.record_id == bindparam("record_id"))
    .order_by(links.c.sha256)
)
_MARK = Prepared(
    update(links)
    .where(links.c.record_id == bindparam("record_id"), links.c.present.is_(False))
    .values(present=True)
)
_ONE = Prepared(select(audit.c.target_id).where(audit.c.target_id == "t-2"))
_ADD_LINK = insert_or_ignore(links, ("record_id", "sha256", "sha_key", "present"))


def _audit_rows(action: str) -> list[dict[str, Any]]:
    return [
        {
            "at": AT,
            "actor": "inspector.sr",
            "device_id": None if i % 2 else "tab-1",
            "action": action,
            "target_type": "record",
            "target_id": f"t-{i}",
            "details": {"n": i, "km": "ភូមិ", "nested": [1.5, None, True]},
        }
        for i in range(4)
    ]


def test_rows_come_back_as_sqlalchemy_gives_them(database: str) -> None:
    with session_scope() as session:
        insert_rows(session, audit, _audit_rows("test.prepared"))
        ids = ["t-3", "t-0", "t-9", "t-1"]
        ours = _AUDIT.rows(session, ids=ids, action="test.prepared")
        theirs = session.execute(
            select(audit.c.at, audit.c.target_id, audit.c.details, audit.c.device_id)
            .where(audit.c.target_id.in_(ids), audit.c.action == "test.prepared")
            .order_by(audit.c.target_id)
        ).all()
    assert ours == [tuple(row) for row in theirs]
    assert [row[1] for row in ours] == ["t-0", "t-1", "t-3"]
    assert ours[0][0] == AT  # timezone-aware, to the microsecond
    assert ours[0][2] == {"n": 0, "km": "ភូមិ", "nested": [1.5, None, True]}
    assert ours[1][3] is None


def test_an_empty_id_list_finds_nothing(database: str) -> None:
    with session_scope() as session:
        insert_rows(session, audit, _audit_rows("test.empty"))
        assert _AUDIT.rows(session, ids=[], action="test.empty") == []


def test_a_literal_in_the_statement_is_bound_by_itself(database: str) -> None:
    with session_scope() as session:
        insert_rows(session, audit, _audit_rows("test.literal"))
        assert _ONE.scalar(session) == "t-2"


def test_booleans_row_counts_and_on_conflict(database: str) -> None:
    with session_scope() as session:
        added = [
            _ADD_LINK.run(session, record_id="r-p", sha256=sha * 64, sha_key=k, present=False)
            for sha, k in (("a", 1), ("b", -2))
        ]
        again = _ADD_LINK.run(session, record_id="r-p", sha256="a" * 64, sha_key=1, present=True)
        assert (added, again) == ([1, 1], 0)
        assert _LINKS.rows(session, record_id="r-p") == [("a" * 64, False), ("b" * 64, False)]
        assert _MARK.run(session, record_id="r-p") == 2
        assert _MARK.run(session, record_id="r-p") == 0
        assert _LINKS.scalars(session, record_id="r-p") == ["a" * 64, "b" * 64]
        assert _LINKS.first(session, record_id="r-p") == ("a" * 64, True)
        assert _LINKS.first(session, record_id="nobody") is None


def test_run_many_and_text(database: str) -> None:
    many = [
        {"record_id": "r-m", "sha256": f"{i}" * 64, "sha_key": i, "present": True} for i in range(3)
    ]
    with session_scope() as session:
        _ADD_LINK.run_many(session, many)
        _ADD_LINK.run_many(session, [])
        count = Prepared(text("SELECT count(*) FROM record_attachments WHERE record_id = 'r-m'"))
        assert count.scalar(session) == 3


def test_a_driver_error_is_sqlalchemys_and_the_session_rolls_back(database: str) -> None:
    insert = Prepared(
        links.insert().values(
            {c: bindparam(c) for c in ("record_id", "sha256", "sha_key", "present")}
        )
    )
    row = {"record_id": "r-e", "sha256": "e" * 64, "sha_key": 7, "present": True}
    with session_scope() as session:
        insert.run(session, **row)
    with pytest.raises(IntegrityError), session_scope() as session:
        _ADD_LINK.run(session, record_id="r-e", sha256="f" * 64, sha_key=8, present=True)
        insert.run(session, **row)  # the same primary key again
    with session_scope() as session:  # the failed transaction left nothing behind
        assert _LINKS.scalars(session, record_id="r-e") == ["e" * 64]
