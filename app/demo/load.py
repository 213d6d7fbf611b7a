"""Load the demo data set into the database, once.

Core bulk ``insert()`` executemany in chunks (fast on SQLite and PostgreSQL). The ``meta`` row
``demo_data`` records the loaded version: when it is already there nothing is inserted. Rows
that already exist (a province the migrations put in, a record from an earlier partial load)
are left alone, so loading is idempotent. The caller owns the transaction: nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from time import perf_counter
from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from app.clock import now_utc
from app.demo.generate import DEMO_VERSION, DemoData, generate_demo
from app.demo.geography import LEVELS
from app.models import Location, Meta, Record, RecordRevision
from app.records.priority import queue_priority
from app.sync.sequence import next_seq

META_KEY = "demo_data"
CHUNK_SIZE = 1000
# Ids per "IN (...)" lookup: well under SQLite's oldest limit of 999 bound parameters.
LOOKUP_CHUNK = 500

T = TypeVar("T")


@dataclass
class LoadReport:
    version: str
    skipped: bool
    locations: int = 0
    institutions: int = 0
    children: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.locations + self.institutions + self.children


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(session: Session, column: Any, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(keys, LOOKUP_CHUNK):
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found


def _insert(session: Session, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for chunk in _chunks(list(rows), CHUNK_SIZE):
        session.execute(insert(table), list(chunk))
        count += len(chunk)
    return count


def load_demo(session: Session, data: DemoData | None = None) -> LoadReport:
    """Insert the demo data set unless this version is already loaded; returns what was done."""
    started = perf_counter()
    session.flush()  # pending ORM objects (e.g. provinces added by the caller) first
    loaded = session.scalar(select(Meta.value).where(Meta.key == META_KEY))
    if loaded == DEMO_VERSION:
        return LoadReport(version=DEMO_VERSION, skipped=True, seconds=perf_counter() - started)

    data = data if data is not None else generate_demo()
    report = LoadReport(version=DEMO_VERSION, skipped=False)

    locations = cast(Table, Location.__table__)
    have = _existing(session, Location.code, [row["code"] for row in data.locations])
    for level in LEVELS:  # parents before children: parent_code is a foreign key
        rows = [dict(r) for r in data.locations if r["level"] == level and r["code"] not in have]
        report.locations += _insert(session, locations, rows)

    records = cast(Table, Record.__table__)
    revisions = cast(Table, RecordRevision.__table__)
    now = now_utc()
    seq = next_seq(session)
    for kind in ("institutions", "children"):
        source: list[dict[str, Any]] = getattr(data, kind)
        have = _existing(session, Record.record_id, [r["record_id"] for r in source])
        new = [
            {
                **r,
                "queue_priority": queue_priority(r["form_id"], r.get("flags")),
                "seq": seq,
                "created_at": now,
                "updated_at": now,
            }
            for r in source
            if r["record_id"] not in have
        ]
        setattr(report, kind, _insert(session, records, new))
        _insert(
            session,
            revisions,
            (
                {
                    "record_id": r["record_id"],
                    "rev": r["rev"],
                    "form_version": r["form_version"],
                    "data": r["data"],
                    "status": "applied",
                    "actor": "demo",
                    "received_at": now,
                }
                for r in new
            ),
        )

    meta = cast(Table, Meta.__table__)
    if loaded is None:
        session.execute(insert(meta).values(key=META_KEY, value=DEMO_VERSION))
    else:
        session.execute(update(meta).where(meta.c.key == META_KEY).values(value=DEMO_VERSION))
    report.seconds = perf_counter() - started
    return report
