"""Published form versions in the database: publish once, read forever.

A published (form_id, version) never changes: publishing it again with the same content
is a no-op, with other content it is refused (``version_exists``). A unique constraint on
(form_id, version) backstops the check when two publishers race.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit import record_audit
from app.clock import now_utc
from app.db.prepared import Prepared
from app.forms.definitions import load_builtin_forms
from app.forms.schema import STORED, FormSchema, content_hash
from app.models import FormVersion


class VersionExists(Exception):
    def __init__(self, form_id: str, version: str) -> None:
        super().__init__(f"{form_id} version {version} is already published with other content")
        self.form_id = form_id
        self.version = version


@dataclass(frozen=True)
class Published:
    form_id: str
    version: str
    hash: str
    created: bool  # this content was not stored before
    published: bool  # the version is published now (whether or not this call published it)
    changed: bool  # this call stored or published something


_SCHEMAS: dict[tuple[str, str, str], FormSchema] = {}


def schema_of(row: FormVersion) -> FormSchema:
    """The parsed schema of a stored version (cached: a version is immutable)."""
    key = (row.form_id, row.version, row.content_hash)
    schema = _SCHEMAS.get(key)
    if schema is None:
        schema = _SCHEMAS[key] = FormSchema.model_validate(row.schema_json, context=STORED)
    return schema


_PUBLISHED = Prepared(
    select(FormVersion.content_hash, FormVersion.published).where(
        FormVersion.form_id == bindparam("form_id"), FormVersion.version == bindparam("version")
    )
)


def published_schema(session: Session, form_id: str, version: str) -> FormSchema | None:
    """The schema of a published version, or None; the stored JSON is read only the first
    time (a push asks for its forms every time: this costs one small query)."""
    found = _PUBLISHED.first(session, form_id=form_id, version=version)
    if found is None or not found[1]:
        return None
    schema = _SCHEMAS.get((form_id, version, found[0]))
    if schema is None:
        row = get_version(session, form_id, version)
        schema = schema_of(row) if row is not None else None
    return schema


def get_version(session: Session, form_id: str, version: str) -> FormVersion | None:
    return session.scalar(
        select(FormVersion).where(FormVersion.form_id == form_id, FormVersion.version == version)
    )


def current_versions(session: Session) -> Sequence[FormVersion]:
    """The most recently published version of every form."""
    latest = (
        select(FormVersion.form_id, func.max(FormVersion.published_at).label("at"))
        .where(FormVersion.published.is_(True))
        .group_by(FormVersion.form_id)
        .subquery()
    )
    return session.scalars(
        select(FormVersion)
        .join(
            latest,
            (latest.c.form_id == FormVersion.form_id) & (latest.c.at == FormVersion.published_at),
        )
        .order_by(FormVersion.form_id)
    ).all()


def save_version(
    session: Session,
    schema: FormSchema,
    *,
    publish: bool,
    actor: str | None,
    now: datetime | None = None,
) -> Published:
    """Store (and optionally publish) a version; idempotent for identical content."""
    now = now or now_utc()
    digest = content_hash(schema)
    existing = get_version(session, schema.form_id, schema.version)
    if existing is not None:
        if existing.content_hash != digest:
            if existing.published or publish:
                raise VersionExists(schema.form_id, schema.version)
            existing.schema_json = schema.model_dump(mode="json", exclude_defaults=True)
            existing.content_hash = digest
            return Published(
                schema.form_id, schema.version, digest, created=True, published=False, changed=True
            )
        publishing = publish and not existing.published
        if publishing:
            existing.published, existing.published_at = True, now
            _audit_publish(session, schema, digest, actor)
        return Published(
            schema.form_id,
            schema.version,
            digest,
            created=False,
            published=existing.published,
            changed=publishing,
        )
    row = FormVersion(
        form_id=schema.form_id,
        version=schema.version,
        content_hash=digest,
        schema_json=schema.model_dump(mode="json", exclude_defaults=True),
        published=publish,
        created_by=actor,
        created_at=now,
        published_at=now if publish else None,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # a concurrent publisher stored it first: decide against theirs
        return save_version(session, schema, publish=publish, actor=actor, now=now)
    if publish:
        _audit_publish(session, schema, digest, actor)
    return Published(
        schema.form_id, schema.version, digest, created=True, published=publish, changed=True
    )


def _audit_publish(session: Session, schema: FormSchema, digest: str, actor: str | None) -> None:
    record_audit(
        session,
        action="form.publish",
        actor=actor,
        target_type="form",
        target_id=f"{schema.form_id}@{schema.version}",
        details={"hash": digest},
    )


def ensure_builtin_forms(session: Session) -> list[Published]:
    """Publish every built-in form version not yet in the database (run by ``migrate``)."""
    return [
        save_version(session, schema, publish=True, actor="system")
        for schema in load_builtin_forms()
    ]
