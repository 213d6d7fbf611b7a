"""docs/forms.md's table of field attributes says where `label` and `calculation` apply; the
schema accepts and refuses exactly that, for every field type."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import ValidationError

from app.forms.schema import STORED, FieldType, FormSchema
from app.forms.store import schema_of
from app.forms.validate import validate_submission
from app.models.forms import FormVersion

DOCS = Path(__file__).resolve().parents[2] / "docs" / "forms.md"
CONTAINERS = {"note", "group", "repeat"}  # no value: they take no calculation
TYPES: list[str] = list(get_args(FieldType))


def applies_to(attribute: str) -> str:
    """The "applies to" cell of `attribute`'s row in the docs' table of field attributes."""
    rows = re.findall(rf"^\| `{attribute}` \| ([^|]+) \|", DOCS.read_text(encoding="utf-8"), re.M)
    assert len(rows) == 1, attribute
    return str(rows[0]).strip()


def label(text: str) -> dict[str, str]:
    return {"en": text, "km": "ក " + text}


def field_of(kind: str, **attributes: Any) -> dict[str, Any]:
    field: dict[str, Any] = {"name": "f", "type": kind, "label": label("f")}
    if kind in ("select_one", "select_multiple"):
        field["choices"] = [{"name": "a", "label": label("a")}]
    elif kind == "reference":
        field["reference"] = {"form_id": "institution"}
    elif kind in ("group", "repeat"):
        field["fields"] = [{"name": "inner", "type": "text", "label": label("inner")}]
    elif kind == "calculate":
        field["calculation"] = "1"
    return {key: value for key, value in (field | attributes).items() if value is not None}


def valid(field: dict[str, Any]) -> bool:
    form = {"form_id": "docs", "version": "1", "title": label("docs"), "roles": ["admin"],
            "fields": [{"name": "n", "type": "integer", "label": label("n")}, field]}  # fmt: skip
    try:
        FormSchema.model_validate(form)
    except ValidationError:
        return False
    return True


def test_a_calculation_applies_to_calculate_and_to_read_only_value_fields() -> None:
    assert applies_to("calculation") == (
        "`calculate`, or a value field with `read_only` (without it the form is invalid)"
    )
    for kind in TYPES:
        calculated = kind == "calculate" or kind not in CONTAINERS
        assert valid(field_of(kind, calculation="${n} + 1", read_only=True)) == calculated, kind
        assert valid(field_of(kind, calculation="${n} + 1")) == (kind == "calculate"), kind


def test_a_label_applies_to_every_field_and_is_optional_on_a_calculate() -> None:
    assert applies_to("label") == "all; optional on `calculate`"
    for kind in TYPES:
        assert valid(field_of(kind)), kind
        assert valid(field_of(kind, label=None)) == (kind == "calculate"), kind


def test_a_version_already_stored_loads_as_it_was_accepted() -> None:
    """A published version never changes: one stored with a calculation on an editable field
    (accepted then) still loads, though a new version like it is refused."""
    form = {"form_id": "docs", "version": "1", "title": label("docs"), "roles": ["admin"],
            "fields": [{"name": "n", "type": "integer", "label": label("n")},
                       field_of("integer", calculation="${n} + 1")]}  # fmt: skip
    with pytest.raises(ValidationError, match="needs read_only"):
        FormSchema.model_validate(form)
    row = FormVersion(form_id="docs", version="1", content_hash="sha256:0", schema_json=form)
    assert schema_of(row).fields[1].calculation == "${n} + 1"
    with pytest.raises(ValidationError, match="a label is required"):  # other checks still apply
        FormSchema.model_validate(form | {"fields": [field_of("text", label=None)]}, context=STORED)


@pytest.mark.parametrize("kind", ["integer", "text"])
def test_a_read_only_calculated_field_is_recomputed_by_the_server(kind: str) -> None:
    """Why `read_only` is needed: a value sent for the field is replaced."""
    schema = FormSchema.model_validate({
        "form_id": "docs", "version": "1", "title": label("docs"), "roles": ["admin"],
        "fields": [{"name": "n", "type": "integer", "label": label("n")},
                   field_of(kind, calculation="${n} + 1", read_only=True)],
    })  # fmt: skip
    result = validate_submission(
        schema,
        {"n": 1, "f": 99 if kind == "integer" else "99"},
        today=date(2026, 12, 7),
        now=datetime(2026, 12, 7, tzinfo=UTC),
    )
    assert result.ok and result.data["f"] == (2 if kind == "integer" else "2.0")
