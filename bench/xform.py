"""Write a submission as the ODK XForm XML instance ODK Collect would send for it.

Used by ``bench/sync_bench.py`` to compare bytes on the wire. The instance follows what
JavaRosa serialises on "Send finalized form":

- ``<data id="FORM_ID" version="VERSION">`` as the root, one element per field in document order;
- a group is an element holding its fields; a repeat is one element per row, repeated;
- calculated values are in the instance (ODK computes them on the tablet and sends them);
- a note is an empty element; nodes that are not relevant are left out (JavaRosa prunes them),
  so a field the validated data does not hold is left out, and so is a note with a
  ``relevant`` condition (conservative: fewer bytes for ODK, never more);
- geopoint is ``"lat lon altitude accuracy"``; select_multiple is space-separated;
  photo/signature/audio/file fields hold the media *file name* (the file travels as its own
  multipart part, as our attachments travel on their own ``PUT``);
- ``<meta><instanceID>uuid:…</instanceID></meta>`` last.

No XML declaration and no ``xmlns`` attributes are written (ODK Collect writes both), again
so the comparison never favours us.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from app.forms.schema import Field, FormSchema

MEDIA_TYPES = {"photo", "image", "signature", "audio", "video", "file", "drawing"}
MEDIA_EXTENSIONS = {"signature": "png", "drawing": "png", "audio": "m4a", "video": "mp4"}


def _number(value: float | int) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(value)  # JavaRosa writes decimals with their ".0"
    return str(value)


def _text(f: Field, value: Any, media_names: dict[str, str]) -> str:
    if value is None:
        return ""
    if f.type == "geopoint" and isinstance(value, dict):
        parts = [
            value.get("lat"),
            value.get("lon"),
            value.get("altitude", 0.0),
            value.get("accuracy", 0.0),
        ]
        return " ".join(_number(p if p is not None else 0.0) for p in parts)
    if f.type == "select_multiple" and isinstance(value, list):
        return " ".join(str(v) for v in value)
    if f.type in MEDIA_TYPES and isinstance(value, str):
        return media_names.setdefault(
            value, f"{1763600000000 + len(media_names)}.{MEDIA_EXTENSIONS.get(f.type, 'jpg')}"
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    return escape(str(value))


def _level(
    fields: list[Field], data: dict[str, Any], out: list[str], media_names: dict[str, str]
) -> None:
    for f in fields:
        name = f.name
        if f.type == "note":
            if f.relevant is None:
                out.append(f"<{name}/>")
            continue
        if name not in data:
            continue  # not relevant: pruned
        value = data[name]
        if f.type == "repeat":
            for row in value or []:
                out.append(f"<{name}>")
                _level(f.fields or [], row, out, media_names)
                out.append(f"</{name}>")
        elif f.type == "group":
            out.append(f"<{name}>")
            _level(f.fields or [], value or {}, out, media_names)
            out.append(f"</{name}>")
        else:
            text = _text(f, value, media_names)
            out.append(f"<{name}>{text}</{name}>" if text != "" else f"<{name}/>")


def xform_instance(schema: FormSchema, data: dict[str, Any], instance_id: str) -> str:
    """The XML instance for ``data`` (validated data: calculated values filled in)."""
    out = [f'<data id="{escape(schema.form_id)}" version="{escape(schema.version)}">']
    _level(schema.fields, data, out, {})
    out.append(f"<meta><instanceID>uuid:{instance_id}</instanceID></meta></data>")
    return "".join(out)
