"""insert_rows stores exactly what SQLAlchemy's own insert stores, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select

from app.db.bulk_insert import insert_rows
from app.db.session import session_scope
from app.models import AuditEntry, Conflict, RecordAttachment

AT = datetime(2026, 11, 24, 8, 15, 30, 123456, tzinfo=UTC)


def _audit(n: int, tag: str) -> list[dict[str, Any]]:
    return [
        {
            "at": AT,
            "actor": "inspector.sr",
            "device_id": None if i % 2 else "tab-1",
            "action": f"test.{tag}",
            "target_type": "record",
            "target_id": f"r{i}",
            "details": {"n": i, "km": "ភូមិ", "nested": [1.5, None, True], "empty": {}},
        }
        for i in range(n)
    ]


def _read(action: str) -> list[tuple[Any, ...]]:
    with session_scope() as session:
        rows = session.execute(
            select(
                AuditEntry.at,
                AuditEntry.actor,
                AuditEntry.device_id,
                AuditEntry.target_id,
                AuditEntry.details,
            )
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        ).all()
    return [tuple(r) for r in rows]


def test_rows_read_back_as_sqlalchemy_wrote_them(database: str) -> None:
    table = cast(Table, AuditEntry.__table__)
    with session_scope() as session:
        session.execute(insert(table), _audit(5, "orm"))
        insert_rows(session, table, _audit(5, "bulk"))
    assert _read("test.bulk") == _read("test.orm")
    assert len(_read("test.bulk")) == 5
    assert _read("test.bulk")[0][0] == AT  # a timestamp comes back timezone-aware, exact


def test_booleans_and_json_null_values_round_trip(database: str) -> None:
    links = cast(Table, RecordAttachment.__table__)
    conflicts = cast(Table, Conflict.__table__)
    clash = {
        "record_id": "r1",
        "rev": 2,
        "path": "beds",
        "change_id": "c1",
        "actor": "a",
        "device_id": None,
        "created_at": AT,
    }
    with session_scope() as session:
        insert_rows(
            session,
            links,
            [
                {"record_id": "r1", "sha256": "a" * 64, "sha_key": 1, "present": True},
                {"record_id": "r1", "sha256": "b" * 64, "sha_key": -1, "present": False},
            ],
        )
        insert_rows(
            session,
            conflicts,
            [
                {**clash, "id": "k1", "server_value": None, "client_value": 48},
                {**clash, "id": "k2", "server_value": "x", "client_value": {"a": [1]}},
            ],
        )
    with session_scope() as session:
        present = dict(session.execute(select(links.c.sha256, links.c.present)).tuples().all())
        values = session.execute(
            select(Conflict.id, Conflict.server_value, Conflict.client_value).order_by(Conflict.id)
        ).all()
    assert present == {"a" * 64: True, "b" * 64: False}
    assert [tuple(v) for v in values] == [("k1", None, 48), ("k2", "x", {"a": [1]})]


def test_rows_missing_a_column_with_a_python_default_get_the_default(database: str) -> None:
    table = cast(Table, AuditEntry.__table__)
    defaulted = [{k: v for k, v in row.items() if k != "at"} for row in _audit(2, "defaulted")]
    with session_scope() as session:
        insert_rows(session, table, defaulted)  # `at` has a Python default: utcnow
        insert_rows(session, table, [])
    stamps = [r[0] for r in _read("test.defaulted")]
    assert len(stamps) == 2 and all(at is not None and at.tzinfo is not None for at in stamps)


def test_a_value_repeated_or_alternating_is_stored_for_each_row(database: str) -> None:
    """Conversions are reused only for the very object of the row before."""
    table = cast(Table, AuditEntry.__table__)
    later = datetime(2027, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    shared = {"same": "object"}
    rows = _audit(6, "memo")
    for i, row in enumerate(rows):
        row["at"] = AT if i in (0, 1, 3) else later
        row["details"] = shared if i < 4 else {"n": i}
    with session_scope() as session:
        insert_rows(session, table, rows)
    read = _read("test.memo")
    assert [r[0] for r in read] == [AT, AT, later, AT, later, later]
    assert [r[4] for r in read] == [shared] * 4 + [{"n": 4}, {"n": 5}]
