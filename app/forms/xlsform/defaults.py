"""What Homeward fills in where a workbook made for ODK Central or Kobo says nothing.

A version derived from the form's content, and `or_other`'s extra choice and text field.
(English in place of a missing Khmer and the field roles for missing `roles` are decided
where the texts and settings are read, in `importer.py`.)
"""

from __future__ import annotations

import hashlib
from typing import Any

from app.forms.schema import FormSchema, canonical_json

OR_OTHER_SUFFIX = "_or_other"  # the list of a `select_one LIST or_other`: LIST and `other`
OTHER = "other"
_OTHER_LABEL = {"en": "Other", "km": "ផ្សេងទៀត"}
_SPECIFY_LABEL = {"en": "Specify other.", "km": "សូមបញ្ជាក់ផ្សេងទៀត។"}


def derived_version(schema: FormSchema) -> str:
    """A stable version for a workbook with none: a digest of the form's canonical content
    (its version left out), so the same workbook always gives the same version and any change
    to the form gives another."""
    digest = hashlib.sha256(canonical_json(schema.model_copy(update={"version": "0"})))
    return digest.hexdigest()[:12]


def other_choice() -> dict[str, Any]:
    """The choice `or_other` adds to its list (as pyxform does: name `other`)."""
    return {"name": OTHER, "label": dict(_OTHER_LABEL)}


def other_text_field(select_name: str, multiple: bool) -> dict[str, Any]:
    """The text question `or_other` adds after its select (pyxform names it `NAME_other`),
    asked when `other` is chosen."""
    chosen = (
        f"selected(${{{select_name}}}, '{OTHER}')"
        if multiple
        else (f"${{{select_name}}} = '{OTHER}'")
    )
    return {
        "name": f"{select_name}_other",
        "type": "text",
        "label": dict(_SPECIFY_LABEL),
        "relevant": chosen,
        "required": True,
    }
