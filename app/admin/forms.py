"""Every stored form version as an administrator sees it: published or draft, retired or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forms.schema import FormSchema
from app.forms.store import schema_of
from app.models import FormVersion, RetiredForm


@dataclass(frozen=True)
class VersionView:
    form_id: str
    version: str
    schema: FormSchema
    hash: str
    published: bool
    published_at: datetime | None
    created_at: datetime
    created_by: str | None
    retired_at: datetime | None  # the form's retirement (all its versions)


def list_versions(session: Session) -> list[VersionView]:
    """By form, newest version first (published ones by publication, drafts by upload)."""
    retired = {
        form_id: at
        for form_id, at in session.execute(select(RetiredForm.form_id, RetiredForm.retired_at))
    }
    rows = session.scalars(select(FormVersion)).all()
    views = [
        VersionView(
            form_id=row.form_id,
            version=row.version,
            schema=schema_of(row),
            hash=row.content_hash,
            published=row.published,
            published_at=row.published_at,
            created_at=row.created_at,
            created_by=row.created_by,
            retired_at=retired.get(row.form_id),
        )
        for row in rows
    ]
    views.sort(key=lambda v: v.published_at or v.created_at, reverse=True)
    views.sort(key=lambda v: v.form_id)
    return views
