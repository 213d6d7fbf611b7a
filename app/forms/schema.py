"""The native form format: Pydantic models, structural checks, canonical bytes and hash.

A published form version is immutable: `content_hash` of its `canonical_json` identifies it.
The format is documented in docs/forms.md; expressions in docs/expressions.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, model_validator
from pydantic import Field as PydField

from app.auth.roles import Role
from app.forms.expressions import ExpressionError, column_names, parse, references

FieldType = Literal[
    "text",
    "integer",
    "decimal",
    "date",
    "datetime",
    "select_one",
    "select_multiple",
    "yes_no",
    "geopoint",
    "photo",
    "signature",
    "note",
    "calculate",
    "reference",
    "group",
    "repeat",
]

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"  # XML names, less "." (it separates paths)
FORM_ID_PATTERN = r"^[a-z][a-z0-9_]{1,63}$"
VERSION_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$"
CHOICE_NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
DEFAULT_ROW_KEY = "_row_id"
# In a choice_filter, `${choice.province}` is an alias of the bare column `province`.
CHOICE_REF_PREFIX = "choice."
DEFAULT_TEXT_MAX_LENGTH = 2000
# The validation context reading a version already stored (`app.forms.store.schema_of`): a
# published version never changes, so it is read as it was accepted. The checks marked "new
# versions only" below are skipped for it; every other check is made again.
STORED = {"stored": True}

SELECT_TYPES = frozenset({"select_one", "select_multiple"})
CONTAINER_TYPES = frozenset({"group", "repeat"})
NUMBER_TYPES = frozenset({"integer", "decimal"})
MEDIA_TYPES = frozenset({"photo", "signature"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocalizedText(_Model):
    """A text in English and Khmer. Both are required in the native format."""

    en: str = PydField(min_length=1)
    km: str = PydField(min_length=1)


class Choice(_Model):
    name: str = PydField(pattern=CHOICE_NAME_PATTERN, max_length=64)
    label: LocalizedText
    filter: dict[str, str | int | float | bool] | None = None


class ReferenceTarget(_Model):
    form_id: str = PydField(pattern=FORM_ID_PATTERN)


class MediaSpec(_Model):
    max_size_bytes: int | None = PydField(default=None, gt=0)
    content_types: list[str] | None = None


class DefaultExpression(_Model):
    """A dynamic default, `{"expression": "today()"}`, evaluated by the client."""

    expression: str


DefaultValue = DefaultExpression | bool | int | float | str | list[str]


class Field(_Model):
    name: str = PydField(pattern=NAME_PATTERN, max_length=64)
    type: FieldType
    label: LocalizedText | None = None
    hint: LocalizedText | None = None
    required: bool | str = False
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: LocalizedText | None = None
    calculation: str | None = None
    default: DefaultValue | None = None
    read_only: bool = False
    choices: list[Choice] | None = None
    choice_list: str | None = None
    choice_filter: str | None = None
    reference: ReferenceTarget | None = None
    fields: list[Field] | None = None
    min_count: int | None = PydField(default=None, ge=0)
    max_count: int | None = PydField(default=None, ge=1)
    row_key: str | None = PydField(default=None, pattern=NAME_PATTERN)
    appearance: str | None = None
    max_length: int | None = PydField(default=None, ge=1)
    min: float | None = None
    max: float | None = None
    media: MediaSpec | None = None

    @property
    def key_of_rows(self) -> str:
        """The key each repeat row carries (a client-made UUID) so rows merge by identity."""
        return self.row_key or DEFAULT_ROW_KEY

    @property
    def text_max_length(self) -> int:
        return self.max_length or DEFAULT_TEXT_MAX_LENGTH

    def expressions(self) -> Iterator[tuple[str, str]]:
        """(attribute, source) for every expression this field carries."""
        if isinstance(self.required, str):
            yield "required", self.required
        for attr in ("relevant", "constraint", "calculation", "choice_filter"):
            source = getattr(self, attr)
            if source is not None:
                yield attr, source
        if isinstance(self.default, DefaultExpression):
            yield "default", self.default.expression

    @model_validator(mode="after")
    def _check_attributes_fit_type(self, info: ValidationInfo) -> Field:
        stored = bool(info.context and info.context.get("stored"))
        problems = list(_type_problems(self, new=not stored))
        if problems:
            raise ValueError(f"field {self.name!r}: " + "; ".join(problems))
        return self


def _type_problems(f: Field, *, new: bool = True) -> Iterator[str]:
    t = f.type
    if f.label is None and t != "calculate":
        yield "a label is required"
    if t in SELECT_TYPES:
        if (f.choices is None) == (f.choice_list is None):
            yield "a select needs exactly one of 'choices' or 'choice_list'"
        if f.choices is not None:
            if not f.choices:
                yield "'choices' is empty"
            dup = _duplicate_choices(f.choices)
            if dup:
                yield f"duplicate choice names {dup}"
    elif f.choices is not None or f.choice_list is not None or f.choice_filter is not None:
        yield "choices apply only to select_one and select_multiple"
    if t in CONTAINER_TYPES:
        if not f.fields:
            yield f"a {t} needs child 'fields'"
    elif f.fields is not None:
        yield "child 'fields' apply only to group and repeat"
    if t != "repeat" and (
        f.min_count is not None or f.max_count is not None or f.row_key is not None
    ):
        yield "min_count, max_count and row_key apply only to repeat"
    if t == "repeat":
        if f.min_count is not None and f.max_count is not None and f.min_count > f.max_count:
            yield "min_count is greater than max_count"
        if f.fields and any(c.name == f.key_of_rows for c in f.fields):
            yield f"a child field is named like the row key {f.key_of_rows!r}"
    if t == "reference" and f.reference is None:
        yield "a reference needs 'reference': {'form_id': ...}"
    if t != "reference" and f.reference is not None:
        yield "'reference' applies only to reference fields"
    if t == "calculate" and not f.calculation:
        yield "a calculate field needs a 'calculation'"
    if t in {"note", "group", "repeat"} and (f.required or f.calculation or f.constraint):
        yield f"a {t} takes no required, calculation or constraint"
    elif new and t != "calculate" and f.calculation is not None and not f.read_only:
        # (new versions only: see STORED)
        yield (
            "a calculation needs read_only (the server recomputes the value, so one typed in"
            " would be lost) or the type calculate"
        )
    if f.max_length is not None and t != "text":
        yield "max_length applies only to text"
    if (f.min is not None or f.max is not None) and t not in NUMBER_TYPES:
        yield "min and max apply only to integer and decimal"
    if f.min is not None and f.max is not None and f.min > f.max:
        yield "min is greater than max"
    if f.media is not None and t not in MEDIA_TYPES:
        yield "media applies only to photo and signature"


def _duplicate_choices(choices: list[Choice]) -> list[str]:
    """Choice names given twice. A name may repeat with the same label and another `filter`
    (the same county under two states of a cascading select: XLSForm's
    `allow_choice_duplicates`); a value then still has one label."""
    first: dict[str, Choice] = {}
    filters: dict[str, list[object]] = {}
    dup: list[str] = []
    for c in choices:
        seen = first.setdefault(c.name, c)
        key = sorted((c.filter or {}).items())
        earlier = filters.get(c.name, [])
        clash = seen.label != c.label or not key or key in earlier or [] in earlier
        if seen is not c and clash and c.name not in dup:
            dup.append(c.name)
        filters.setdefault(c.name, []).append(key)
    return dup


def _duplicates(names: Iterator[str] | list[str]) -> list[str]:
    seen: set[str] = set()
    dup: list[str] = []
    for n in names:
        if n in seen and n not in dup:
            dup.append(n)
        seen.add(n)
    return dup


class Rule(_Model):
    """A server rule evaluated at the top level of a submission.

    When `when` is true, `refuse` rejects the submission and `flag` adds a non-blocking flag,
    both reported at `path` with `message` and `code` (default `rule_refused` / `rule_flagged`).
    """

    id: str = PydField(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    kind: Literal["refuse", "flag"]
    when: str
    path: str
    message: LocalizedText
    code: str | None = PydField(default=None, pattern=r"^[a-z][a-z0-9_]{0,63}$")
    urgent: bool = False

    @property
    def issue_code(self) -> str:
        return self.code or ("rule_refused" if self.kind == "refuse" else "rule_flagged")


class FormSettings(_Model):
    priority: Literal["normal", "urgent"] = "normal"
    instance_name: str | None = None
    default_language: Literal["km", "en"] = "km"


class FormSchema(_Model):
    form_id: str = PydField(pattern=FORM_ID_PATTERN)
    version: str = PydField(pattern=VERSION_PATTERN)
    title: LocalizedText
    description: LocalizedText | None = None
    roles: list[Role] = PydField(min_length=1)
    location_field: str | None = None
    fields: list[Field] = PydField(min_length=1)
    choice_lists: dict[str, list[Choice]] = PydField(default_factory=dict)
    rules: list[Rule] = PydField(default_factory=list)
    settings: FormSettings | None = None
    # some texts have no Khmer (an XLSForm in English): English is shown in their place
    needs_khmer: bool = False

    def field_at(self, path: str) -> Field | None:
        """The field at a dotted path of names (`household.members.age`), or None."""
        for info in walk(self.fields):
            if info.path == path:
                return info.field
        return None

    def choices_for(self, f: Field) -> list[Choice]:
        if f.choices is not None:
            return f.choices
        return self.choice_lists.get(f.choice_list or "", [])

    @model_validator(mode="after")
    def _check_form(self) -> FormSchema:
        problems = list(_form_problems(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self


@dataclass(frozen=True)
class FieldInfo:
    """A field with its dotted path (repeats not indexed) and the repeats enclosing it."""

    path: str
    field: Field
    repeats: tuple[str, ...]


def walk(
    fields: list[Field], prefix: str = "", repeats: tuple[str, ...] = ()
) -> Iterator[FieldInfo]:
    """Every field, depth first in document order."""
    for f in fields:
        path = f"{prefix}{f.name}"
        yield FieldInfo(path, f, repeats)
        if f.fields:
            inner = (*repeats, path) if f.type == "repeat" else repeats
            yield from walk(f.fields, f"{path}.", inner)


def _form_problems(schema: FormSchema) -> Iterator[str]:
    yield from _duplicate_name_problems(schema.fields, "")
    infos = list(walk(schema.fields))
    by_name: dict[str, list[FieldInfo]] = {}
    for info in infos:
        by_name.setdefault(info.field.name, []).append(info)

    for list_name, choices in schema.choice_lists.items():
        if not choices:
            yield f"choice list {list_name!r} is empty"
        dup = _duplicate_choices(choices)
        if dup:
            yield f"choice list {list_name!r}: duplicate choice names {dup}"
    for info in infos:
        f = info.field
        if f.choice_list is not None and f.choice_list not in schema.choice_lists:
            yield f"field {info.path!r}: unknown choice list {f.choice_list!r}"
        for attr in ("label", "hint", "constraint_message"):
            text = getattr(f, attr)
            if text is not None:
                yield from _label_problems(f"field {info.path!r} ({attr})", text, by_name)
        columns = _choice_columns(schema.choices_for(f)) if f.choice_filter else frozenset()
        for attr, source in f.expressions():
            allowed = columns if attr == "choice_filter" else frozenset()
            yield from _expression_problems(
                f"field {info.path!r} ({attr})", source, by_name, allowed
            )

    if schema.location_field is not None:
        yield from _top_path_problems("location_field", schema.location_field, schema)
        loc = schema.field_at(schema.location_field)
        if loc is not None and loc.type not in {"text", "select_one", "reference", "calculate"}:
            yield "location_field must be a text, select_one, calculate or reference field"
    dup_rules = _duplicates(r.id for r in schema.rules)
    if dup_rules:
        yield f"duplicate rule ids {dup_rules}"
    for rule in schema.rules:
        yield from _top_path_problems(f"rule {rule.id!r} path", rule.path, schema)
        yield from _expression_problems(f"rule {rule.id!r} (when)", rule.when, by_name)
    if schema.settings and schema.settings.instance_name:
        yield from _expression_problems(
            "settings.instance_name", schema.settings.instance_name, by_name
        )


def _duplicate_name_problems(fields: list[Field], prefix: str) -> Iterator[str]:
    dup = _duplicates(f.name for f in fields)
    if dup:
        where = f"in {prefix.rstrip('.')!r}" if prefix else "at the top level"
        yield f"duplicate field names {dup} {where}"
    for f in fields:
        if f.fields:
            yield from _duplicate_name_problems(f.fields, f"{prefix}{f.name}.")


def _top_path_problems(what: str, path: str, schema: FormSchema) -> Iterator[str]:
    info = next((i for i in walk(schema.fields) if i.path == path), None)
    if info is None:
        yield f"{what} {path!r} names no field"
    elif info.repeats:
        yield f"{what} {path!r} is inside a repeat"
    elif info.field.type in CONTAINER_TYPES and not what.startswith("rule"):
        yield f"{what} {path!r} is a {info.field.type}"


def _choice_columns(choices: list[Choice]) -> frozenset[str]:
    """The columns a choice_filter may read as bare names: `name` and the `filter` keys."""
    return frozenset({"name"}.union(*(c.filter or {} for c in choices)))


def _expression_problems(
    where: str,
    source: str,
    by_name: dict[str, list[FieldInfo]],
    columns: frozenset[str] = frozenset(),
) -> Iterator[str]:
    """Parse errors, bad `${name}`s and bare names (choice columns, in a choice_filter only)."""
    try:
        parse(source)
        names = references(source)
        bare = column_names(source)
    except ExpressionError as exc:
        yield f"{where}: invalid expression {source!r}: {exc}"
        return
    for name in sorted(names):
        if columns and name.startswith(CHOICE_REF_PREFIX):
            bare.add(name[len(CHOICE_REF_PREFIX) :])
            continue
        found = by_name.get(name, [])
        if not found:
            yield f"{where}: ${{{name}}} names no field"
        elif len(found) > 1:
            yield f"{where}: ${{{name}}} is ambiguous ({', '.join(i.path for i in found)})"
        elif found[0].field.type == "group":  # a repeat reads as its rows, for count()
            yield f"{where}: ${{{name}}} is a group, not a value"
    for name in sorted(bare - columns):
        if columns:
            yield f"{where}: {name!r} is not a column of the choices ({', '.join(sorted(columns))})"
        else:
            yield f"{where}: bare name {name!r}: quote a text ('{name}') or write ${{{name}}}"


_LABEL_REF = re.compile(r"\$\{([^}]*)\}")


def _label_problems(
    where: str, text: LocalizedText, by_name: dict[str, list[FieldInfo]]
) -> Iterator[str]:
    """A label may show a value as `${name}`: the name must be one field's."""
    for name in sorted(set(_LABEL_REF.findall(text.en)) | set(_LABEL_REF.findall(text.km))):
        if len(by_name.get(name, [])) != 1:
            yield f"{where}: ${{{name}}} names no single field"


def canonical_json(schema: FormSchema) -> bytes:
    """The schema as canonical bytes: defaults omitted, keys sorted, no whitespace, UTF-8."""
    data = schema.model_dump(mode="json", exclude_defaults=True)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(schema: FormSchema) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(schema)).hexdigest()
