"""Conflicts as the desk shows and settles them: a value typed by a supervisor read as its
field's type, a clash's field found in the form, and who last set the server's value.
Pure functions: no session, no request."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.desk.i18n import localized
from app.forms.schema import Field, FormSchema
from app.sync.merge import ABSENT, PathError, same_value, value_at

# Field types a supervisor may type a value for; the others (photos, signatures, GPS, whole
# groups or rows) are settled by keeping one side.
TYPED = frozenset(
    {"text", "integer", "decimal", "date", "datetime", "select_one", "select_multiple", "yes_no"}
)
_ROW_KEY = re.compile(r"\[[^\]]*\]")


class BadValue(ValueError):
    """A typed value that does not read as its field's type; ``key`` names the message."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def field_of(schema: FormSchema | None, path: str) -> Field | None:
    """The form's field at a clash's path (``members[k1].age`` → ``members.age``)."""
    if schema is None:
        return None
    return schema.field_at(_ROW_KEY.sub("", path))


def label_of(schema: FormSchema | None, path: str, lang: str) -> str:
    found = field_of(schema, path)
    return localized(found.label, lang) if found is not None and found.label else path


def typeable(field: Field | None) -> bool:
    return field is not None and field.type in TYPED


def _choice(schema: FormSchema, field: Field, raw: str) -> str:
    wanted = raw.strip().casefold()
    for choice in schema.choices_for(field):
        labels = {localized(choice.label, lang).casefold() for lang in ("en", "km")}
        if wanted == choice.name.casefold() or wanted in labels:
            return choice.name
    raise BadValue("conflicts_bad_choice")


def parse_typed(schema: FormSchema, field: Field, raw: str) -> Any:
    """``raw`` as the JSON value ``field`` stores, or BadValue. The rules of the form (ranges,
    constraints, required) are checked afterwards by the same validation as a push."""
    value = raw.strip()
    kind = field.type
    if kind not in TYPED:
        raise BadValue("conflicts_not_typeable")
    if not value:
        raise BadValue("conflicts_value_required")
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d{1,15}", value):
            raise BadValue("conflicts_bad_integer")
        return int(value)
    if kind == "decimal":
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            raise BadValue("conflicts_bad_decimal") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise BadValue("conflicts_bad_decimal")
        return number
    if kind == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise BadValue("conflicts_bad_date") from None
    if kind == "datetime":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise BadValue("conflicts_bad_datetime") from None
        if moment.tzinfo is None:
            raise BadValue("conflicts_bad_datetime")
        return moment.isoformat()
    if kind == "yes_no":
        answer = value.casefold()
        if answer in ("yes", "បាទ/ចាស", "បាទ", "ចាស"):
            return "yes"
        if answer in ("no", "ទេ"):
            return "no"
        raise BadValue("conflicts_bad_yes_no")
    if kind == "select_one":
        return _choice(schema, field, value)
    if kind == "select_multiple":
        # names are one word; a label may hold spaces: commas part labels when there are any
        parts = [p.strip() for p in re.split("," if "," in value else r"\s+", value) if p.strip()]
        return list(dict.fromkeys(_choice(schema, field, p) for p in parts))
    return value  # text


@dataclass(frozen=True)
class RevisionAuthor:
    """Who made a revision, on which device, and when it was received."""

    rev: int
    by: str | None
    device_id: str | None
    at: datetime


def server_author(
    revisions: Sequence[tuple[RevisionAuthor, Any]],
    path: str,
    before_rev: int,
    row_keys: Mapping[str, str] | None = None,
) -> RevisionAuthor | None:
    """The revision that set the server's value at ``path``, of the revisions before
    ``before_rev`` (the clash's own): the first of the last unbroken run holding that value.
    ``revisions``: (author, data) in any order."""
    setter: RevisionAuthor | None = None
    previous: Any = ABSENT
    for author, data in sorted(revisions, key=lambda pair: pair[0].rev):
        if author.rev >= before_rev:
            break
        try:
            value = value_at(data, path, row_keys=row_keys) if isinstance(data, dict) else ABSENT
        except PathError:
            value = ABSENT
        if setter is None or not same_value(value, previous):
            setter = author
        previous = value
    return setter
