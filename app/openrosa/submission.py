"""An OpenRosa submission's XML read as Homeward data, field by field of the form's schema.

The instance's root names the form (``id``, ``version``); its children are the form's
fields by name: a group is an element holding its fields (a nested object), a repeat is
one element per row (an array of objects), a select_multiple is space-separated (an array),
numbers become JSON numbers, a geopoint ``lat lon altitude accuracy`` becomes an object, a
photo or a signature names a file of the submission (replaced by its SHA-256). A node that
is absent or empty is left out (JavaRosa and Web Forms drop non-relevant nodes). ``meta``
(with or without the ``orx:`` namespace) carries the instanceID and the deprecatedID.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from app.forms.schema import MEDIA_TYPES, Field

INSTANCE_ID = re.compile(
    r"^(?:uuid:)?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)


class SubmissionInvalid(Exception):
    """The XML cannot be read as a submission (a 400 that says why)."""


@dataclass(frozen=True)
class Header:
    """What the root and ``meta`` say: which form version, which instance, which it replaces."""

    form_id: str
    version: str
    instance_id: str  # as sent, e.g. "uuid:…"
    deprecated_id: str | None
    root: ET.Element


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element) -> dict[str, list[ET.Element]]:
    out: dict[str, list[ET.Element]] = {}
    for child in element:
        if isinstance(child.tag, str):
            out.setdefault(_local(child.tag), []).append(child)
    return out


def read_header(xml: bytes) -> Header:
    try:
        root = fromstring(xml, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as exc:
        raise SubmissionInvalid(f"The submission is not well-formed XML: {exc}") from exc
    form_id = root.get("id")
    if not form_id:
        raise SubmissionInvalid("The submission's root element has no id (the form's id).")
    version = root.get("version") or ""
    meta = _children(root).get("meta", [])
    fields = _children(meta[0]) if meta else {}
    instance_id = _text(fields.get("instanceID"))
    if not instance_id:
        raise SubmissionInvalid("The submission has no meta/instanceID.")
    if record_id_of(instance_id) is None:
        raise SubmissionInvalid(
            f"The instanceID {instance_id!r} is not a UUID (uuid:xxxxxxxx-xxxx-…)."
        )
    deprecated = _text(fields.get("deprecatedID")) or None
    if deprecated is not None and record_id_of(deprecated) is None:
        raise SubmissionInvalid(f"The deprecatedID {deprecated!r} is not a UUID.")
    return Header(form_id, version, instance_id, deprecated, root)


def record_id_of(instance_id: str) -> str | None:
    """The UUID an instanceID carries (lower case), or None."""
    match = INSTANCE_ID.match(instance_id.strip())
    return match.group(1).lower() if match else None


def _text(elements: list[ET.Element] | None) -> str:
    if not elements:
        return ""
    return (elements[0].text or "").strip()


FileHash = Callable[[str], str | None]


def read_data(root: ET.Element, fields: list[Field], file_hash: FileHash) -> dict[str, Any]:
    """The data of the submission, keyed by field names. ``file_hash(name)``: the SHA-256 of
    the file the submission names ``name`` (None when it did not arrive: SubmissionInvalid)."""
    return _level(root, fields, file_hash, "")


def _level(
    element: ET.Element, fields: list[Field], file_hash: FileHash, prefix: str
) -> dict[str, Any]:
    found = _children(element)
    data: dict[str, Any] = {}
    for f in fields:
        nodes = found.get(f.name)
        if not nodes:
            continue
        path = prefix + f.name
        if f.type == "group":
            group = _level(nodes[0], f.fields or [], file_hash, path + ".")
            if group:
                data[f.name] = group
        elif f.type == "repeat":
            rows = []
            for index, node in enumerate(nodes):
                row = _level(node, f.fields or [], file_hash, f"{path}.{index}.")
                key = _text(_children(node).get(f.key_of_rows))
                if key and f.row_key is None:
                    row[f.key_of_rows] = key
                rows.append(row)
            data[f.name] = rows
        elif f.type != "note":
            text = (nodes[0].text or "").strip()
            if text:
                data[f.name] = _value(f, text, file_hash, path)
    return data


def _value(f: Field, text: str, file_hash: FileHash, path: str) -> Any:
    """A leaf's text as the JSON value a push would carry (a value that does not read as its
    type is kept as text: validation then says what is wrong with it, by path)."""
    if f.type == "select_multiple":
        return text.split()
    if f.type in {"integer", "decimal"}:
        return _number(text, integer=f.type == "integer")
    if f.type == "geopoint":
        return _geopoint(text)
    if f.type in MEDIA_TYPES:
        digest = file_hash(text)
        if digest is None:
            raise SubmissionInvalid(f"The file {text!r} named at {path} did not arrive.")
        return digest
    return text


def _number(text: str, *, integer: bool) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text
    if integer:
        return int(number) if number.is_integer() else text
    return int(number) if number.is_integer() and "." not in text else number


def _geopoint(text: str) -> Any:
    parts = text.split()
    if not 2 <= len(parts) <= 4:
        return text
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return text
    point: dict[str, Any] = {"lat": numbers[0], "lon": numbers[1]}
    point["altitude"] = numbers[2] if len(numbers) > 2 else 0.0
    point["accuracy"] = numbers[3] if len(numbers) > 3 else 0.0
    return point
