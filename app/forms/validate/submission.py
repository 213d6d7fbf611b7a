"""`validate_submission`: the four steps in order, and the result they give."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.forms.issues import Issue, LookupRecord, wrong_type
from app.forms.schema import FormSchema
from app.forms.validate.checks import Checker
from app.forms.validate.plan import GROUP, REPEAT, Node, plan_for
from app.forms.validate.readers import Reader
from app.forms.validate.scope import NOWHERE, Scope
from app.forms.validate.settle import Settler

_NO_PATHS: frozenset[str] = frozenset()


@dataclass
class ValidationResult:
    """What validating a submission found: `errors` refuse it; `flags` travel with it for a
    supervisor; `data` is the cleaned data to store, `attachments` the SHA-256 names of the
    photos and signatures in it, `location` the code deciding its scope (None: the creator's)."""

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


def validate_submission(
    schema: FormSchema,
    data: Any,
    *,
    today: date,
    now: datetime,
    lookup_record: LookupRecord | None = None,
) -> ValidationResult:
    """Validate `data` against `schema`; see the package docstring and docs/forms.md."""
    if not isinstance(data, dict):
        return ValidationResult(errors=[wrong_type("", "form")])
    plan = plan_for(schema)
    scope = Scope(plan.getters, plan.dotted_getters, today, now)
    reader = Reader(schema)
    typed = reader.read_level(plan.reads, plan.names, data, "", {})
    settler = Settler(plan, scope)
    cleaned = settler.settle(typed)
    errors = reader.errors
    unreadable: frozenset[str] | set[str] = _NO_PATHS
    if errors:
        # an issue met reading a value that settling dropped is not reported
        errors = [e for e in errors if e.code == "unknown_field" or not settler.dropped(e.path)]
        unreadable = {e.path for e in errors}
    checker = Checker(plan, scope, settler, unreadable, lookup_record)
    checker.check_level(plan.checks, cleaned, NOWHERE, cleaned, "", errors)
    if plan.attachments_as_read:
        attachments = sorted(set(reader.attachments))
    else:
        attachments = sorted(set(attachments_in(plan.nodes, cleaned)))
    location_issues, location = checker.resolve_location(cleaned)
    errors += location_issues
    rule_errors, flags = checker.apply_rules(cleaned)
    if rule_errors:
        ruled = {e.path for e in rule_errors}
        # a rule's error replaces the form's own constraint at the same path (the tablet's copy)
        errors = [e for e in errors if not (e.code == "constraint_failed" and e.path in ruled)]
        errors += rule_errors
    return ValidationResult(
        errors=errors, flags=flags, data=cleaned, attachments=attachments, location=location
    )


def attachments_in(
    nodes: tuple[Node, ...], level: dict[str, Any], found: list[str] | None = None
) -> list[str]:
    """The attachments named in `level`: photos and signatures, in groups and repeats too."""
    found = [] if found is None else found
    for node in nodes:
        if not node.media:
            continue
        value = level.get(node.name)
        if value is None:
            continue
        if node.kind == GROUP:
            attachments_in(node.children, value, found)
        elif node.kind == REPEAT:
            for row in value:
                attachments_in(node.children, row, found)
        else:
            found.append(value)
    return found
