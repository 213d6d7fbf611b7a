"""Retiring a form from the field, and taking it back.

A retired form is no longer listed to fill (``GET /api/v1/forms``) and a push may not start a
new record of it (``form_retired``); its versions, its records, pulls of them and edits of
existing records go on as before. Retiring and restoring are idempotent and audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import record_audit
from app.db.id_lists import one_of
from app.db.prepared import Prepared
from app.models import FormVersion, RetiredForm

__all__ = ["RetiredForm", "UnknownForm", "restore_form", "retire_form", "retired_form_ids"]


class UnknownForm(LookupError):
    pass


_RETIRED = Prepared(
    lambda dialect: select(RetiredForm.form_id).where(one_of(RetiredForm.form_id, dialect))
)


def retired_form_ids(session: Session, form_ids: Iterable[str] | None = None) -> set[str]:
    """The retired ones among ``form_ids`` (every retired form when None)."""
    if form_ids is None:
        return set(session.scalars(select(RetiredForm.form_id)))
    wanted = sorted(set(form_ids))
    return set(_RETIRED.scalars(session, ids=wanted)) if wanted else set()


def _known(session: Session, form_id: str) -> bool:
    return (
        session.scalar(select(FormVersion.id).where(FormVersion.form_id == form_id).limit(1))
        is not None
    )


def retire_form(session: Session, *, form_id: str, actor: str, now: datetime) -> RetiredForm:
    """Retire ``form_id`` (a no-op when it already is: the first retirement is kept)."""
    if not _known(session, form_id):
        raise UnknownForm(form_id)
    row = session.get(RetiredForm, form_id)
    changed = row is None
    if row is None:
        row = RetiredForm(form_id=form_id, retired_at=now, retired_by=actor)
        session.add(row)
        session.flush()
    record_audit(
        session,
        action="form.retire",
        actor=actor,
        target_type="form",
        target_id=form_id,
        details={"changed": changed},
    )
    return row


def restore_form(session: Session, *, form_id: str, actor: str) -> bool:
    """Put a retired form back in the field; False when it was not retired."""
    if not _known(session, form_id):
        raise UnknownForm(form_id)
    row = session.get(RetiredForm, form_id)
    if row is not None:
        session.delete(row)
        session.flush()
    record_audit(
        session,
        action="form.restore",
        actor=actor,
        target_type="form",
        target_id=form_id,
        details={"changed": row is not None},
    )
    return row is not None
