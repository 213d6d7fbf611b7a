"""SQL for sync, always within the caller's scope; no commits (the caller owns them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    LargeBinary,
    Row,
    Text,
    bindparam,
    cast,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from app.auth.scope import Scope, record_location
from app.db.id_lists import one_of
from app.db.prepared import Prepared
from app.models import (
    Attachment,
    AttachmentHolder,
    Conflict,
    Record,
    RecordAttachment,
    RecordDeparture,
    RecordRevision,
    SyncChange,
)
from app.models.sync import sha_key
from app.sync.revisions import data_of


class EarlierChange(NamedTuple):
    """What a push needs of a change_id processed before: its digest and first result."""

    change_id: str
    digest: str
    result: dict[str, Any]


class StoredRecord(NamedTuple):
    """What a push needs of a stored record (read before it decides)."""

    record_id: str
    form_id: str
    rev: int
    data: dict[str, Any]
    province: str | None
    district: str | None
    commune: str | None
    placement_state: str | None


_changes = SyncChange.__table__.c
_EARLIER = Prepared(
    lambda dialect: select(_changes.change_id, _changes.digest, _changes.result).where(
        one_of(_changes.change_id, dialect)
    )
)
_records = Record.__table__.c
_RECORDS = Prepared(
    lambda dialect: select(*(_records[name] for name in StoredRecord._fields)).where(
        one_of(_records.record_id, dialect)
    )
)


def earlier_changes(session: Session, change_ids: Iterable[str]) -> dict[str, EarlierChange]:
    ids = list(set(change_ids))
    if not ids:
        return {}
    rows = map(EarlierChange._make, _EARLIER.rows(session, ids=ids))
    return {row.change_id: row for row in rows}


def records_by_id(session: Session, record_ids: Iterable[str]) -> dict[str, StoredRecord]:
    """Records by id, whatever their scope (the caller decides what an outsider may learn)."""
    ids = list(set(record_ids))
    if not ids:
        return {}
    rows = map(StoredRecord._make, _RECORDS.rows(session, ids=ids))
    return {row.record_id: row for row in rows}


def revision_data(
    session: Session, wanted: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], Any]:
    pairs = list(set(wanted))
    if not pairs:
        return {}
    rows = session.execute(
        select(
            RecordRevision.record_id,
            RecordRevision.rev,
            RecordRevision.data,
            Record.data.label("current_data"),
        )
        .join(Record, Record.record_id == RecordRevision.record_id)
        .where(tuple_(RecordRevision.record_id, RecordRevision.rev).in_(pairs))
    ).all()
    return {(r.record_id, r.rev): data_of(r.data, r.current_data) for r in rows}


_STORED_FILES = Prepared(
    lambda dialect: select(Attachment.sha256).where(one_of(Attachment.sha256, dialect))
)
_HELD_FILES = Prepared(
    lambda dialect: select(AttachmentHolder.sha256).where(
        AttachmentHolder.username == bindparam("username"),
        one_of(AttachmentHolder.sha256, dialect),
    )
)


def readable_attachments(
    session: Session, *, username: str, scope: Scope, hashes: Iterable[str]
) -> set[str]:
    """Of ``hashes``, the stored files this caller may read (and so name in a record): those
    they hold (uploaded), and those a record in their scope names with the file present.
    Any other file is, to them, not there (issue #14, item 1)."""
    wanted = list(set(hashes))
    if not wanted:
        return set()
    stored = set(_STORED_FILES.scalars(session, ids=wanted))
    if not stored:
        return set()
    held = set(_HELD_FILES.scalars(session, username=username, ids=list(stored)))
    rest = stored - held
    if not rest:
        return held
    seen = session.scalars(
        select(RecordAttachment.sha256)
        .join(Record, Record.record_id == RecordAttachment.record_id)
        .where(
            RecordAttachment.sha_key.in_([sha_key(sha) for sha in rest]),
            RecordAttachment.present.is_(True),
            scope.filter(Record),
        )
        .distinct()
    )
    return held | (rest & set(seen))


def scoped_record(session: Session, *, scope: Scope, record_id: str) -> Record | None:
    return session.scalar(select(Record).where(Record.record_id == record_id, scope.filter(Record)))


class ReferencedRecord(NamedTuple):
    """What a reference check needs of a record."""

    record_id: str
    form_id: str
    data: dict[str, Any]
    province: str | None
    district: str | None
    commune: str | None


_REFERENCED = Prepared(
    lambda dialect: select(*(_records[name] for name in ReferencedRecord._fields)).where(
        one_of(_records.record_id, dialect)
    )
)


def scoped_records(
    session: Session, *, scope: Scope, record_ids: list[str]
) -> list[ReferencedRecord]:
    """What a reference check needs of records in scope (no ORM objects: a push reads many).

    Read by primary key, the scope checked here: with the scope in the WHERE clause, SQLite
    chose the scope's index and read every record of the province for each push."""
    rows = map(ReferencedRecord._make, _REFERENCED.rows(session, ids=list(set(record_ids))))
    return [row for row in rows if scope.covers(record_location(row))]


def page_of_records(
    session: Session, *, scope: Scope, after: tuple[int, str], limit: int
) -> Sequence[Row[Any]]:
    """Rows after ``after`` in (seq, record_id) order, with ``data``/``flags`` as JSON text
    (UTF-8 bytes on SQLite, where a BLOB cast skips decoding what is sent on as bytes anyway)
    and ``updated_at`` as SQLite writes a timestamp, or a datetime (``app.sync.pull.iso_utc``)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    as_json: type[Text] | type[LargeBinary] = LargeBinary if sqlite else Text
    # SQLite keeps a timestamp as text (read as it is); elsewhere the driver's datetime, which
    # does not depend on the server's DateStyle
    updated: Any = cast(Record.updated_at, Text) if sqlite else Record.updated_at
    rows = session.execute(
        select(
            Record.record_id,
            Record.form_id,
            Record.form_version,
            Record.rev,
            Record.review_state,
            Record.review_comment,
            Record.placement_state,
            Record.incomplete,
            updated.label("updated_text"),
            Record.seq,
            cast(Record.data, as_json).label("data_text"),
            cast(Record.flags, as_json).label("flags_text"),
        )
        .where(scope.filter(Record), tuple_(Record.seq, Record.record_id) > tuple_(*after))
        .order_by(Record.seq, Record.record_id)
        .limit(limit)
    ).all()
    return list(rows)  # type: ignore[arg-type]


def open_conflicts(session: Session, record_ids: Iterable[str]) -> dict[str, list[Conflict]]:
    ids = list(set(record_ids))
    found: dict[str, list[Conflict]] = {}
    if not ids:
        return found
    rows = session.scalars(
        select(Conflict)
        .where(Conflict.record_id.in_(ids), Conflict.resolved_at.is_(None))
        .order_by(Conflict.created_at, Conflict.id)
    ).all()
    for row in rows:
        found.setdefault(row.record_id, []).append(row)
    return found


def departures_after(
    session: Session, *, scope: Scope, after: tuple[int, str], limit: int
) -> list[tuple[int, str]]:
    """(seq, record_id) of records that left a place in ``scope`` after ``after`` and are not
    in ``scope`` now (moved out of it, or gone): the devices of the scope drop them."""
    position = tuple_(RecordDeparture.seq, RecordDeparture.record_id)
    rows = session.execute(
        select(RecordDeparture.seq, RecordDeparture.record_id)
        .outerjoin(Record, Record.record_id == RecordDeparture.record_id)
        .where(
            scope.filter(RecordDeparture),
            position > tuple_(*after),
            or_(Record.record_id.is_(None), not_(scope.filter(Record))),
        )
        .order_by(RecordDeparture.seq, RecordDeparture.record_id)
        .limit(limit)
    ).all()
    return [(row.seq, row.record_id) for row in rows]


def open_conflicts_in_page(
    session: Session, *, scope: Scope, after: tuple[int, str], last: tuple[int, str]
) -> dict[str, list[Conflict]]:
    """Open conflicts of the records of a pull page: those in scope with ``after`` <
    (seq, record_id) <= ``last``. One join on the page's range, not a list of its ids."""
    position = tuple_(Record.seq, Record.record_id)
    rows = session.scalars(
        select(Conflict)
        .join(Record, Record.record_id == Conflict.record_id)
        .where(
            Conflict.resolved_at.is_(None),
            scope.filter(Record),
            position > tuple_(*after),
            position <= tuple_(*last),
        )
        .order_by(Conflict.created_at, Conflict.id)
    ).all()
    found: dict[str, list[Conflict]] = {}
    for row in rows:
        found.setdefault(row.record_id, []).append(row)
    return found
