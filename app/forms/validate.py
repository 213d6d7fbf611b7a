"""Validate a submission's `data` against the exact form version it names.

One entry point, `validate_submission`: pure (no database, no clock: `today`/`now` are passed in;
records are looked up through the `lookup_record` callable). It

1. reads the data level by level: unknown keys, JSON types, static choices, lengths, ranges;
2. settles relevance and calculations together until they stop changing: values of
   non-relevant fields (and of everything inside a non-relevant group or repeat) are DROPPED,
   calculations are recomputed by the server (a client's value for them is ignored);
3. checks what remains: required-when-relevant, constraints, choice filters, repeat bounds,
   references, the location field;
4. applies the form's JSON rules and the action plan's rules (`app/forms/rules.py`).

Errors on a field that turns out not relevant are not reported: its value is dropped anyway
(an unknown key is always refused, wherever it is).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.forms.expressions import Context, ExpressionError, evaluate, evaluate_bool
from app.forms.schema import CHOICE_REF_PREFIX, Choice, Field, FormSchema, walk

LookupRecord = Callable[[str, str], "dict[str, Any] | None"]
Position = tuple[tuple[str, int], ...]

_EVAL_ERRORS = (ExpressionError, KeyError, TypeError, ValueError, ArithmeticError, IndexError)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOCATION_CODE = re.compile(r"^\d{2}(\d{2}){0,2}$")


@dataclass(frozen=True)
class Issue:
    """An error or a flag at a data path (`household_members.2.age`), in English and Khmer."""

    path: str
    code: str
    message: str
    message_km: str
    urgent: bool = False

    def as_detail(self) -> dict[str, Any]:
        """The contract's validation detail: `{"path", "code", "message", "message_km"}`."""
        detail: dict[str, Any] = {
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "message_km": self.message_km,
        }
        if self.urgent:
            detail["urgent"] = True
        return detail


@dataclass
class ValidationResult:
    errors: list[Issue] = field(default_factory=list)
    flags: list[Issue] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    attachments: list[str] = field(default_factory=list)
    location: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def urgent(self) -> bool:
        return any(flag.urgent for flag in self.flags)


# code -> (English, Khmer); placeholders filled with str.format
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("This field is required.", "ត្រូវការបំពេញ។"),
    "wrong_type": ("Expected {expected}.", "ត្រូវតែជា{expected_km}។"),
    "invalid_choice": (
        "'{value}' is not one of the choices.",
        "«{value}» មិនមែនជាជម្រើសដែលមានទេ។",
    ),
    "filtered_choice": (
        "'{value}' cannot be chosen with the answers given.",
        "«{value}» មិនអាចជ្រើសរើសបានតាមចម្លើយដែលបានផ្ដល់ទេ។",
    ),
    "constraint_failed": ("The value is not accepted.", "តម្លៃនេះមិនត្រូវបានទទួលយកទេ។"),
    "unknown_field": (
        "This field is not part of form {form_id} version {version}.",
        "ចំណុចនេះមិនមែនជាផ្នែកនៃទម្រង់ {form_id} កំណែ {version} ទេ។",
    ),
    "too_many_rows": ("At most {n} rows are allowed.", "អនុញ្ញាតយ៉ាងច្រើន {n} ជួរ។"),
    "too_few_rows": ("At least {n} rows are needed.", "ត្រូវការយ៉ាងតិច {n} ជួរ។"),
    "too_long": ("At most {n} characters are allowed.", "អនុញ្ញាតយ៉ាងច្រើន {n} តួអក្សរ។"),
    "below_min": ("The value must be at least {n}.", "តម្លៃត្រូវតែយ៉ាងតិច {n}។"),
    "above_max": ("The value must be at most {n}.", "តម្លៃត្រូវតែយ៉ាងច្រើន {n}។"),
    "invalid_reference": (
        "No {form_id} record with this ID was found.",
        "រកមិនឃើញកំណត់ត្រា {form_id} ដែលមានលេខសម្គាល់នេះទេ។",
    ),
    "wrong_reference_form": (
        "The record referred to is not a {form_id} record.",
        "កំណត់ត្រាដែលយោងមិនមែនជាកំណត់ត្រា {form_id} ទេ។",
    ),
    "duplicate_row_key": (
        "Another row carries the same {key}.",
        "មានជួរផ្សេងទៀតដែលមាន {key} ដូចគ្នា។",
    ),
    "invalid_location": (
        "A location code has 2, 4 or 6 digits (province, district, commune).",
        "លេខកូដទីតាំងមាន ២ ៤ ឬ ៦ ខ្ទង់ (ខេត្ត ស្រុក ឃុំ)។",
    ),
}

# type -> (English, Khmer) description for wrong_type
EXPECTED: dict[str, tuple[str, str]] = {
    "form": ("an object of fields", "វត្ថុ (object) នៃចំណុចទិន្នន័យ"),
    "text": ("a text", "អត្ថបទ"),
    "integer": ("a whole number", "ចំនួនគត់"),
    "decimal": ("a number", "លេខ"),
    "date": ("a date written YYYY-MM-DD", "កាលបរិច្ឆេទសរសេរជា YYYY-MM-DD"),
    "datetime": (
        "a date and time with a UTC offset (ISO 8601)",
        "កាលបរិច្ឆេទ និងម៉ោង ដែលមានតំបន់ម៉ោង (ISO 8601)",
    ),
    "select_one": ("the name of one choice", "ឈ្មោះជម្រើសមួយ"),
    "select_multiple": ("a list of choice names", "បញ្ជីឈ្មោះជម្រើស"),
    "yes_no": ('"yes" or "no"', '"yes" ឬ "no"'),
    "geopoint": (
        'a point {"lat", "lon", "accuracy"} (degrees, metres)',
        'ចំណុចភូមិសាស្ត្រ {"lat", "lon", "accuracy"} (ដឺក្រេ ម៉ែត្រ)',
    ),
    "photo": ("the SHA-256 (64 hex digits) of an attachment", "SHA-256 (៦៤ ខ្ទង់) នៃឯកសារភ្ជាប់"),
    "signature": (
        "the SHA-256 (64 hex digits) of an attachment",
        "SHA-256 (៦៤ ខ្ទង់) នៃឯកសារភ្ជាប់",
    ),
    "reference": ("a record ID (UUID)", "លេខសម្គាល់កំណត់ត្រា (UUID)"),
    "group": ("an object of fields", "វត្ថុ (object) នៃចំណុចទិន្នន័យ"),
    "repeat": ("a list of rows", "បញ្ជីជួរ"),
    "row": ("a row (an object of fields)", "ជួរមួយ (object)"),
    "row_key": ("a row ID (UUID)", "លេខសម្គាល់ជួរ (UUID)"),
}


def issue(path: str, code: str, *, message_code: str | None = None, **params: Any) -> Issue:
    en, km = MESSAGES[message_code or code]
    return Issue(path, code, en.format(**params), km.format(**params))


def _wrong_type(path: str, kind: str) -> Issue:
    en, km = EXPECTED[kind]
    return issue(path, "wrong_type", expected=en, expected_km=km)


def validate_submission(
    schema: FormSchema,
    data: Any,
    *,
    today: date,
    now: datetime,
    lookup_record: LookupRecord | None = None,
) -> ValidationResult:
    """Validate `data` against `schema`; see the module docstring and docs/forms.md."""
    if not isinstance(data, dict):
        return ValidationResult(errors=[_wrong_type("", "form")])
    run = _Run(schema, today, now, lookup_record)
    typed = run.read_level(schema.fields, data, "")
    cleaned = run.settle(typed)
    errors = [e for e in run.read_errors if e.code == "unknown_field" or not run.dropped(e.path)]
    run.unreadable = {e.path for e in errors}
    errors += run.check_level(schema.fields, cleaned, "", (), cleaned)
    result = ValidationResult(errors=errors, data=cleaned)
    result.attachments = sorted(set(_attachments(schema.fields, cleaned)))
    location_issues, result.location = run.resolve_location(cleaned)
    result.errors += location_issues
    rule_errors, result.flags = run.apply_rules(cleaned)
    ruled = {e.path for e in rule_errors}
    # a rule's error replaces the form's own constraint at the same path (the tablet's copy)
    result.errors = [
        e for e in result.errors if not (e.code == "constraint_failed" and e.path in ruled)
    ]
    result.errors += rule_errors
    return result


class _Run:
    """The state of one validation: the schema's name index and the issues met while reading."""

    def __init__(
        self, schema: FormSchema, today: date, now: datetime, lookup_record: LookupRecord | None
    ) -> None:
        self.schema = schema
        self.today = today
        self.now = now
        self.lookup_record = lookup_record
        self.read_errors: list[Issue] = []
        self.irrelevant: set[str] = set()
        self.unreadable: set[str] = set()
        infos = list(walk(schema.fields))
        self.repeats = {i.path for i in infos if i.field.type == "repeat"}
        self.by_name: dict[str, list[str]] = {}
        for info in infos:
            self.by_name.setdefault(info.field.name, []).append(info.path)

    # --- 1. reading -------------------------------------------------------------------------

    def read_level(self, fields: list[Field], level: dict[str, Any], prefix: str) -> dict[str, Any]:
        known = {f.name: f for f in fields}
        out: dict[str, Any] = {}
        for key in level:
            if key not in known:
                self.read_errors.append(
                    issue(
                        prefix + key,
                        "unknown_field",
                        form_id=self.schema.form_id,
                        version=self.schema.version,
                    )
                )
        for f in fields:
            value = level.get(f.name)
            if _is_empty(value) or f.type in {"note", "calculate"}:
                continue
            path = prefix + f.name
            if f.type == "group":
                if isinstance(value, dict):
                    out[f.name] = self.read_level(f.fields or [], value, path + ".")
                else:
                    self.read_errors.append(_wrong_type(path, "group"))
            elif f.type == "repeat":
                rows = self.read_rows(f, value, path)
                if rows is not None:
                    out[f.name] = rows
            else:
                problem, clean = self.read_value(f, value, path)
                if problem is not None:
                    self.read_errors.append(problem)
                else:
                    out[f.name] = clean
        return out

    def read_rows(self, f: Field, value: Any, path: str) -> list[dict[str, Any]] | None:
        if not isinstance(value, list):
            self.read_errors.append(_wrong_type(path, "repeat"))
            return None
        key = f.key_of_rows
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        for i, row in enumerate(value):
            row_path = f"{path}.{i}"
            if not isinstance(row, dict):
                self.read_errors.append(_wrong_type(row_path, "row"))
                rows.append({})
                continue
            row_id = row.get(key)
            body = {k: v for k, v in row.items() if k != key}
            clean = self.read_level(f.fields or [], body, row_path + ".")
            if row_id is None:
                self.read_errors.append(issue(f"{row_path}.{key}", "required"))
            elif not _is_uuid(row_id):
                self.read_errors.append(_wrong_type(f"{row_path}.{key}", "row_key"))
            elif row_id in seen:
                self.read_errors.append(issue(f"{row_path}.{key}", "duplicate_row_key", key=key))
            else:
                seen.add(row_id)
                clean = {key: row_id, **clean}
            rows.append(clean)
        return rows

    def read_value(self, f: Field, value: Any, path: str) -> tuple[Issue | None, Any]:
        """(problem, cleaned value) for a leaf field: type, static choices, length, range."""
        t = f.type
        if t == "text":
            if not isinstance(value, str):
                return _wrong_type(path, t), None
            if len(value) > f.text_max_length:
                return issue(path, "too_long", n=f.text_max_length), None
            return None, value
        if t in {"integer", "decimal"}:
            number = _as_number(value, integer=t == "integer")
            if number is None:
                return _wrong_type(path, t), None
            if f.min is not None and number < f.min:
                return issue(path, "out_of_range", message_code="below_min", n=_num(f.min)), None
            if f.max is not None and number > f.max:
                return issue(path, "out_of_range", message_code="above_max", n=_num(f.max)), None
            return None, number
        if t == "date":
            return (None, value) if _is_date(value) else (_wrong_type(path, t), None)
        if t == "datetime":
            return (None, value) if _is_datetime(value) else (_wrong_type(path, t), None)
        if t == "yes_no":
            return (None, value) if value in ("yes", "no") else (_wrong_type(path, t), None)
        if t in {"select_one", "select_multiple"}:
            return self.read_choice(f, value, path)
        if t == "geopoint":
            return (None, value) if _is_geopoint(value) else (_wrong_type(path, t), None)
        if t in {"photo", "signature"}:
            ok = isinstance(value, str) and _SHA256.match(value)
            return (None, value) if ok else (_wrong_type(path, t), None)
        if t == "reference":
            return (None, value) if _is_uuid(value) else (_wrong_type(path, t), None)
        raise AssertionError(f"unhandled field type {t}")  # pragma: no cover

    def read_choice(self, f: Field, value: Any, path: str) -> tuple[Issue | None, Any]:
        names = {c.name for c in self.schema.choices_for(f)}
        if f.type == "select_one":
            if not isinstance(value, str):
                return _wrong_type(path, "select_one"), None
            if value not in names:
                return issue(path, "invalid_choice", value=value), None
            return None, value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return _wrong_type(path, "select_multiple"), None
        for v in value:
            if v not in names:
                return issue(path, "invalid_choice", value=v), None
        if len(set(value)) != len(value):
            return issue(path, "invalid_choice", value=_first_duplicate(value)), None
        return None, value

    # --- 2. relevance and calculations --------------------------------------------------------

    def settle(self, typed: dict[str, Any]) -> dict[str, Any]:
        """Drop non-relevant values and recompute calculations until nothing changes."""
        tree = typed
        for _ in range(len(self.by_name) + 2):
            self.irrelevant = set()
            new = self.settle_level(self.schema.fields, typed, "", "", (), tree)
            if new == tree:
                break
            tree = new
        return tree

    def settle_level(
        self,
        fields: list[Field],
        level: dict[str, Any],
        prefix: str,
        data_prefix: str,
        position: Position,
        tree: dict[str, Any],
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields:
            path, data_path = prefix + f.name, data_prefix + f.name
            if f.relevant and not self.holds(f.relevant, tree, position, default=True):
                self.irrelevant.add(data_path)
                continue
            if f.type == "group":
                inner = self.settle_level(
                    f.fields or [],
                    level.get(f.name) or {},
                    path + ".",
                    data_path + ".",
                    position,
                    tree,
                )
                if inner:
                    out[f.name] = inner
            elif f.type == "repeat":
                if f.name not in level:
                    continue
                rows = []
                for i, row in enumerate(level[f.name]):
                    inner = self.settle_level(
                        f.fields or [],
                        row,
                        path + ".",
                        f"{data_path}.{i}.",
                        (*position, (path, i)),
                        tree,
                    )
                    key = f.key_of_rows
                    rows.append({key: row[key], **inner} if key in row else inner)
                out[f.name] = rows
            elif f.calculation is not None:
                value = _fit(f, self.compute(f.calculation, tree, position))
                if value is not None:
                    out[f.name] = value
            elif f.name in level:
                out[f.name] = level[f.name]
        return out

    def dropped(self, data_path: str) -> bool:
        return any(data_path == p or data_path.startswith(p + ".") for p in self.irrelevant)

    # --- 3. checks on what remains --------------------------------------------------------

    def check_level(
        self,
        fields: list[Field],
        level: dict[str, Any],
        prefix: str,
        position: Position,
        tree: dict[str, Any],
        data_prefix: str = "",
    ) -> list[Issue]:
        found: list[Issue] = []
        for f in fields:
            path, data_path = prefix + f.name, data_prefix + f.name
            if self.dropped(data_path) or f.type in {"note", "calculate"}:
                continue
            value = level.get(f.name)
            if f.type == "group":
                found += self.check_level(
                    f.fields or [], value or {}, path + ".", position, tree, data_path + "."
                )
            elif f.type == "repeat":
                found += self.check_rows(f, value or [], path, data_path, position, tree)
            else:
                found += self.check_value(f, value, data_path, position, tree)
        return found

    def check_rows(
        self,
        f: Field,
        rows: list[dict[str, Any]],
        path: str,
        data_path: str,
        position: Position,
        tree: dict[str, Any],
    ) -> list[Issue]:
        found: list[Issue] = []
        if f.min_count is not None and len(rows) < f.min_count:
            found.append(issue(data_path, "too_few_rows", n=f.min_count))
        if f.max_count is not None and len(rows) > f.max_count:
            found.append(issue(data_path, "too_many_rows", n=f.max_count))
        for i, row in enumerate(rows):
            found += self.check_level(
                f.fields or [], row, path + ".", (*position, (path, i)), tree, f"{data_path}.{i}."
            )
        return found

    def check_value(
        self, f: Field, value: Any, data_path: str, position: Position, tree: dict[str, Any]
    ) -> list[Issue]:
        if _is_empty(value):
            if data_path in self.unreadable:
                return []  # already reported as wrong_type, invalid_choice, too_long...
            required = f.required
            if isinstance(required, str):
                required = self.holds(required, tree, position, default=False)
            is_required = required and f.calculation is None
            return [issue(data_path, "required")] if is_required else []
        found: list[Issue] = []
        if f.constraint and not self.holds(f.constraint, tree, position, True, current=value):
            msg = f.constraint_message
            if msg is None:
                found.append(issue(data_path, "constraint_failed"))
            else:
                found.append(Issue(data_path, "constraint_failed", msg.en, msg.km))
        if f.choice_filter:
            found += self.check_choice_filter(f, value, data_path, position, tree)
        if f.type == "reference" and f.reference is not None and self.lookup_record:
            record = self.lookup_record(f.reference.form_id, value)
            if record is None:
                found.append(issue(data_path, "invalid_reference", form_id=f.reference.form_id))
            elif record.get("form_id") != f.reference.form_id:
                found.append(
                    issue(
                        data_path,
                        "invalid_reference",
                        message_code="wrong_reference_form",
                        form_id=f.reference.form_id,
                    )
                )
        return found

    def check_choice_filter(
        self, f: Field, value: Any, data_path: str, position: Position, tree: dict[str, Any]
    ) -> list[Issue]:
        """A chosen value must pass the field's choice_filter, where the server can evaluate it.

        The filter is evaluated once per chosen choice, with the choice row (`name` and its
        `filter` properties) as `current`: bare names read its columns, as in XLSForm.
        """
        by_name = {c.name: c for c in self.schema.choices_for(f)}
        for name in value if isinstance(value, list) else [value]:
            row = _choice_row(by_name[name])
            if not self.holds(f.choice_filter or "", tree, position, True, current=row):
                return [
                    issue(data_path, "invalid_choice", message_code="filtered_choice", value=name)
                ]
        return []

    # --- expressions -----------------------------------------------------------------------

    def context(self, tree: dict[str, Any], position: Position, current: Any = None) -> Context:
        where = dict(position)

        def lookup(name: str) -> Any:
            if isinstance(current, dict) and name.startswith(CHOICE_REF_PREFIX):
                return current.get(name[len(CHOICE_REF_PREFIX) :])  # a choice row's column
            paths = self.by_name.get(name)
            if not paths or len(paths) > 1:
                raise KeyError(name)
            return _for_expression(self.value_at(tree, paths[0], where))

        return Context(lookup=lookup, current=current, today=self.today, now=self.now)

    def value_at(self, tree: dict[str, Any], path: str, where: dict[str, int]) -> Any:
        """A field's value seen from a position: same row inside its repeat, else all rows."""
        value, _ = self._descend(tree, path.split("."), 0, "", where)
        return value

    def _descend(
        self, node: Any, segs: list[str], i: int, prefix: str, where: dict[str, int]
    ) -> tuple[Any, bool]:
        here = prefix + segs[i]
        child = node.get(segs[i]) if isinstance(node, dict) else None
        if i == len(segs) - 1:
            return child, False
        if here not in self.repeats:
            return self._descend(child, segs, i + 1, here + ".", where)
        rows = child if isinstance(child, list) else []
        if here in where:
            row = rows[where[here]] if where[here] < len(rows) else None
            return self._descend(row, segs, i + 1, here + ".", where)
        values: list[Any] = []
        for row in rows:
            value, many = self._descend(row, segs, i + 1, here + ".", where)
            values.extend(value if many else [value])
        return values, True

    def holds(
        self,
        source: str,
        tree: dict[str, Any],
        position: Position,
        default: bool,
        current: Any = None,
    ) -> bool:
        try:
            return evaluate_bool(source, self.context(tree, position, current))
        except _EVAL_ERRORS:
            return default

    def compute(self, source: str, tree: dict[str, Any], position: Position) -> Any:
        try:
            return evaluate(source, self.context(tree, position))
        except _EVAL_ERRORS:
            return None

    # --- 4. location and rules ---------------------------------------------------------------

    def resolve_location(self, data: dict[str, Any]) -> tuple[list[Issue], str | None]:
        """The location code deciding the record's scope (None: the creator's scope)."""
        path = self.schema.location_field
        if path is None:
            return [], None
        loc_field = self.schema.field_at(path)
        value = self.value_at(data, path, {})
        if _is_empty(value) or loc_field is None or self.dropped(path):
            return [], None
        if loc_field.type == "reference":
            if self.lookup_record is None or loc_field.reference is None:
                return [], None
            record = self.lookup_record(loc_field.reference.form_id, value)
            location = record.get("location") if record else None
            return [], location if isinstance(location, str) else None
        if not isinstance(value, str) or not _LOCATION_CODE.match(value):
            return [issue(path, "invalid_location")], None
        return [], value

    def apply_rules(self, data: dict[str, Any]) -> tuple[list[Issue], list[Issue]]:
        from app.forms.rules import check_domain_rules  # rules.py imports Issue from here

        errors: list[Issue] = []
        flags: list[Issue] = []
        for rule in self.schema.rules:
            if self.holds(rule.when, data, (), default=False):
                found = Issue(
                    rule.path, rule.issue_code, rule.message.en, rule.message.km, rule.urgent
                )
                (errors if rule.kind == "refuse" else flags).append(found)
        domain_errors, domain_flags = check_domain_rules(
            self.schema.form_id, data, lookup_record=self.lookup_record
        )
        return errors + domain_errors, flags + domain_flags


# --- small pure helpers ----------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return str(uuid.UUID(value)) == value  # canonical: lowercase, hyphenated
    except ValueError:
        return False


def _as_number(value: Any, *, integer: bool) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if integer:
            return int(value) if value.is_integer() else None
    return value


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _is_geopoint(value: Any) -> bool:
    if not isinstance(value, dict) or not {"lat", "lon", "accuracy"} <= set(value):
        return False
    if not set(value) <= {"lat", "lon", "accuracy", "altitude"}:
        return False
    numbers = {k: _as_number(v, integer=False) for k, v in value.items()}
    if any(n is None for n in numbers.values()):
        return False
    lat, lon, acc = numbers["lat"], numbers["lon"], numbers["accuracy"]
    assert lat is not None and lon is not None and acc is not None
    return -90 <= lat <= 90 and -180 <= lon <= 180 and acc >= 0


def _first_duplicate(values: list[str]) -> str:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            return v
        seen.add(v)
    return ""  # pragma: no cover


def _choice_row(choice: Choice) -> dict[str, Any]:
    return {**(choice.filter or {}), "name": choice.name}


def _for_expression(value: Any) -> Any:
    """A geopoint reads as ODK's "lat lon altitude accuracy"; other values pass unchanged."""
    if isinstance(value, dict) and "lat" in value:
        return " ".join(str(value.get(k, 0)) for k in ("lat", "lon", "altitude", "accuracy"))
    return value


def _fit(f: Field, value: Any) -> Any:
    """A computed value in the field's type; None when empty or not a finite number."""
    if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if f.type in {"integer", "calculate"} and isinstance(value, float) and value.is_integer():
        return int(value)
    if f.type == "text" and not isinstance(value, str):
        return str(value)
    return value


def _attachments(fields: list[Field], level: dict[str, Any]) -> Iterator[str]:
    for f in fields:
        value = level.get(f.name)
        if value is None:
            continue
        if f.type in {"photo", "signature"}:
            yield value
        elif f.type == "group":
            yield from _attachments(f.fields or [], value)
        elif f.type == "repeat":
            for row in value:
                yield from _attachments(f.fields or [], row)
