"""The XForm bytes of each form version: stored once, served as stored (their md5 is listed).

Two sources: a workbook published through XLSForm import keeps pyxform's own XForm
(``store_xlsform_xform``, called from the import path); any other version (the built-in
forms, a schema published as JSON) gets one made from its schema the first time a client
asks (``xform_for``): ``app.openrosa.workbook`` writes the schema as a workbook and pyxform
converts it. Either way the root of the primary instance carries Homeward's form_id and
version as ``id`` and ``version``: a submission names its form version by them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.clock import now_utc
from app.forms.schema import FormSchema
from app.models import FormXForm
from app.openrosa.workbook import schema_workbook

_INSTANCE_ROOT = re.compile(
    r"(<instance>\s*<[A-Za-z_][\w.-]*)((?:\s+[\w:.-]+=\"[^\"]*\")*)(\s*/?>)"
)
_ATTRIBUTE = re.compile(r"\s+(id|version)=\"[^\"]*\"")


class XFormUnavailable(Exception):
    """The schema cannot be written as an XForm (docs/openrosa.md, "What does not map")."""


@dataclass(frozen=True)
class StoredXForm:
    form_id: str
    version: str
    xml: bytes
    md5: str


def _attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def with_identity(xform: str, form_id: str, version: str) -> str:
    """``xform`` whose primary instance root says ``id=form_id`` and ``version=version``."""

    def rewrite(match: re.Match[str]) -> str:
        kept = _ATTRIBUTE.sub("", match.group(2))
        identity = f' id="{_attribute(form_id)}" version="{_attribute(version)}"'
        return match.group(1) + identity + kept + match.group(3)

    out, count = _INSTANCE_ROOT.subn(rewrite, xform, count=1)
    if count != 1:
        raise XFormUnavailable("the XForm has no primary instance")
    return out


def xform_from_schema(schema: FormSchema) -> str:
    """The XForm of a Homeward schema, by pyxform from the schema's workbook."""
    try:
        result = convert(schema_workbook(schema), validate=False, file_type=".xlsx", warnings=[])
    except (PyXFormError, ValueError, KeyError, TypeError) as exc:
        raise XFormUnavailable(str(exc)) from exc
    return with_identity(result.xform, schema.form_id, schema.version)


def _row(session: Session, form_id: str, version: str) -> StoredXForm | None:
    row = session.scalar(
        select(FormXForm).where(FormXForm.form_id == form_id, FormXForm.version == version)
    )
    if row is None:
        return None
    return StoredXForm(row.form_id, row.version, bytes(row.xml), row.md5)


def store_xform(session: Session, form_id: str, version: str, xform: str) -> StoredXForm:
    """Store the XForm of a version once (the first stored stays: a version never changes).
    Runs in a savepoint of the caller's transaction; the caller commits."""
    found = _row(session, form_id, version)
    if found is not None:
        return found
    xml = xform.encode("utf-8")
    md5 = hashlib.md5(xml, usedforsecurity=False).hexdigest()
    try:
        with session.begin_nested():
            session.add(
                FormXForm(form_id=form_id, version=version, xml=xml, md5=md5, created=now_utc())
            )
    except IntegrityError:  # a concurrent request stored it first
        stored = _row(session, form_id, version)
        assert stored is not None
        return stored
    return StoredXForm(form_id, version, xml, md5)


def store_xlsform_xform(session: Session, schema: FormSchema, content: bytes, suffix: str) -> None:
    """Keep pyxform's XForm of the workbook a version was imported from (``suffix``: its file
    name's, e.g. ``.xlsx``). A workbook pyxform cannot convert keeps none: the version then
    gets one made from its schema when a client asks."""
    try:
        result = convert(content, validate=False, file_type=suffix, warnings=[])
    except (PyXFormError, ValueError):
        return
    try:
        xform = with_identity(result.xform, schema.form_id, schema.version)
    except XFormUnavailable:
        return
    store_xform(session, schema.form_id, schema.version, xform)


def xform_for(session: Session, schema: FormSchema) -> StoredXForm:
    """The stored XForm of a version, made from its schema (and stored) the first time.
    Raises ``XFormUnavailable``."""
    found = _row(session, schema.form_id, schema.version)
    if found is not None:
        return found
    return store_xform(session, schema.form_id, schema.version, xform_from_schema(schema))
