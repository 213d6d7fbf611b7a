"""Import an XLSForm (the ODK / KoboToolbox spreadsheet standard) as a native `FormSchema`.

`read_xlsform(content, filename)` first lets pyxform check the workbook (its row-numbered
messages are the ones form designers know from ODK and Kobo), then reads the sheets itself,
row by row, and maps each row onto `app.forms.schema`. What Homeward cannot carry out safely is
refused with an `ImportIssue` naming the sheet, the row and the feature; what it does not use
(a display setting, a language other than English and Khmer) is ignored and named in the
result's `warnings`. No input, however broken, raises anything but `XLSFormError`.
docs/xlsform.md is the reference (which types, columns and settings map, and which are refused).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError
from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import DefinitionData, get_xlsform
from pyxform.xls2xform import convert

from app.auth.roles import FIELD_ROLES, ROLES
from app.forms.expressions import FUNCTIONS, ExpressionError, column_names, parse, references
from app.forms.schema import (
    CHOICE_NAME_PATTERN,
    FORM_ID_PATTERN,
    NAME_PATTERN,
    VERSION_PATTERN,
    Field,
    FormSchema,
    walk,
)
from app.forms.workbook_limits import WorkbookTooLarge, check_workbook
from app.forms.xlsform.defaults import (
    OR_OTHER_SUFFIX,
    derived_version,
    other_choice,
    other_text_field,
)
from app.forms.xlsform.types import MappedType, map_type

__all__ = ["ImportIssue", "ImportedForm", "XLSFormError", "import_xlsform", "read_xlsform"]

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
XLSX, XLS = ".xlsx", ".xls"
MAX_ISSUES = 100
HEADER_ROW = 1  # data rows start at 2, as in the spreadsheet

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2 compound document


# --- the result: issues ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportIssue:
    """One reason a workbook cannot be imported: where (sheet, spreadsheet row) and what."""

    row: int | None
    sheet: str | None
    feature: str
    message: str

    def __str__(self) -> str:
        where = " ".join(p for p in (self.sheet, f"row {self.row}" if self.row else None) if p)
        return f"{where or 'workbook'} [{self.feature}]: {self.message}"

    def as_detail(self) -> dict[str, Any]:
        """A detail for the error envelope's `details` list."""
        return {
            "sheet": self.sheet,
            "row": self.row,
            "feature": self.feature,
            "message": self.message,
        }


class XLSFormError(ValueError):
    """The workbook cannot be imported; `issues` says every reason found, by row."""

    def __init__(self, issues: list[ImportIssue]) -> None:
        if not issues:
            issues = [ImportIssue(None, None, "workbook", "the workbook could not be imported")]
        if len(issues) > MAX_ISSUES:
            more = len(issues) - MAX_ISSUES
            issues = [
                *issues[:MAX_ISSUES],
                ImportIssue(None, None, "more", f"{more} further issues are not listed"),
            ]
        self.issues = issues
        shown = "; ".join(str(i) for i in issues[:3])
        rest = f" (and {len(issues) - 3} more)" if len(issues) > 3 else ""
        super().__init__(f"the XLSForm cannot be imported: {shown}{rest}")

    def details(self) -> list[dict[str, Any]]:
        """The error envelope's `details`: one `{"sheet", "row", "feature", "message"}` each."""
        return [i.as_detail() for i in self.issues]


# --- entry point -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedForm:
    """The native schema of a workbook, and what of the workbook it leaves out (`warnings`)."""

    schema: FormSchema
    warnings: list[ImportIssue]


def import_xlsform(content: bytes, filename: str) -> FormSchema:
    """Map the XLSForm workbook `content` (.xlsx or .xls) onto a native FormSchema.

    Raise XLSFormError, and nothing else, for anything that is not a workbook, that pyxform
    refuses, or that uses a feature Homeward cannot carry out safely.
    """
    return read_xlsform(content, filename).schema


def read_xlsform(content: bytes, filename: str) -> ImportedForm:
    """`import_xlsform`, with the warnings: what was ignored or filled in, by sheet and row."""
    try:
        kind = _workbook_kind(content, filename)
        _check_limits(content, kind)
        book = _read_workbook(content, kind)
        _check_with_pyxform(content, kind, book)
        importer = _Importer(book, filename)
        schema = importer.run()
        return ImportedForm(schema, importer.warnings[:MAX_ISSUES])
    except XLSFormError:
        raise
    except Exception as exc:  # a backstop: never a 500 for a workbook
        issue = ImportIssue(
            None, None, "workbook", f"the workbook could not be imported ({type(exc).__name__})"
        )
        raise XLSFormError([issue]) from exc


def _workbook_kind(content: bytes, filename: str) -> str:
    """.xlsx or .xls, decided by the file's bytes; the name must end in one of them."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in (XLSX, XLS):
        shown = suffix or "no extension"
        raise XLSFormError(
            [ImportIssue(None, None, "file type", f"expected an .xlsx or .xls file, not {shown}")]
        )
    if not content:
        raise XLSFormError([ImportIssue(None, None, "workbook", "the file is empty")])
    if content.startswith(_XLSX_MAGIC):
        return XLSX
    if content.startswith(_XLS_MAGIC):
        return XLS
    raise XLSFormError(
        [ImportIssue(None, None, "workbook", f"the file is not an Excel workbook ({suffix})")]
    )


def _check_limits(content: bytes, kind: str) -> None:
    """Sizes, rows and cells within docs/xlsform.md "Limits", before any reader parses it."""
    try:
        check_workbook(content, kind)
    except WorkbookTooLarge as exc:
        raise XLSFormError([ImportIssue(None, None, "workbook limits", str(exc))]) from exc


def _unreadable(kind: str) -> XLSFormError:
    what = "an .xlsx workbook" if kind == XLSX else "an .xls workbook"
    return XLSFormError([ImportIssue(None, None, "workbook", f"the file cannot be read as {what}")])


# --- step 1: pyxform's own checks ---------------------------------------------------------------

_PYX_ROW = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")
_PYX_SHEET = re.compile(r"'(survey|choices|settings|entities|external_choices)' sheet")
_PYX_FEATURES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Unknown question type '([^']*)'"), "type"),
    (re.compile(r"List name not in choices sheet"), "select list"),
    (re.compile(r"Unmatched '(begin|end)_(group|repeat|loop)'"), "group/repeat"),
    (re.compile(r"sheet named 'survey'"), "survey sheet"),
    (re.compile(r"the 'name' value|with no name"), "name"),
    (re.compile(r"with no type"), "type"),
    (re.compile(r"'relevant' value"), "relevant"),
    (re.compile(r"'constraint' value"), "constraint"),
    (re.compile(r"'calculation' value"), "calculation"),
    (re.compile(r"'choice_filter' value"), "choice_filter"),
    (re.compile(r"Duplicate column header"), "column"),
    (re.compile(r"no label or hint"), "label"),
    (re.compile(r"[Pp]arameter"), "parameters"),
    (re.compile(r"choices"), "choices"),
)


def _read_workbook(content: bytes, kind: str) -> DefinitionData:
    """The sheets as rows of strings (pyxform's reader, so cells read as pyxform reads them)."""
    try:
        return get_xlsform(content, file_type=kind)
    except PyXFormError as exc:  # a duplicate header, an ambiguous date: a workbook problem
        if "not recognized as a supported type" in str(exc):
            raise _unreadable(kind) from exc
        raise XLSFormError([_issue_from_pyxform(str(exc), None)]) from exc
    except Exception as exc:  # BadZipFile, xlrd's CompDocError, KeyError, OSError …
        raise _unreadable(kind) from exc


def _check_with_pyxform(content: bytes, kind: str, book: DefinitionData) -> None:
    try:
        convert(content, validate=False, file_type=kind, warnings=[])
    except PyXFormError as exc:
        raise XLSFormError([_issue_from_pyxform(str(exc), book)]) from exc
    except Exception as exc:  # pyxform's own crashes on odd workbooks
        raise XLSFormError(
            [
                ImportIssue(
                    None,
                    None,
                    "workbook",
                    "pyxform could not convert the workbook "
                    f"({type(exc).__name__}); check its sheets and column headers",
                )
            ]
        ) from exc


def _issue_from_pyxform(text: str, book: DefinitionData | None) -> ImportIssue:
    message = text.strip().splitlines()[0] if text.strip() else "pyxform refused the workbook"
    row: int | None = None
    m = _PYX_ROW.match(message)
    if m:
        row = int(m[1])
        message = message[m.end() :]
    sheet_match = _PYX_SHEET.search(message)
    sheet = sheet_match[1] if sheet_match else (SURVEY if row is not None else None)
    feature = "xlsform"
    for pattern, name in _PYX_FEATURES:
        found = pattern.search(message)
        if found:
            if name == "type" and found.groups():
                feature = f"type {found[1]}"
            elif name == "group/repeat":
                feature = f"{found[1]} {found[2]}"
            else:
                feature = name
            break
    if feature == "survey sheet":
        sheet = None
    if row is None:  # pyxform names a type or an element but no row: find it ourselves
        row = _find_row(message, book)
        if row is not None:
            sheet = SURVEY
    return ImportIssue(row, sheet, feature, f"pyxform: {message}")


def _find_row(message: str, book: DefinitionData | None) -> int | None:
    by_type = re.search(r"Unknown question type '([^']*)'", message)
    by_name = re.search(r"survey element named '([^']*)'", message)
    if book is None or not (by_type or by_name):
        return None
    rows = book.survey or []
    column, wanted = ("type", by_type[1]) if by_type else ("name", by_name[1] if by_name else "")
    for i, raw in enumerate(rows):
        if str(raw.get(column, "")).strip() == wanted:
            return i + 2
    return None


# --- step 2: reading the sheets -----------------------------------------------------------------


def _snake(text: str) -> str:
    return "_".join(text.split()).lower()


def _words(text: str) -> str:
    return " ".join(text.split())


# survey column -> canonical name (pyxform's aliases, for the columns Homeward maps or refuses)
_SURVEY_ALIASES = {
    "caption": "label",
    "tag": "name",
    "value": "name",
    "command": "type",
    "relevance": "relevant",
    "calculate": "calculation",
    "readonly": "read_only",
    "constraining_message": "constraint_message",
    "requiredmsg": "required_message",
    "count": "repeat_count",
    "jr:count": "repeat_count",
    "image": "media",
    "big-image": "media",
    "audio": "media",
    "video": "media",
}
# columns with a language suffix (`label::Khmer (km)`); the last two are refused, by language
_TRANSLATABLE = {"label", "hint", "constraint_message", "required_message", "guidance_hint"}
# known XLSForm columns with no native equivalent: refused when a row fills them in
_SURVEY_IGNORED = {
    "required_message": "a custom 'required' message has no place in the native schema yet; "
    "Homeward shows its own bilingual message",
    "guidance_hint": "guidance hints have no place in the native schema; use 'hint'",
    "media": "media on questions (images, audio, video) is not supported",
    "trigger": "triggers (recomputing a value when another changes) are not supported; "
    "use 'calculation'",
    "autoplay": "autoplay of media is not supported",
    "rows": "the 'rows' display setting is not supported; use appearance 'multiline'",
    "no_app_error_string": "'no_app_error_string' is not supported",
    "save_to": "entities (saving to an entity list) are not supported",
    "compact_tag": "compact tags are not supported",
    "bind": "custom bind attributes are not supported",
    "body": "custom body attributes are not supported",
    "control": "custom control attributes are not supported",
    "instance": "custom instance attributes are not supported",
}
_CHOICE_ALIASES = {
    "caption": "label",
    "list name": "list_name",
    "value": "name",
    "image": "media",
    "big-image": "media",
    "audio": "media",
    "video": "media",
}
_SETTINGS_ALIASES = {
    "set_form_title": "form_title",
    "set_form_id": "form_id",
    "id_string": "form_id",
}
_SETTINGS_MAPPED = {
    "form_title", "form_title_km", "form_id", "version", "default_language", "instance_name",
    "roles", "location_field",
    "allow_choice_duplicates",  # a choice name may repeat under other filters (schema.py)
}  # fmt: skip


@dataclass(frozen=True)
class _Column:
    header: str  # as written in the sheet
    key: str  # canonical column name (or the header itself for unknown columns)
    lang: str | None = None  # "en" or "km" for a translated column


@dataclass
class _Row:
    number: int  # the spreadsheet row
    cells: dict[str, str] = field(default_factory=dict)  # canonical key -> value
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> {lang: text}
    filled: dict[str, str] = field(default_factory=dict)  # header -> value, as written

    def get(self, key: str) -> str:
        return self.cells.get(key, "")


def _language(tag: str, default: str) -> str | None:
    """'en' or 'km' for a language suffix (`English (en)`, `km`, `Khmer`), else None."""
    tag = tag.strip()
    if not tag or tag.lower() == "default":
        return default
    code = re.search(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*\)\s*$", tag)
    word = (code[1] if code else tag).lower()
    if word in ("en", "eng", "english"):
        return "en"
    if word in ("km", "khm", "khmer", "ខ្មែរ", "ភាសាខ្មែរ"):
        return "km"
    return None


# --- expressions ---------------------------------------------------------------------------------

_BLANKABLE = re.compile(r"'[^']*'|\"[^\"]*\"|\$\{[^}]*\}")
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.:\-]*)\s*\(")
_FUNCTION_HINTS = {
    "pulldata": "it reads an external CSV file, which Homeward forms do not carry",
    "instance": "secondary instances are not supported; use a choice_filter for cascading lists",
    "position": "the position of a repeat row is not available to expressions",
    "jr:choice-name": "choice labels are not available to expressions; compare choice names",
    "indexed-repeat": "a repeat row cannot be addressed by index",
    "once": "calculations are recomputed at every validation; there is no once()",
    "uuid": "identifiers are made by Homeward (record_id, row keys), not by expressions",
    "random": "random numbers are not supported",
    "search": "search() appearances read external data, which Homeward forms do not carry",
    "version": "the form version is not available to expressions",
}
_WORD_OPERATORS = {"and", "or", "div", "mod"}


def _unsupported_constructs(source: str) -> Iterator[tuple[str, str]]:
    """(feature, message) for XLSForm expression features outside Homeward's language."""
    if "${last-saved#" in source:
        yield "last-saved", "${last-saved#…} (the last saved record's values) is not supported"
    bare = _BLANKABLE.sub(" 0 ", source)
    seen: set[str] = set()
    for m in _CALL.finditer(bare):
        name = m[1]
        if name in FUNCTIONS or name in seen or name in _WORD_OPERATORS:
            continue
        seen.add(name)
        hint = _FUNCTION_HINTS.get(name, "it is not in Homeward's expression language")
        yield f"{name}()", f"the function {name}() is not supported: {hint}"
    if seen:
        return
    if ".." in bare:
        yield "relative path", "relative paths ('..') are not supported; use ${name}"
    elif "/" in bare or "[" in bare:
        yield "XPath path", "XPath paths and predicates are not supported; use ${name}"


# --- step 3: mapping ------------------------------------------------------------------------------

# XLSForm types map through pyxform's own type table: app/forms/xlsform/types.py
_YES = {"yes", "true", "true()"}
_NO = {"no", "false", "false()"}
_CONTAINERS = {"begin group": "group", "begin_group": "group", "begin repeat": "repeat",
               "begin_repeat": "repeat"}  # fmt: skip
_ENDS = {
    "end group": "group", "end_group": "group", "end repeat": "repeat", "end_repeat": "repeat",
    "end loop": "loop", "end_loop": "loop",
}  # fmt: skip
_ACKNOWLEDGED = ". = 'yes'"


@dataclass
class _Frame:
    """An open group or repeat (or the survey itself) while reading the survey sheet."""

    kind: str
    row: _Row | None
    spec: dict[str, Any]
    fields: list[Field] = field(default_factory=list)
    broken: bool = False  # a child failed: do not build this container


class _Importer:
    def __init__(self, book: DefinitionData, filename: str) -> None:
        self.book = book
        self.filename = filename
        self.issues: list[ImportIssue] = []
        self.default_lang = "en"
        self.settings_row: int | None = None
        self.rows_by_path: dict[str, int] = {}
        self.dropped: dict[str, int] = {}  # dropped metadata field name -> row
        self.used_lists: set[str] = set()
        self.choice_rows: dict[str, list[_Row]] = {}
        self.expressions: list[tuple[int | None, str, str, str]] = []  # row, sheet, column, ${name}
        self.warnings: list[ImportIssue] = []
        self.needs_khmer = False  # some text had no Khmer: English is shown in its place
        self.fallback_langs: list[str] = []  # other languages, in column order, where no English
        self.or_other_lists: set[str] = set()

    def issue(self, row: int | None, sheet: str | None, feature: str, message: str) -> None:
        self.issues.append(ImportIssue(row, sheet, feature, message))

    def warn(self, row: int | None, sheet: str | None, feature: str, message: str) -> None:
        """Something of the workbook Homeward ignores or fills in: the import goes on."""
        self.warnings.append(ImportIssue(row, sheet, feature, message))

    def fail_if_issues(self) -> None:
        if self.issues:
            order = {SETTINGS: 0, SURVEY: 1, CHOICES: 2}
            self.issues.sort(key=lambda i: (order.get(i.sheet or "", -1), i.row or 0))
            raise XLSFormError(self.issues)

    # --- the whole workbook ---

    def run(self) -> FormSchema:
        self.refuse_other_sheets()
        settings = self.read_settings()
        self.read_choices()
        fields = self.read_survey()
        choice_lists = self.build_choice_lists()
        form = self.form_settings(settings)
        self.fill_missing_filter_columns(fields, choice_lists)
        shown = self.check_dropped_references()
        self.fail_if_issues()
        spec: dict[str, Any] = {**form, "fields": fields, "choice_lists": choice_lists}
        if shown:
            spec["fields"] = [_without_shown(f, shown) for f in fields]
        location = self.location_field(settings.get("location_field", ""), fields)
        if location is not None:
            spec["location_field"] = location
        if self.needs_khmer:
            spec["needs_khmer"] = True
            self.warn(
                None,
                None,
                "needs Khmer",
                "some texts have no Khmer: English is shown in their place, and the form is "
                "marked as needing Khmer",
            )
        self.fail_if_issues()
        try:
            schema = FormSchema.model_validate(spec)
        except ValidationError as exc:
            for err in exc.errors():
                for part in _pydantic_message(err).split("; "):  # the schema joins its problems
                    self.schema_issue(part)
            self.fail_if_issues()
            raise AssertionError("unreachable") from exc  # pragma: no cover
        if not settings.get("version"):
            version = derived_version(schema)
            schema = schema.model_copy(update={"version": version})
            self.warn(
                None,
                SETTINGS,
                "version",
                f"no version in the settings: {version!r}, derived from the form's content "
                "(the same workbook gives the same version)",
            )
        return schema

    def fill_missing_filter_columns(
        self, fields: list[Field], lists: dict[str, list[dict[str, Any]]]
    ) -> None:
        """A choice_filter reading a column no choice has (`pastel = yes`, where `yes` lacks
        its quotes) reads it empty, as ODK reads a missing node: the column is added, empty,
        to the choices, and the warnings name it."""
        for info in walk(fields):
            f = info.field
            if not f.choice_filter or f.choice_list not in lists:
                continue
            choices = lists[f.choice_list or ""]
            columns = {"name"}.union(*(c.get("filter", {}) for c in choices))
            try:
                bare = column_names(f.choice_filter) - columns
            except ExpressionError:
                continue
            for name in sorted(bare):
                for choice in choices:
                    choice.setdefault("filter", {})[name] = ""
                self.warn(
                    self.rows_by_path.get(info.path),
                    SURVEY,
                    "choice_filter",
                    f"choice_filter {f.choice_filter!r} reads {name!r}, which no choice has: "
                    f"it is read empty, as ODK reads it (a text needs quotes: '{name}')",
                )

    def schema_issue(self, message: str) -> None:
        """A problem the native schema found, placed on the row it names where it can be."""
        on_field = re.match(r"field '([^']+)'(?: \((\w+)\))?", message)
        if on_field:
            row = self.rows_by_path.get(on_field[1])
            self.issue(row, SURVEY if row else None, on_field[2] or "field", message)
            return
        on_setting = re.match(r"(?:settings\.)?(location_field|instance_name)\b", message)
        if on_setting:
            self.issue(self.settings_row, SETTINGS, on_setting[1], message)
            return
        self.issue(None, None, "form", message)

    def refuse_other_sheets(self) -> None:
        for sheet, what in (
            ("entities", "entities (the entities sheet) are not supported"),
            ("osm", "OpenStreetMap tags (the osm sheet) are not supported"),
        ):
            if any(_filled(r) for r in getattr(self.book, sheet, None) or []):
                self.warn(None, sheet, f"{sheet} sheet", f"ignored: {what}")

    def sheet_rows(
        self, sheet: str, aliases: Mapping[str, str], translatable: set[str]
    ) -> Iterator[_Row]:
        """The filled rows of a sheet, with canonical keys; header problems become issues."""
        rows: Sequence[dict[str, str]] = getattr(self.book, sheet, None) or []
        headers_seen = getattr(self.book, f"{sheet}_header", None) or []
        headers = list(headers_seen[0]) if headers_seen else []
        columns = self.columns(sheet, headers, aliases, translatable)
        for i, raw in enumerate(rows):
            row = _Row(i + 2)
            for header, value in raw.items():
                text = str(value).strip() if value is not None else ""
                if not text:
                    continue
                column = columns.get(header) or _Column(header, header)
                row.filled[header] = text
                if column.lang is None:
                    row.cells[column.key] = text
                    continue
                texts = row.texts.setdefault(column.key, {})
                if column.lang in texts and texts[column.lang] != text:
                    self.issue(
                        row.number,
                        sheet,
                        column.key,
                        f"two columns give the {_LANG_NAMES[column.lang]} {column.key} "
                        f"with different texts",
                    )
                texts[column.lang] = text
            if row.filled:
                yield row

    def columns(
        self, sheet: str, headers: list[str], aliases: Mapping[str, str], translatable: set[str]
    ) -> dict[str, _Column]:
        double = any("::" in h for h in headers)
        out: dict[str, _Column] = {}
        for header in headers:
            if double:
                base, sep, rest = header.partition("::")
            else:  # the deprecated single colon, for translated columns only
                base, sep, rest = header.partition(":")
                if _snake(base) not in translatable and aliases.get(_snake(base)) != "label":
                    base, sep, rest = header, "", ""
            key = _snake(base)
            key = aliases.get(key, aliases.get(_words(base).lower(), key))
            if not sep:
                out[header] = _Column(
                    header, key, self.default_lang if key in translatable else None
                )
                continue
            if key not in translatable:
                out[header] = _Column(header, key)
                continue
            lang = _language(rest, self.default_lang)
            if lang is None:
                lang = f"x:{_words(rest)}"
                if lang not in self.fallback_langs:
                    self.fallback_langs.append(lang)
                self.warn(
                    HEADER_ROW,
                    sheet,
                    "language",
                    f"column '{header}': Homeward forms carry English and Khmer; this "
                    "language is shown only where a row has no English",
                )
            out[header] = _Column(header, key, lang)
        return out

    # --- settings ---

    def read_settings(self) -> dict[str, str]:
        rows = list(self.sheet_rows(SETTINGS, _SETTINGS_ALIASES, set()))
        settings = dict(rows[0].cells) if rows else {}
        self.settings_row = rows[0].number if rows else None
        for row in rows[1:]:
            self.issue(row.number, SETTINGS, "settings", "only the first row of settings is read")
        if rows:
            for header, value in rows[0].filled.items():
                key = _SETTINGS_ALIASES.get(_snake(header), _snake(header))
                if key in _SETTINGS_MAPPED or header.startswith("$"):
                    continue
                self.warn(
                    rows[0].number,
                    SETTINGS,
                    header,
                    f"the setting '{header}' ({value!r}) is not used by Homeward: ignored",
                )
        language = settings.get("default_language", "")
        if language:
            resolved = _language(language, "")
            if not resolved:
                self.warn(
                    self.settings_row,
                    SETTINGS,
                    "default_language",
                    f"default_language {language!r} is neither English nor Khmer: texts with "
                    "no language are read as English",
                )
            else:
                self.default_lang = resolved
        return settings

    def form_settings(self, settings: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        given = settings.get("form_id", "")
        form_id = _form_id_from(given) if given else _form_id_from(PurePath(self.filename).stem)
        if given and form_id != given and re.match(FORM_ID_PATTERN, form_id):
            self.warn(
                self.settings_row,
                SETTINGS,
                "form_id",
                f"form id {given!r} is published as {form_id!r} (Homeward form ids are "
                "lower-case letters, digits and underscores)",
            )
        if not re.match(FORM_ID_PATTERN, form_id):
            origin = "settings form_id" if given else "the file name"
            self.issue(
                self.settings_row if settings.get("form_id") else None,
                SETTINGS,
                "form_id",
                f"form id {form_id!r} (from {origin}) must be 2 to 64 lower-case letters, "
                "digits or underscores, starting with a letter",
            )
        out["form_id"] = form_id
        version = settings.get("version", "")
        if not version:
            version = "0"  # replaced by a digest of the form's content (`derived_version`)
        elif not re.match(VERSION_PATTERN, version) and re.match(
            VERSION_PATTERN, _version_from(version)
        ):
            self.warn(
                self.settings_row,
                SETTINGS,
                "version",
                f"version {version!r} is published as {_version_from(version)!r} (Homeward "
                "versions are letters, digits, '.', '_' and '-')",
            )
            version = _version_from(version)
        elif not re.match(VERSION_PATTERN, version):
            self.issue(
                self.settings_row,
                SETTINGS,
                "version",
                f"version {version!r} must be up to 32 letters, digits, '.', '_' or '-'",
            )
        out["version"] = version
        # as pyxform: the title defaults to the form id
        title_en = settings.get("form_title", "") or settings.get("form_title_km", "") or form_id
        title_km = settings.get("form_title_km", "")
        if not title_km:
            title_km = title_en
            self.needs_khmer = True
        out["title"] = {"en": title_en, "km": title_km}
        roles = [r for r in re.split(r"[\s,;]+", settings.get("roles", "")) if r]
        bad = [r for r in roles if r not in ROLES]
        if bad:
            self.issue(
                self.settings_row,
                SETTINGS,
                "roles",
                "'roles' says who fills the form, among "
                f"{', '.join(ROLES)} (unknown: {', '.join(bad)})",
            )
        if not roles:
            roles = list(FIELD_ROLES)
            self.warn(
                None,
                SETTINGS,
                "roles",
                f"no roles in the settings: the form is for the field roles ({', '.join(roles)})",
            )
        out["roles"] = roles
        form: dict[str, Any] = {}
        if settings.get("default_language"):
            form["default_language"] = self.default_lang
        if settings.get("instance_name"):
            name = settings["instance_name"]
            if _usable_instance_name(name):
                form["instance_name"] = name
            else:
                self.warn(
                    self.settings_row,
                    SETTINGS,
                    "instance_name",
                    f"ignored: instance_name {name!r} is not an expression Homeward evaluates "
                    "(records are named by their form and date instead)",
                )
        if form:
            out["settings"] = form
        return out

    def location_field(self, name: str, fields: list[Field]) -> str | None:
        if not name:
            return None
        paths = [i.path for i in walk(fields) if i.field.name == name or i.path == name]
        if len(paths) != 1:
            self.issue(
                self.settings_row,
                SETTINGS,
                "location_field",
                f"location_field {name!r} must name one field of the survey",
            )
            return None
        return paths[0]

    # --- choices ---

    def read_choices(self) -> None:
        for row in self.sheet_rows(CHOICES, _CHOICE_ALIASES, {"label"}):
            for header in row.filled:
                key = _CHOICE_ALIASES.get(_snake(header.partition("::")[0]), header)
                if key == "media" or header.startswith("media::"):
                    message = "ignored: images, audio or video on choices are not shown"
                    self.warn(row.number, CHOICES, "media", message)
                elif header.startswith("kobo--"):
                    message = f"ignored: the column '{header}' is a KoboToolbox-only feature"
                    self.warn(row.number, CHOICES, header, message)
            list_name = row.get("list_name")
            if not list_name:
                self.issue(row.number, CHOICES, "list_name", "a choice row needs a list_name")
                continue
            self.choice_rows.setdefault(list_name, []).append(row)

    def build_choice_lists(self) -> dict[str, list[dict[str, Any]]]:
        lists: dict[str, list[dict[str, Any]]] = {}
        for list_name in sorted(self.used_lists):
            choices = []
            for row in self.choice_rows.get(list_name, []):
                name = row.get("name")
                if not re.match(CHOICE_NAME_PATTERN, name) or len(name) > 64:
                    self.issue(
                        row.number,
                        CHOICES,
                        "name",
                        f"choice name {name!r} must be up to 64 letters, digits, '_', '.' or "
                        "'-' (no spaces)",
                    )
                label = self.bilingual(row, CHOICES, "label", required=True)
                choice: dict[str, Any] = {"name": name, "label": label}
                columns = {k: v for k, v in row.cells.items() if _is_choice_column(k)}
                if columns:  # what a choice_filter reads as bare names (`province = ${p}`)
                    choice["filter"] = columns
                choices.append(choice)
            lists[list_name] = choices
        for list_name in sorted(self.or_other_lists):
            base = lists.get(list_name, [])
            has_other = any(c["name"] == other_choice()["name"] for c in base)
            lists[f"{list_name}{OR_OTHER_SUFFIX}"] = base if has_other else [*base, other_choice()]
        return lists

    # --- survey ---

    def read_survey(self) -> list[Field]:
        stack = [_Frame("survey", None, {})]
        rows = list(self.sheet_rows(SURVEY, _SURVEY_ALIASES, _TRANSLATABLE))
        i = 0
        while i < len(rows):
            row = rows[i]
            i += 1
            kind = _words(row.get("type"))
            if kind.startswith(("begin loop", "begin_loop")):
                body, i = _loop_body(rows, i)
                self.expand_loop(row, kind, body, stack)
                continue
            self.survey_row(row, stack)
        while len(stack) > 1:
            frame = stack.pop()
            self.issue(
                frame.row.number if frame.row else None,
                SURVEY,
                f"begin {frame.kind}",
                f"'begin {frame.kind}' {frame.spec['name']!r} is never closed",
            )
        if not stack[0].fields and not stack[0].broken:
            self.issue(None, SURVEY, "survey", "the survey has no questions Homeward can keep")
        return stack[0].fields

    def expand_loop(self, row: _Row, kind: str, body: list[_Row], stack: list[_Frame]) -> None:
        """`begin loop over LIST`, as pyxform expands it: a group NAME holding, for each choice
        of LIST, a group named by the choice with the loop's questions, `%(label)s` and
        `%(name)s` in their texts replaced by the choice's label and name."""
        over = re.fullmatch(r"begin[ _]loop over (\S+)", kind)
        name = row.get("name")
        choices = self.choice_rows.get(over[1], []) if over else []
        if not over or not choices or not body or not self.check_name(row, name):
            self.issue(row.number, SURVEY, "loop", f"'{kind}' needs a choice list and questions")
            stack[-1].broken = True
            return
        outer = _Row(row.number, {**row.cells, "type": "begin group"}, dict(row.texts))
        self.survey_row(outer, stack)
        for choice in choices:
            label = self.bilingual(choice, CHOICES, "label", required=True) or {}
            head = _Row(row.number, {"type": "begin group", "name": choice.get("name")})
            head.texts["label"] = dict(label)
            self.survey_row(head, stack)
            for inner in body:
                self.survey_row(_substituted(inner, choice.get("name"), label), stack)
            self.survey_row(_Row(row.number, {"type": "end group"}), stack)
        self.survey_row(_Row(row.number, {"type": "end group"}), stack)

    def survey_row(self, row: _Row, stack: list[_Frame]) -> None:
        """One row of the survey sheet onto the open group, repeat or the survey itself."""
        before = len(self.issues)
        self.refuse_columns(row)
        kind = _words(row.get("type"))
        if kind in _ENDS:
            if len(stack) == 1 or stack[-1].kind != _ENDS[kind]:
                self.issue(row.number, SURVEY, kind, f"'{kind}' closes nothing open")
                return
            self.close(stack)
            return
        if not kind:  # pyxform skips a row with no type (a designer's comment)
            self.warn(row.number, SURVEY, "type", "ignored: the row has no type")
            return
        name = row.get("name")
        if not name and kind in ("note", "q note", "add note prompt"):
            name = f"generated_note_name_{row.number}"  # as pyxform names a nameless note
        if not self.check_name(row, name):
            stack[-1].broken = True
            return
        path = ".".join([*(f.spec["name"] for f in stack[1:]), name])
        self.rows_by_path[path] = row.number
        if kind in _CONTAINERS:
            frame = _Frame(_CONTAINERS[kind], row, self.container(row, kind, name))
            frame.broken = len(self.issues) > before  # reported: do not pile on
            stack.append(frame)
            return
        mapped = map_type(kind)
        if mapped.dropped:
            self.dropped[name] = row.number
            return
        if mapped.external and mapped.list_name:
            mapped = self.external_list(row, mapped)
        spec = self.leaf(row, kind, name, mapped)
        ok = spec is not None and len(self.issues) == before
        built = self.build(row, spec) if spec is not None and ok else None
        if built is None:
            stack[-1].broken = True
            return
        stack[-1].fields.append(built)
        if mapped.or_other:
            other = other_text_field(name, built.type == "select_multiple")
            self.rows_by_path[f"{path}_other"] = row.number
            stack[-1].fields.append(Field.model_validate(other))

    def external_list(self, row: _Row, mapped: MappedType) -> MappedType:
        """`select_one_external LIST`: its choices are the rows of LIST on the workbook's
        external_choices sheet (which pyxform writes to a CSV file beside the form)."""
        list_name = f"{mapped.list_name}{EXTERNAL_SUFFIX}"
        if list_name not in self.choice_rows:
            external = self.sheet_rows("external_choices", _CHOICE_ALIASES, {"label"})
            for choice in external:
                if choice.get("list_name"):
                    key = f"{choice.get('list_name')}{EXTERNAL_SUFFIX}"
                    self.choice_rows.setdefault(key, []).append(choice)
        if list_name not in self.choice_rows:
            self.issue(
                row.number,
                SURVEY,
                "select_one_external",
                f"the list {mapped.list_name!r} is not on the external_choices sheet",
            )
        return MappedType("select_one", list_name)

    def close(self, stack: list[_Frame]) -> None:
        frame = stack.pop()
        parent = stack[-1]
        if frame.broken or frame.row is None:
            parent.broken = True
            return
        if not frame.fields:
            self.issue(
                frame.row.number,
                SURVEY,
                frame.kind,
                f"the {frame.kind} {frame.spec['name']!r} has no questions",
            )
            parent.broken = True
            return
        built = self.build(frame.row, {**frame.spec, "fields": frame.fields})
        if built is None:
            parent.broken = True
        else:
            parent.fields.append(built)

    def refuse_columns(self, row: _Row) -> None:
        """Columns Homeward does not use, named in the warnings."""
        for header, value in row.filled.items():
            base = header.partition("::")[0]
            key = _SURVEY_ALIASES.get(_snake(base), _snake(base))
            if header.startswith("$"):
                continue  # KoboToolbox bookkeeping ($kuid, $autoname, $given_name …)
            if header.startswith("kobo--"):
                self.warn(
                    row.number,
                    SURVEY,
                    header,
                    f"ignored: the column '{header}' ({value!r}) is a KoboToolbox-only feature",
                )
            elif header.startswith("media::") or key in _SURVEY_IGNORED:
                reason = _SURVEY_IGNORED.get(key, _SURVEY_IGNORED["media"])
                self.warn(row.number, SURVEY, header, f"ignored: {reason}")
            elif key.startswith("sms_"):
                self.warn(row.number, SURVEY, header, "ignored: SMS columns are not used")

    def check_name(self, row: _Row, name: str) -> bool:
        if not name:
            self.issue(row.number, SURVEY, "name", "the row has no name")
            return False
        if not re.match(NAME_PATTERN, name) or len(name) > 64:
            self.issue(
                row.number,
                SURVEY,
                "name",
                f"name {name!r}: Homeward names are up to 64 letters, digits, '_' and '-' "
                "(no '.': it separates the parts of a path in the record data)",
            )
            return False
        return True

    def container(self, row: _Row, kind: str, name: str) -> dict[str, Any]:
        native = _CONTAINERS[kind]
        spec: dict[str, Any] = {"name": name, "type": native}
        spec["label"] = self.bilingual(row, SURVEY, "label", required=True, what=f"a {native}")
        self.common(row, spec, native)
        count = row.get("repeat_count")
        if count and native != "repeat":
            self.issue(row.number, SURVEY, "repeat_count", "repeat_count applies to repeats only")
        elif count:
            if re.fullmatch(r"[0-9]+", count) and int(count) >= 1:
                spec["min_count"] = spec["max_count"] = int(count)
            else:
                self.warn(
                    row.number,
                    SURVEY,
                    "repeat_count",
                    f"ignored: repeat_count {count!r}: only a fixed number (1 or more) maps; "
                    "with a computed count the user adds as many rows as needed",
                )
        for column in ("choice_filter", "default", "parameters", "calculation"):
            if row.get(column):
                self.issue(row.number, SURVEY, column, f"'{column}' does not apply to a {native}")
        return spec

    def leaf(self, row: _Row, kind: str, name: str, mapped: MappedType) -> dict[str, Any] | None:
        native, list_name = self.resolve_type(row, kind, mapped), mapped.list_name
        if native is None:
            return None
        spec: dict[str, Any] = {"name": name, "type": native}
        if list_name is not None:
            spec["choice_list"] = list_name
            self.used_lists.add(list_name)
        if native == "calculate":
            label = self.bilingual(row, SURVEY, "label", required=False)
        else:
            label = self.bilingual(row, SURVEY, "label", required=True, what="a question")
        if label is not None:
            spec["label"] = label
        if row.get("repeat_count"):
            self.issue(row.number, SURVEY, "repeat_count", "repeat_count applies to repeats only")
        self.common(row, spec, native)
        if row.get("parameters"):
            params = row.get("parameters")
            why = (
                "max-pixels and other image parameters have no place in the native schema yet"
                if native == "photo"
                else "parameters are not used by Homeward"
            )
            self.warn(row.number, SURVEY, "parameters", f"ignored: parameters {params!r}: {why}")
        self.apply_type(spec, mapped)
        if list_name is not None and mapped.or_other:
            spec["choice_list"] = self.or_other_list(list_name)
        filt = row.get("choice_filter")
        if filt and list_name is None:
            self.issue(row.number, SURVEY, "choice_filter", "choice_filter applies to selects only")
        elif filt:
            source = self.expression(row.number, SURVEY, "choice_filter", filt)
            if source is not None:
                spec["choice_filter"] = source
        default = row.get("default")
        if default:
            value = self.default(row, native, default, list_name)
            if value is not None:
                spec["default"] = value
        return spec

    def apply_type(self, spec: dict[str, Any], mapped: MappedType) -> None:
        """What the XLSForm type carries besides the native type: a check, a display hint, the
        media an attachment takes; an acknowledge must be acknowledged; a hidden field keeps
        an empty text unless it has a calculation."""
        own = spec.get("constraint")
        acknowledged = _ACKNOWLEDGED if spec["type"] == "yes_no" else None
        checks = [c for c in (acknowledged, mapped.constraint, own) if c]
        if len(checks) == 1:
            spec["constraint"] = checks[0]
        elif checks:
            spec["constraint"] = " and ".join(f"({c})" for c in checks)
        if mapped.appearance:
            own = spec.get("appearance")
            spec["appearance"] = f"{mapped.appearance} {own}" if own else mapped.appearance
        if mapped.content_types is not None:
            spec["media"] = {"content_types": mapped.content_types}
        if spec["type"] == "calculate" and not spec.get("calculation"):
            spec["calculation"] = "''"

    def or_other_list(self, list_name: str) -> str:
        """`select_one LIST or_other`: LIST with an `other` choice (as pyxform adds it)."""
        self.or_other_lists.add(list_name)
        return f"{list_name}{OR_OTHER_SUFFIX}"

    def resolve_type(self, row: _Row, kind: str, mapped: MappedType) -> str | None:
        if mapped.native is None:
            first = kind.split()[0] if kind.split() else kind
            feature = "or_other" if "or_other" in kind else first
            self.issue(row.number, SURVEY, feature, mapped.refused or f"type {kind!r} is refused")
            return None
        return mapped.native

    def common(self, row: _Row, spec: dict[str, Any], native: str) -> None:
        """hint, required, relevant, constraint (+ message), calculation, read_only, appearance."""
        hint = self.bilingual(row, SURVEY, "hint", required=False)
        if hint is not None:
            spec["hint"] = hint
        message = self.bilingual(row, SURVEY, "constraint_message", required=False)
        if message is not None:
            spec["constraint_message"] = message
        required = row.get("required")
        if required:
            if required.lower() in _YES:
                spec["required"] = True
            elif required.lower() not in _NO:
                source = self.expression(row.number, SURVEY, "required", required)
                if source is not None:
                    spec["required"] = source
        for column in ("relevant", "constraint", "calculation"):
            if row.get(column):
                source = self.expression(row.number, SURVEY, column, row.get(column))
                if source is not None:
                    spec[column] = source
        read_only = row.get("read_only")
        if read_only and read_only.lower() in _YES:
            spec["read_only"] = True
        elif read_only and read_only.lower() not in _NO:
            self.issue(
                row.number,
                SURVEY,
                "read_only",
                f"read_only {read_only!r}: only yes or no maps (not an expression)",
            )
        appearance = row.get("appearance")
        if appearance and "search(" in appearance.replace(" ", ""):
            self.issue(row.number, SURVEY, "search()", _FUNCTION_HINTS["search"])
        elif appearance and native == "photo" and "signature" in appearance.split():
            spec["type"] = "signature"
        elif appearance and native == "photo" and {"draw", "annotate"} & set(appearance.split()):
            self.issue(
                row.number,
                SURVEY,
                "appearance",
                f"appearance {appearance!r}: drawing and annotating images is not supported",
            )
        elif appearance:
            spec["appearance"] = appearance

    def default(self, row: _Row, native: str, value: str, list_name: str | None) -> Any:
        if _is_dynamic(value):
            source = self.expression(row.number, SURVEY, "default", value)
            return None if source is None else {"expression": source}
        problem: str | None = None
        result: Any = value
        if native == "integer":
            result = int(value) if re.fullmatch(r"-?[0-9]+", value) else None
            problem = "a whole number" if result is None else None
        elif native == "decimal":
            try:
                result = float(value)
                problem = None if math.isfinite(result) else "a number"
            except ValueError:
                problem = "a number"
        elif native == "date":
            m = re.fullmatch(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?: 00:00:00)?", value)
            result = m[1] if m else None
            problem = None if m else "a date written YYYY-MM-DD"
        elif native == "yes_no":
            result = "yes" if value.lower() in ("ok", "yes") else None
            problem = None if result else "OK (acknowledged)"
        elif native in ("select_one", "select_multiple") and list_name is not None:
            names = {r.get("name") for r in self.choice_rows.get(list_name, [])}
            picked = value.split() if native == "select_multiple" else [value]
            unknown = [p for p in picked if p not in names]
            result = picked if native == "select_multiple" else value
            problem = f"choice names of list {list_name!r} (not {unknown})" if unknown else None
        elif native in ("geopoint", "photo", "signature", "note"):
            problem = f"nothing: a static default does not apply to a {native}"
        if problem is not None:
            self.issue(row.number, SURVEY, "default", f"default {value!r} must be {problem}")
            return None
        return result

    def expression(self, row: int | None, sheet: str, column: str, source: str) -> str | None:
        """The expression if Homeward's language can evaluate it; otherwise an issue."""
        for feature, message in _unsupported_constructs(source):
            self.issue(row, sheet, feature, f"{column} {source!r}: {message}")
            return None
        try:
            parse(source)
            names = references(source)
        except ExpressionError as exc:
            self.issue(row, sheet, column, f"{column} {source!r} is not a valid expression: {exc}")
            return None
        self.expressions.extend((row, sheet, column, name) for name in sorted(names))
        return source

    def check_dropped_references(self) -> set[str]:
        """Refuse an expression reading a dropped metadata field; a text showing one (`Started
        at ${start}`) shows nothing in its place (the names returned), with a warning."""
        shown: set[str] = set()
        for row, sheet, column, name in self.expressions:
            if name in self.dropped and column in _TRANSLATABLE:
                shown.add(name)
                self.warn(
                    row,
                    sheet,
                    column,
                    f"the {column} shows ${{{name}}}, a '{name}' metadata field Homeward does "
                    "not keep (it records captured_at, the device and the user with every "
                    "change): nothing is shown in its place",
                )
            elif name in self.dropped:
                self.issue(
                    row,
                    sheet,
                    column,
                    f"{column} refers to ${{{name}}}, a '{name}' metadata field (row "
                    f"{self.dropped[name]}) that Homeward drops: it records captured_at, the "
                    "device and the user with every change; use today() or now() instead",
                )
        return shown

    def bilingual(
        self,
        row: _Row,
        sheet: str,
        column: str,
        *,
        required: bool,
        what: str = "",
    ) -> dict[str, str] | None:
        """The text of `column` in English and Khmer. Where Khmer is missing, English is shown
        in its place (and the form marked as needing Khmer); where English is missing, Khmer,
        else another language of the workbook. A required text that is missing altogether (a
        group with no label, a question with only a hint) is the hint, else the row's name."""
        texts = row.texts.get(column, {})
        for shown in sorted({n for text in texts.values() for n in _SHOWN.findall(text)}):
            self.expressions.append((row.number, sheet, column, shown))
        other = next((texts[lang] for lang in self.fallback_langs if texts.get(lang)), "")
        en, km = texts.get("en", "") or other, texts.get("km", "")
        if en and km:
            return {"en": en, "km": km}
        if km:
            return {"en": km, "km": km}
        if en:
            self.needs_khmer = True
            return {"en": en, "km": en}
        if not required:
            return None
        hint = row.texts.get("hint", {})
        shown_instead = hint.get("en") or hint.get("km") or row.get("name") or what or column
        return self.bilingual_fallback(shown_instead)

    def bilingual_fallback(self, text: str) -> dict[str, str]:
        self.needs_khmer = True
        return {"en": text, "km": text}

    def build(self, row: _Row, spec: dict[str, Any]) -> Field | None:
        try:
            return Field.model_validate(spec)
        except ValidationError as exc:
            for err in exc.errors():
                self.issue(row.number, SURVEY, spec.get("type", "field"), _pydantic_message(err))
            return None


_LANG_NAMES = {"en": "English", "km": "Khmer"}
EXTERNAL_SUFFIX = "_external"  # the list of a select_one_external: the external_choices sheet


def _without_shown(f: Field, names: set[str]) -> dict[str, Any]:
    """The field as a dict, `${name}` of `names` taken out of its texts (and its children's)."""
    spec = f.model_dump(exclude_defaults=True)

    def strip(text: str) -> str:
        return _SHOWN.sub(lambda m: "" if m[1] in names else m[0], text).strip() or "…"

    for column in ("label", "hint", "constraint_message"):
        if column in spec:
            spec[column] = {lang: strip(text) for lang, text in spec[column].items()}
    if f.fields:
        spec["fields"] = [_without_shown(c, names) for c in f.fields]
    return spec


def _loop_body(rows: list[_Row], start: int) -> tuple[list[_Row], int]:
    """The rows between a `begin loop` and its `end loop`, and the index after it."""
    depth, i = 1, start
    while i < len(rows):
        kind = _words(rows[i].get("type"))
        if kind.startswith(("begin loop", "begin_loop")):
            depth += 1
        elif kind in ("end loop", "end_loop"):
            depth -= 1
            if depth == 0:
                return rows[start:i], i + 1
        i += 1
    return rows[start:], len(rows)


def _substituted(row: _Row, name: str, label: Mapping[str, str]) -> _Row:
    """A loop's row for one choice: `%(name)s` and `%(label)s` replaced in its texts."""
    texts = {
        column: {
            lang: text.replace("%(name)s", name).replace(
                "%(label)s", label.get(lang, label.get("en", name))
            )
            for lang, text in by_lang.items()
        }
        for column, by_lang in row.texts.items()
    }
    return _Row(row.number, dict(row.cells), texts, dict(row.filled))


def _usable_instance_name(source: str) -> bool:
    """Whether an instance_name is an expression Homeward evaluates (not a bare XPath path)."""
    if any(True for _ in _unsupported_constructs(source)):
        return False
    try:
        parse(source)
        return not column_names(source)
    except ExpressionError:
        return False


_SHOWN = re.compile(r"\$\{([^}]*)\}")  # a value shown in a label or hint


def _is_dynamic(value: str) -> bool:
    """A default computed by an expression (`today()`, `${other}`) rather than a value."""
    if "${" in value:
        return True
    calls = (m[1] for m in _CALL.finditer(_BLANKABLE.sub(" ", value)))
    return any(name in FUNCTIONS or name in _FUNCTION_HINTS for name in calls)


def _is_choice_column(key: str) -> bool:
    """A choices column kept as a choice property: not list_name/name/media/bookkeeping."""
    return key not in ("list_name", "name", "media") and not key.startswith(("$", "kobo--"))


def _filled(row: Mapping[str, Any]) -> bool:
    return any(str(v).strip() for v in row.values() if v is not None)


def _version_from(text: str) -> str:
    """An ODK version as a Homeward one: other characters as `_` (`2022-04-11 16:26` →
    `2022-04-11_16_26`)."""
    return re.sub(r"[^0-9A-Za-z._-]+", "_", text.strip()).strip("_")


def _form_id_from(text: str) -> str:
    """A Homeward form id from an ODK one or a file name (`Household Survey` → `household_survey`;
    one starting with a digit gets `form_` in front)."""
    form_id = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return f"form_{form_id}" if form_id[:1].isdigit() else form_id


def _pydantic_message(err: Mapping[str, Any]) -> str:
    message = str(err.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
    return f"{where}: {message}" if where and "field '" not in message else message
