"""XLSForm question types onto native field types, read from pyxform's own tables.

pyxform knows every spelling of every type (`q text`, `add text prompt`, `select one from x`,
`... or specify other`) and what each becomes in an XForm: a bind type (`string`, `int`,
`time`, `binary` …), a control (`input`, `upload` with a media type, `trigger`) or none (a
calculation or device metadata, `jr:preload`). Homeward maps that normalised description, not
the spelling, so whatever pyxform accepts is read the way pyxform reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pyxform import aliases
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

# `time` is kept as text checked by this constraint (ODK writes HH:MM:SS.sss+07:00; a browser's
# time input gives HH:MM); the appearance `time` makes the field app show a time picker.
TIME_CONSTRAINT = (
    "regex(., '^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?"
    "(Z|[+-][0-9]{2}:[0-9]{2})?$')"
)
# audio, video and file questions are attachments: a `photo` field whose `media.content_types`
# says what it takes (the field app then offers a plain file picker, with no image reduction)
ATTACHMENT_TYPES = {
    "audio/*": ["audio/*"],
    "video/*": ["video/*"],
    "application/*": ["*/*"],
    "osm/*": ["*/*"],  # an OpenStreetMap question: the file OpenMapKit makes
}

_SELECTS = {k: v for k, v in aliases.select.items() if k not in aliases.select_from_file}
_SELECT = re.compile(
    r"^(?P<command>"
    + "|".join(re.escape(k) for k in sorted(_SELECTS, key=len, reverse=True))
    + r") (?P<list>\S+)(?P<other> (or specify other|or_other|or other))?$"
)


@dataclass(frozen=True)
class MappedType:
    """What one XLSForm type becomes: a native type, or dropped / refused (with a reason)."""

    native: str | None = None  # None: dropped (metadata) or refused
    list_name: str | None = None
    or_other: bool = False
    constraint: str | None = None  # a check the type carries (phone number, time)
    appearance: str | None = None  # a display hint the type carries (time)
    content_types: list[str] | None = None  # for attachments other than photos
    dropped: bool = False
    external: bool = False  # select_one_external: the list is on the external_choices sheet
    refused: str | None = None  # why, when refused


def map_type(kind: str) -> MappedType:
    """The native mapping of the XLSForm type `kind` (words already single-spaced)."""
    select = _SELECT.match(kind)
    if select:
        command = _SELECTS[select["command"]]
        if command == "select one":
            native = "select_one"
        elif command == "select all that apply":
            native = "select_multiple"
        elif command == "select one external":  # its choices: the external_choices sheet
            return MappedType("select_one", select["list"], external=True)
        else:  # rank
            return MappedType(refused=_REFUSED.get(command, f"{command} is not supported"))
        return MappedType(native, select["list"], or_other=bool(select["other"]))
    first = kind.split(" ")[0] if kind else kind
    if first in aliases.select_from_file or kind.startswith(tuple(aliases.select_from_file)):
        return MappedType(refused=_REFUSED["from file"])
    if first == "osm":  # `osm LIST`: the list names OpenStreetMap tags, on the osm sheet
        kind = first
    canonical = aliases._type_alias_map.get(kind, kind)  # imei, image, add … prompt
    entry = QUESTION_TYPE_DICT.get(canonical)
    if entry is None:
        return MappedType(refused=f"type {kind!r} has no Homeward equivalent")
    return _from_entry(canonical, entry)


def _from_entry(kind: str, entry: dict[str, Any]) -> MappedType:
    bind: dict[str, Any] = entry.get("bind", {})
    control: dict[str, Any] = entry.get("control", {})
    xtype, tag = bind.get("type"), control.get("tag")
    if kind in _REFUSED:
        return MappedType(refused=_REFUSED[kind])
    if "jr:preload" in bind:  # start, end, today, deviceid, phonenumber, username …
        return MappedType(dropped=True)
    if tag is None and xtype == "string":  # calculate, hidden
        return MappedType("calculate")
    if tag == "trigger" and xtype in ("string", None):  # acknowledge, trigger
        return MappedType("yes_no")
    if tag == "upload" and xtype == "binary":
        media = control.get("mediatype", "")
        if media == "image/*":
            return MappedType("photo")
        if media in ATTACHMENT_TYPES:
            return MappedType("photo", content_types=ATTACHMENT_TYPES[media])
    if tag == "input":
        if xtype == "string" and bind.get("readonly") == "true()":
            return MappedType("note")
        if xtype == "time":
            return MappedType("text", constraint=TIME_CONSTRAINT, appearance="time")
        native = _INPUTS.get(xtype or "")
        if native is not None:
            return MappedType(native, constraint=bind.get("constraint"))
    return MappedType(refused=f"type {kind!r} has no Homeward equivalent")


_INPUTS = {
    "string": "text",  # text, phone number (with pyxform's digits-only constraint)
    "barcode": "text",  # the code typed, or read by a scanner acting as a keyboard
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "dateTime": "datetime",
    "geopoint": "geopoint",
}
_REFUSED = {
    "geotrace": "lines (geotrace) are not supported; use geopoint",
    "geoshape": "shapes (geoshape) are not supported; use geopoint",
    "q geotrace": "lines (geotrace) are not supported; use geopoint",
    "q geoshape": "shapes (geoshape) are not supported; use geopoint",
    "background-audio": "background audio recording runs outside any question: not supported",
    "range": "range widgets are not supported; use integer or decimal with a constraint",
    "rank": "ranking questions are not supported",
    "audit": "audit logs (every screen a user visits) are not supported",
    "start-geopoint": "start-geopoint is not supported; use a geopoint question",
    "background-geopoint": "background-geopoint is not supported; use a geopoint question",
    "xml-external": "external XML data is not supported",
    "csv-external": "external CSV data is not supported",
    "select one external": "choices from an external file are not supported; "
    "put them on the choices sheet",
    "from file": "choices from an external file are not supported; put them on the choices sheet",
}
