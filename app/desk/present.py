"""A record's data shown with its form's labels: sections for groups and repeats, choice
labels, dates as people write them; and the field-level difference between two revisions.
Pure functions: no session, no request."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.desk.i18n import format_date, format_datetime, in_lang_digits, localized, text
from app.forms.schema import Field, FormSchema


@dataclass
class Item:
    """One answer (``value``), or a section: a group (``items``) or a repeat (``rows``)."""

    label: str
    kind: str = "field"  # field | group | repeat | image (a photo, a signature) | link (GPS)
    value: str = ""
    href: str = ""  # image: the file on the desk; link: a geo: URI (no map tiles from outside)
    items: list[Item] = field(default_factory=list)
    rows: list[list[Item]] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    path: str
    label: str
    before: str
    after: str


def show_value(schema: FormSchema | None, f: Field | None, value: Any, lang: str) -> str:
    """One answer as text in ``lang``."""
    if value is None or value == "" or value == []:
        return text(lang, "not_answered")
    if f is None or schema is None:
        return _plain(value, lang)
    if f.type in {"select_one", "select_multiple"}:
        labels = {c.name: localized(c.label, lang) for c in schema.choices_for(f)}
        names = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(n), str(n)) for n in names)
    if f.type == "yes_no" or isinstance(value, bool):
        if value in (True, "yes"):
            return text(lang, "yes")
        if value in (False, "no"):
            return text(lang, "no")
    if f.type == "date":
        return format_date(str(value), lang)
    if f.type == "datetime":
        return format_datetime(str(value), lang)
    if f.type in {"integer", "decimal"} and isinstance(value, int | float):
        return in_lang_digits(str(value), lang)
    return _plain(value, lang)


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _answer(
    schema: FormSchema, f: Field, label: str, value: Any, lang: str, missing: frozenset[str]
) -> Item:
    """One answer: a photo or a signature as its image (or, when its file has not arrived,
    says so), a GPS point as a geo: link."""
    if f.type in {"photo", "signature"} and isinstance(value, str) and _SHA256.match(value):
        if value in missing:
            return Item(label, value=text(lang, "file_not_received"))
        return Item(label, "image", value=value, href=f"/review/files/{value}")
    if f.type == "geopoint" and isinstance(value, dict):
        lat, lon = value.get("lat"), value.get("lon")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            accuracy = value.get("accuracy")
            shown = f"{lat:.6f}, {lon:.6f}"
            if isinstance(accuracy, int | float):
                shown += " " + text(lang, "gps_accuracy", metres=round(accuracy))
            return Item(label, "link", value=in_lang_digits(shown, lang), href=f"geo:{lat},{lon}")
    return Item(label, value=show_value(schema, f, value, lang))


def _plain(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return text(lang, "yes" if value else "no")
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v, lang)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_plain(v, lang) for v in value)
    return str(value)


def present(
    schema: FormSchema | None,
    data: dict[str, Any],
    lang: str,
    missing: frozenset[str] = frozenset(),
) -> list[Item]:
    """The record's answers in form order; keys the form does not know follow by name.
    ``missing``: the SHA-256 of the files the record names that have not arrived."""
    if schema is None:
        return [Item(label=k, value=_plain(v, lang)) for k, v in data.items()]
    return _items(schema, schema.fields, data, lang, missing)


def _items(
    schema: FormSchema,
    fields: list[Field],
    data: dict[str, Any],
    lang: str,
    missing: frozenset[str],
) -> list[Item]:
    shown: list[Item] = []
    known = set()
    for f in fields:
        known.add(f.name)
        if f.type in {"note", "calculate"}:
            continue
        label = localized(f.label, lang) or f.name
        value = data.get(f.name)
        if f.type == "group":
            inner = value if isinstance(value, dict) else {}
            items = _items(schema, f.fields or [], inner, lang, missing)
            if items:  # a group not asked (not relevant) is not shown
                shown.append(Item(label, "group", items=items))
        elif f.type == "repeat":
            rows = value if isinstance(value, list) else []
            shown.append(
                Item(
                    label,
                    "repeat",
                    rows=[
                        _items(
                            schema, f.fields or [], r if isinstance(r, dict) else {}, lang, missing
                        )
                        for r in rows
                    ],
                )
            )
        else:
            if value is None and f.name not in data:
                continue
            shown.append(_answer(schema, f, label, value, lang, missing))
    return shown


def _flatten(
    schema: FormSchema | None, fields: list[Field] | None, data: Any, prefix: str, label: str
) -> dict[str, tuple[str, Field | None, Any]]:
    """path -> (label, field, value) of every leaf answer; repeat rows keyed by their row key."""
    out: dict[str, tuple[str, Field | None, Any]] = {}
    if not isinstance(data, dict):
        return out
    by_name = {f.name: f for f in fields or []}
    for name, value in data.items():
        f = by_name.get(name)
        path = f"{prefix}{name}"
        here = " › ".join(p for p in (label, _label_of(f, name)) if p)
        if f is not None and f.type == "group":
            out.update(_flatten(schema, f.fields, value, f"{path}.", here))
        elif f is not None and f.type == "repeat" and isinstance(value, list):
            for i, row in enumerate(value):
                key = row.get(f.key_of_rows, i) if isinstance(row, dict) else i
                out.update(_flatten(schema, f.fields, row, f"{path}[{key}].", f"{here} {i + 1}"))
        else:
            out[path] = (here, f, value)
    return out


def _label_of(f: Field | None, name: str) -> str:
    return name if f is None or f.label is None else f"\0{name}"  # resolved per language


def diff(
    schema: FormSchema | None, before: dict[str, Any], after: dict[str, Any], lang: str
) -> list[Change]:
    """The answers that differ between two revisions, in the later revision's order."""
    fields = schema.fields if schema else None
    old = _flatten(schema, fields, before, "", "")
    new = _flatten(schema, fields, after, "", "")
    labels = _labels(schema, lang)
    changes: list[Change] = []
    for path in [*new, *(p for p in old if p not in new)]:
        o, n = old.get(path), new.get(path)
        if o is not None and n is not None and o[2] == n[2]:
            continue
        label_key, f, _ = n or o  # type: ignore[misc]
        changes.append(
            Change(
                path=path,
                label=_resolve(label_key, labels),
                before=show_value(schema, f, o[2], lang) if o else text(lang, "not_answered"),
                after=show_value(schema, f, n[2], lang) if n else text(lang, "not_answered"),
            )
        )
    return changes


def _labels(schema: FormSchema | None, lang: str) -> dict[str, str]:
    found: dict[str, str] = {}

    def visit(fields: list[Field]) -> None:
        for f in fields:
            found.setdefault(f.name, localized(f.label, lang) or f.name)
            if f.fields:
                visit(f.fields)

    if schema is not None:
        visit(schema.fields)
    return found


def _resolve(label: str, labels: dict[str, str]) -> str:
    parts = []
    for part in label.split(" › "):
        if part.startswith("\0"):
            name, _, rest = part[1:].partition(" ")
            parts.append(f"{labels.get(name, name)} {rest}".strip())
        else:
            parts.append(part)
    return " › ".join(parts)
