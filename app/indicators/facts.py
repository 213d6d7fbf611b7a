"""Keep ``indicator_facts`` up to date: the few fields the indicators read of every record,
as plain columns (``app.models.IndicatorFact``).

Every write stamps its records with the next ``seq``, and values become visible in commit
order (app/sync/sequence.py). ``meta.indicator_facts_seq`` says which ``seq`` the facts are
up to date with; ``catch_up`` reads the records written since (one indexed query per form,
the JSON read once per record and write), drops the ones a supervisor rejected and replaces
the rest. It runs under the writer lock, so two catch-ups never interleave: after a write,
the first reader of the indicators does it (``bring_up_to_date``) for what was written since,
and ``homeward migrate`` does it for everything after an upgrade.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.db.session import committed
from app.indicators import queries
from app.indicators.queries import Child, Event, Institution
from app.models import IndicatorFact, Meta
from app.sync.sequence import next_seq

WATERMARK = "indicator_facts_seq"
_BATCH = 2000


def day_number(value: date | None) -> int | None:
    """``2025-03-15`` as ``20250315``: an age is then ``(on - born) // 10000``."""
    if value is None:
        return None
    return value.year * 10000 + value.month * 100 + value.day


def fact_row(form_id: str, record_id: str, place: queries.Place, fact: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "record_id": record_id,
        "form_id": form_id,
        "province": place[0],
        "district": place[1],
        "commune": place[2],
    }
    if isinstance(fact, Child):
        row |= {
            "sex": fact.sex,
            "born": day_number(fact.born),
            "disability": fact.disability,
            "admitted": day_number(fact.admitted),
        }
    elif isinstance(fact, Institution):
        row |= {
            "opened": day_number(fact.opened),
            "status": fact.status,
            "closed": day_number(fact.closed),
        }
    elif isinstance(fact, Event):
        row |= {
            "subject": fact.subject,
            "day": day_number(fact.day),
            "answer": fact.answer,
            "other_day": day_number(fact.other_day),
            "extra": fact.extra,
        }
    return row


def facts_seq(session: Session) -> int:
    """The ``seq`` the facts are up to date with (-1: never filled)."""
    value = session.scalar(select(Meta.value).where(Meta.key == WATERMARK))
    return int(value) if value is not None else -1


def is_stale(session: Session) -> bool:
    return queries.highest_seq(session) > facts_seq(session)


def catch_up(session: Session) -> int:
    """Bring the facts up to date with every record written since their ``seq``; the caller
    holds the writer lock (``next_seq``) and commits. Returns the number of records read."""
    after = facts_seq(session)
    top = queries.highest_seq(session)
    if top <= after:
        return 0
    if after < 0:  # everything: a whole form at a time
        session.execute(delete(IndicatorFact))
        changed = [
            (form_id, *found)
            for form_id in queries.FIELDS
            for found in queries.changed_facts(session, form_id, after=after)
        ]
    else:  # what the writes since stamped: a range of the seq index
        changed = list(queries.written_between(session, after=after, top=top))
        ids = [record_id for _, record_id, _, _, _ in changed]
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            session.execute(delete(IndicatorFact).where(IndicatorFact.record_id.in_(batch)))
    rows = [
        fact_row(form_id, record_id, place, fact)
        for form_id, record_id, rejected, place, fact in changed
        if not rejected
    ]
    for start in range(0, len(rows), _BATCH):
        session.execute(insert(IndicatorFact), rows[start : start + _BATCH])
    found = session.get(Meta, WATERMARK)
    if found is None:
        session.add(Meta(key=WATERMARK, value=str(top)))
    else:
        found.value = str(top)
    session.flush()
    return len(changed)


def bring_up_to_date(session: Session) -> None:
    """Catch the facts up if a record was written since (its own short write transaction,
    under the writer lock; a second reader waiting on the lock then finds nothing to do)."""
    if not is_stale(session):
        return
    with committed(session):
        next_seq(session)
        catch_up(session)
