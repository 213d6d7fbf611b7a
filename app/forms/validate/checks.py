"""Steps 3 and 4, checking what settling left: required-when-relevant, constraints, choice
filters, repeat bounds, references; then the location field, the form's JSON rules and the
action plan's rules (`app/forms/rules.py`).

Only the fields that can raise an issue are looked at (`Plan`'s `Checks`); a field found not
relevant is skipped, and so is the absence of a value already refused while reading
(`unreadable`: its issue was given then).
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from typing import Any

from app.forms.issues import Issue, LookupRecord, issue
from app.forms.rules import check_domain_rules
from app.forms.validate.plan import GROUP, REPEAT, Checks, Node, Plan
from app.forms.validate.scope import NOWHERE, Scope
from app.forms.validate.settle import Settler

_LOCATION_CODE = re.compile(r"^\d{2}(\d{2}){0,2}$")
_NO_ROWS: list[Any] = []  # compared with, never changed


class Checker:
    """The checks of one settled submission (`settled`: how it was settled)."""

    __slots__ = (
        "plan", "schema", "holds", "settled", "irrelevant", "unreadable", "lookup_record",
    )  # fmt: skip

    def __init__(
        self,
        plan: Plan,
        scope: Scope,
        settled: Settler,
        unreadable: AbstractSet[str],
        lookup_record: LookupRecord | None,
    ) -> None:
        self.plan = plan
        self.schema = plan.schema
        self.holds = scope.holds
        self.settled = settled
        self.irrelevant = settled.irrelevant
        self.unreadable = unreadable
        self.lookup_record = lookup_record

    def check_level(
        self,
        checks: Checks,
        level: dict[str, Any],
        where: dict[str, int],
        tree: dict[str, Any],
        data_prefix: str,
        found: list[Issue],
    ) -> None:
        """Add to `found` the issues of the fields `checks` lists in `level` (settled)."""
        get = level.get
        for node in checks.rest if level.keys() >= checks.present else checks.nodes:
            value = get(node.name)
            kind = node.kind
            if kind == GROUP and value is not None and node.checks.passes(value):
                continue  # (nothing in it can raise an issue)
            # Only called inside a level that is not dropped (and a field is never called like
            # a row number), so `dropped(data_path)` comes down to this (a field is found not
            # relevant only when it has a relevance):
            if (
                node.relevant is not None
                and (node.data_path or data_prefix + node.name) in self.irrelevant
            ):
                continue
            if kind == GROUP:
                dot = node.dot or data_prefix + node.name + "."
                self.check_level(node.checks, value or {}, where, tree, dot, found)
            elif kind == REPEAT:
                self.check_rows(node, value or [], data_prefix + node.name, where, tree, found)
            elif value is None or value == "" or value == _NO_ROWS:  # _is_empty(value)
                self.check_empty(node, data_prefix + node.name, where, tree, found)
            elif node.checked:
                self.check_value(node, value, data_prefix, where, tree, found)

    def check_rows(
        self,
        node: Node,
        rows: list[dict[str, Any]],
        data_path: str,
        where: dict[str, int],
        tree: dict[str, Any],
        found: list[Issue],
    ) -> None:
        f = node.field
        if f.min_count is not None and len(rows) < f.min_count:
            found.append(issue(data_path, "too_few_rows", n=f.min_count))
        if f.max_count is not None and len(rows) > f.max_count:
            found.append(issue(data_path, "too_many_rows", n=f.max_count))
        checks = node.checks
        for i, row in enumerate(rows):
            if not checks.passes(row):
                inside = {**where, node.path: i}
                self.check_level(checks, row, inside, tree, f"{data_path}.{i}.", found)

    def check_empty(
        self,
        node: Node,
        data_path: str,
        where: dict[str, int],
        tree: dict[str, Any],
        found: list[Issue],
    ) -> None:
        if data_path in self.unreadable:
            return  # already reported as wrong_type, invalid_choice, too_long...
        required = node.required
        if not isinstance(required, bool):
            required = self.holds(required, tree, where, default=False)
        if required and node.field.calculation is None:
            found.append(issue(data_path, "required"))

    def check_value(
        self,
        node: Node,
        value: Any,
        data_prefix: str,
        where: dict[str, int],
        tree: dict[str, Any],
        found: list[Issue],
    ) -> None:
        data_path = node.data_path or data_prefix + node.name
        if node.constraint is not None and not self.holds(
            node.constraint, tree, where, True, current=value
        ):
            msg = node.field.constraint_message
            if msg is None:
                found.append(issue(data_path, "constraint_failed"))
            else:
                found.append(Issue(data_path, "constraint_failed", msg.en, msg.km))
        if node.choice_filter is not None:
            found += self.check_choice_filter(node, value, data_path, where, tree)
        form_id = node.reference_form
        if form_id is not None and self.lookup_record:
            record = self.lookup_record(form_id, value)
            if record is None:
                found.append(issue(data_path, "invalid_reference", form_id=form_id))
            elif record.get("form_id") != form_id:
                found.append(
                    issue(
                        data_path,
                        "invalid_reference",
                        variant="wrong_form",
                        form_id=form_id,
                    )
                )

    def check_choice_filter(
        self, node: Node, value: Any, data_path: str, where: dict[str, int], tree: dict[str, Any]
    ) -> list[Issue]:
        """A chosen value must pass the field's choice_filter, where the server can evaluate it.

        The filter is evaluated once per chosen choice, with the choice row (`name` and its
        `filter` properties) as `current`: bare names read its columns, as in XLSForm.
        """
        rows = node.choice_rows
        choice_filter = node.choice_filter
        assert choice_filter is not None
        for name in value if isinstance(value, list) else [value]:
            row = rows[name]
            if not self.holds(choice_filter, tree, where, True, current=row):
                return [issue(data_path, "invalid_choice", variant="filtered", value=name)]
        return []

    def resolve_location(self, data: dict[str, Any]) -> tuple[list[Issue], str | None]:
        """The location code deciding the record's scope (None: the creator's scope)."""
        path = self.schema.location_field
        if path is None:
            return [], None
        loc_field = self.plan.location_field
        value = self.plan.location_getter(data, NOWHERE)
        if _is_empty(value) or loc_field is None or self.settled.dropped(path):
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
        errors: list[Issue] = []
        flags: list[Issue] = []
        for rule, when in self.plan.rules:
            if self.holds(when, data, NOWHERE, default=False):
                found = Issue(
                    rule.path, rule.issue_code, rule.message.en, rule.message.km, rule.urgent
                )
                (errors if rule.kind == "refuse" else flags).append(found)
        domain_errors, domain_flags = check_domain_rules(
            self.schema.form_id, data, lookup_record=self.lookup_record
        )
        return errors + domain_errors, flags + domain_flags


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []
