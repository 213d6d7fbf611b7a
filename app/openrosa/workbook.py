"""A Homeward form schema written as an XLSForm workbook, for pyxform to turn into an XForm.

The honest route to an XForm: pyxform, the converter Central and Kobo use, writes it from a
workbook built here column by column, so that every instance node is named like the Homeward
field it holds (groups nest, repeats repeat). What the XForm cannot say (form rules, a
repeat's minimum and maximum count, a reference's target form) the server still checks when
the submission arrives: it goes through the same validation as a push.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook

from app.forms.schema import Choice, DefaultExpression, Field, FormSchema, LocalizedText

EN = "English (en)"
KM = "Khmer (km)"
YES_NO_LIST = "hw_yes_no"
YES_NO = [
    Choice(name="yes", label=LocalizedText(en="Yes", km="បាទ/ចាស")),
    Choice(name="no", label=LocalizedText(en="No", km="ទេ")),
]
ROW_KEY_CALCULATION = "once(uuid())"

SURVEY_COLUMNS = (
    "type",
    "name",
    f"label::{EN}",
    f"label::{KM}",
    f"hint::{EN}",
    f"hint::{KM}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{EN}",
    f"constraint_message::{KM}",
    "calculation",
    "default",
    "read_only",
    "appearance",
    "choice_filter",
)

_XFORM_TYPES = {
    "text": "text",
    "integer": "integer",
    "decimal": "decimal",
    "date": "date",
    "datetime": "dateTime",
    "geopoint": "geopoint",
    "photo": "image",
    "signature": "image",
    "note": "note",
    "calculate": "calculate",
    "reference": "text",
}
_CHOICE_ALIAS = re.compile(r"\$\{choice\.([A-Za-z_][A-Za-z0-9_.-]*)\}")
# A date written as text ('1990-01-01'): Homeward compares it with a date as a date; XPath
# (JavaRosa, Web Forms) as a number (NaN). `date('…')` says the same on both.
_DATE_TEXT = re.compile(r"(?<!date\()(['\"])(\d{4}-\d{2}-\d{2})\1")


def xpath(expression: str) -> str:
    """A Homeward expression as the XPath an ODK engine evaluates the same way."""
    return _DATE_TEXT.sub(r"date('\2')", expression)


class _Sheets:
    def __init__(self, schema: FormSchema) -> None:
        self.schema = schema
        self.survey: list[dict[str, Any]] = []
        self.choices: dict[str, list[Choice]] = {}
        self.filter_columns: list[str] = []

    def list_for(self, f: Field, path: str) -> str:
        if f.type == "yes_no":
            self.choices[YES_NO_LIST] = YES_NO
            return YES_NO_LIST
        if f.choice_list is not None:
            name = f"l_{f.choice_list}"
            choices = self.schema.choice_lists[f.choice_list]
        else:
            name = "c_" + path.replace(".", "_")
            choices = f.choices or []
        self.choices[name] = choices
        for choice in choices:
            for column in choice.filter or {}:
                if column not in self.filter_columns:
                    self.filter_columns.append(column)
        return name

    def add(self, fields: list[Field], prefix: str = "") -> None:
        for f in fields:
            path = f"{prefix}{f.name}"
            if f.type in {"group", "repeat"}:
                kind = "group" if f.type == "group" else "repeat"
                self.survey.append({"type": f"begin_{kind}", **_common(f)})
                if f.type == "repeat" and f.row_key is None:
                    self.survey.append(
                        {"type": "calculate", "name": "_row_id", "calculation": ROW_KEY_CALCULATION}
                    )
                self.add(f.fields or [], f"{path}.")
                self.survey.append({"type": f"end_{kind}"})
                continue
            if f.type in {"select_one", "select_multiple", "yes_no"}:
                kind = "select_one" if f.type == "yes_no" else f.type
                row_type = f"{kind} {self.list_for(f, path)}"
            else:
                # a type added to Homeward later is tried under its own name (pyxform refuses
                # one it does not know: the form is then not offered, app.openrosa.xforms)
                row_type = _XFORM_TYPES.get(f.type, f.type)
            row = {"type": row_type, **_common(f), **_answer_columns(f)}
            if f.type == "signature":
                row["appearance"] = "signature"
            self.survey.append(row)


def _common(f: Field) -> dict[str, Any]:
    row: dict[str, Any] = {"name": f.name}
    row.update(_texts("label", f.label))
    row.update(_texts("hint", f.hint))
    if f.relevant:
        row["relevant"] = xpath(f.relevant)
    if f.appearance and f.type not in {"photo", "signature"}:
        row["appearance"] = f.appearance
    return row


def _texts(column: str, text: LocalizedText | None) -> dict[str, str]:
    if text is None:
        return {}
    return {f"{column}::{EN}": text.en, f"{column}::{KM}": text.km}


def _answer_columns(f: Field) -> dict[str, Any]:
    row: dict[str, Any] = {}
    if f.required:
        row["required"] = "yes" if f.required is True else xpath(f.required)
    constraint = " and ".join(f"({xpath(part)})" for part in _constraints(f))
    if constraint:
        row["constraint"] = constraint
        row.update(_texts("constraint_message", f.constraint_message))
    if f.calculation:
        row["calculation"] = xpath(f.calculation)
    if f.read_only and f.type != "calculate":
        row["read_only"] = "yes"
    if f.choice_filter:
        row["choice_filter"] = _CHOICE_ALIAS.sub(r"\1", f.choice_filter)
    default = _default(f.default)
    if default is not None:
        row["default"] = default
    return row


def _constraints(f: Field) -> Iterator[str]:
    if f.constraint:
        yield f.constraint
    if f.min is not None:
        yield f". >= {_number(f.min)}"
    if f.max is not None:
        yield f". <= {_number(f.max)}"
    if f.type == "text" and f.max_length is not None:
        yield f"string-length(.) <= {f.max_length}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _default(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, DefaultExpression):
        return value.expression
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def schema_workbook(schema: FormSchema) -> bytes:
    """The XLSForm workbook (.xlsx bytes) of ``schema``."""
    sheets = _Sheets(schema)
    sheets.add(schema.fields)
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(list(SURVEY_COLUMNS))
    for row in sheets.survey:
        survey.append([row.get(column) for column in SURVEY_COLUMNS])
    choices = book.create_sheet("choices")
    choice_columns = ["list_name", "name", f"label::{EN}", f"label::{KM}", *sheets.filter_columns]
    choices.append(choice_columns)
    for list_name, items in sheets.choices.items():
        for choice in items:
            filters = choice.filter or {}
            choices.append(
                [
                    list_name,
                    choice.name,
                    choice.label.en,
                    choice.label.km,
                    *(_cell(filters.get(c)) for c in sheets.filter_columns),
                ]
            )
    settings = book.create_sheet("settings")
    values = {
        "form_id": schema.form_id,
        "version": schema.version,
        "form_title": schema.title.en,
        "default_language": KM
        if (schema.settings is None or schema.settings.default_language == "km")
        else EN,
    }
    if schema.settings is not None and schema.settings.instance_name:
        values["instance_name"] = schema.settings.instance_name
    settings.append(list(values))
    settings.append(list(values.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
