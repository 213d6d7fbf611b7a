"""A form schema flattened to tables of columns: one table of records, one per repeat.

The records' table has the metadata columns, then every field outside a repeat (a group's
fields flatten into it by their dotted path). Each repeat, at any depth, is a table of its
own: ``record_id``, its row key, the enclosing repeat's row key when it is nested, then its
fields. A header is the field's name (its dotted path; metadata other than ``record_id`` starts with
``_``), or its label in ``en`` or ``km`` (a field without a label keeps its name).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from app.forms.schema import CONTAINER_TYPES, SELECT_TYPES, Field, FormSchema, walk

# Fields that hold no answer of their own.
_NO_VALUE = frozenset({"note", *CONTAINER_TYPES})

# metadata key -> (English, Khmer) header
META_HEADERS: dict[str, tuple[str, str]] = {
    "record_id": ("Record ID", "លេខសម្គាល់កំណត់ត្រា"),
    "form_version": ("Form version", "កំណែទម្រង់"),
    "rev": ("Revision", "កំណែ"),
    "review_state": ("Review state", "ស្ថានភាពពិនិត្យ"),
    "placement_state": ("Placement", "ការដាក់ឱ្យថែទាំ"),
    "province": ("Province", "ខេត្ត"),
    "district": ("District", "ស្រុក"),
    "commune": ("Commune", "ឃុំ/សង្កាត់"),
    "created_by": ("Created by", "បង្កើតដោយ"),
    "created_at": ("First received", "ទទួលលើកដំបូង"),
    "updated_at": ("Last change", "ការផ្លាស់ប្ដូរចុងក្រោយ"),
    "row_key": ("Row ID", "លេខសម្គាល់ជួរ"),
    "parent_row_key": ("Parent row ID", "លេខសម្គាល់ជួរមេ"),
}
RECORD_META = (
    "record_id",
    "form_version",
    "rev",
    "review_state",
    "placement_state",
    "province",
    "district",
    "commune",
    "created_by",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class Column:
    """A column: metadata (``field`` None, ``path`` a key of META_HEADERS) or a field at
    ``path`` relative to the table's row."""

    path: str
    field: Field | None = None
    # choice name -> (English, Khmer) label, for a select
    choices: dict[str, tuple[str, str]] | None = None

    def header(self, lang: str | None) -> str:
        if self.field is None:
            english, khmer = META_HEADERS[self.path]
            # by name, metadata other than record_id starts with "_" (no clash with a field)
            name = self.path if self.path == "record_id" else f"_{self.path}"
            return {"en": english, "km": khmer}.get(lang or "", name)
        label = self.field.label
        if lang in ("en", "km") and label is not None:
            return str(getattr(label, lang) or label.en)
        return self.path


@dataclass(frozen=True)
class Table:
    """``repeat`` is the repeat's full dotted path ("" for the records' table); ``within``
    the full paths of the repeats that enclose it, outermost first."""

    repeat: str
    within: tuple[str, ...]
    row_keys: tuple[str, ...]  # the row key name of each repeat in (*within, repeat)
    columns: list[Column] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.repeat or "records"


def tables_of(schema: FormSchema) -> list[Table]:
    """The records' table first, then one table per repeat in document order."""
    infos = list(walk(schema.fields))
    repeats = {i.path: i.field for i in infos if i.field.type == "repeat"}
    main = Table("", (), (), [Column(key) for key in RECORD_META])
    tables: dict[str, Table] = {"": main}
    for info in infos:
        if info.field.type == "repeat":
            chain = (*info.repeats, info.path)
            table = Table(
                info.path,
                info.repeats,
                tuple(repeats[p].key_of_rows for p in chain),
                [Column("record_id")]
                + ([Column("parent_row_key")] if info.repeats else [])
                + [Column("row_key")],
            )
            tables[info.path] = table
            continue
        if info.field.type in _NO_VALUE:
            continue
        owner = info.repeats[-1] if info.repeats else ""
        relative = info.path[len(owner) + 1 :] if owner else info.path
        choices = None
        if info.field.type in SELECT_TYPES:
            choices = {c.name: (c.label.en, c.label.km) for c in schema.choices_for(info.field)}
        tables[owner].columns.append(Column(relative, info.field, choices))
    return list(tables.values())


def merged_tables(schemas: list[FormSchema]) -> list[Table]:
    """The tables of the newest schema (first), with any column only an older version has
    appended, so records made on an older version lose nothing."""
    base = tables_of(schemas[0])
    by_repeat = {t.repeat: t for t in base}
    for older in schemas[1:]:
        for table in tables_of(older):
            into = by_repeat.get(table.repeat)
            if into is None:
                base.append(table)
                by_repeat[table.repeat] = table
                continue
            known = {c.path for c in into.columns}
            into.columns.extend(c for c in table.columns if c.path not in known)
    return base


def value_at(data: Any, path: str) -> Any:
    """The value at a dotted path of nested objects, or None."""
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def repeat_rows(data: dict[str, Any], table: Table) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(enclosing row's key or None, row) for each row of ``table``'s repeat in ``data``."""
    chain = (*table.within, table.repeat)
    contexts: list[tuple[Any, dict[str, Any], str]] = [(None, data, "")]
    for depth, path in enumerate(chain):
        found: list[tuple[Any, dict[str, Any], str]] = []
        for parent, obj, base in contexts:
            rows = value_at(obj, path[len(base) :])
            if not isinstance(rows, list):
                continue
            for row in rows:
                if isinstance(row, dict):
                    key = row.get(table.row_keys[depth])
                    found.append((parent if depth == len(chain) - 1 else key, row, path + "."))
        contexts = found
    # at the last level, the first item is the enclosing repeat's row key (None at the top)
    for parent, row, _base in contexts:
        yield parent, row
