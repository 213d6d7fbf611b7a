"""Every demo record is a valid submission of its form, stored exactly as the server would.

The validator is the server's (`validate_submission`); a record's stored `data` must be the
validator's cleaned data, and its location columns must match the location the validator
resolves (the institution's commune, directly or through the child's institution reference).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from app.demo.generate import (
    CHILD_FORM,
    FORM_VERSION,
    INSTITUTION_FORM,
    REFERENCE_DATE,
    DemoData,
    generate_demo,
)
from app.forms.definitions import load_builtin_form
from app.forms.schema import FormSchema
from app.forms.validate import ValidationResult, validate_submission

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 10:00 in Phnom Penh on the reference date


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo()


@pytest.fixture(scope="module")
def schemas() -> dict[str, FormSchema]:
    forms = {form_id: load_builtin_form(form_id) for form_id in (INSTITUTION_FORM, CHILD_FORM)}
    assert {form.version for form in forms.values()} == {FORM_VERSION}
    return forms


def _validate(
    demo: DemoData, schemas: dict[str, FormSchema], records: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], ValidationResult]]:
    institutions = {i["record_id"]: i for i in demo.institutions}
    looked_up: Counter[str] = Counter()

    def lookup(form_id: str, record_id: str) -> dict[str, Any] | None:
        looked_up[form_id] += 1
        found = institutions.get(record_id)
        if found is None or found["form_id"] != form_id:
            return None
        return {
            "form_id": found["form_id"],
            "data": found["data"],
            "location": found["data"]["commune"],
        }

    results = [
        (
            rec,
            validate_submission(
                schemas[rec["form_id"]],
                rec["data"],
                today=REFERENCE_DATE,
                now=NOW,
                lookup_record=lookup,
            ),
        )
        for rec in records
    ]
    if any(rec["form_id"] == CHILD_FORM for rec in records):
        assert looked_up[INSTITUTION_FORM] > 0  # the references were really checked
    return results


def _check(results: list[tuple[dict[str, Any], ValidationResult]]) -> None:
    errors = Counter(
        (rec["form_id"], e.path, e.code) for rec, result in results for e in result.errors
    )
    assert not errors, errors.most_common(10)
    for rec, result in results:
        assert result.data == rec["data"], rec["record_id"]
        assert result.flags == [] and result.attachments == []
        assert result.location is not None
        assert result.location == rec["commune"], rec["record_id"]
        assert rec["commune"].startswith(rec["district"])
        assert rec["district"].startswith(rec["province"])


def test_every_institution_is_valid(demo: DemoData, schemas: dict[str, FormSchema]) -> None:
    assert len(demo.institutions) == 267
    _check(_validate(demo, schemas, demo.institutions))


def test_every_child_is_valid(demo: DemoData, schemas: dict[str, FormSchema]) -> None:
    # All 11,788 take about 3 s; the brief allows a sample of 2,000, but all is better.
    assert len(demo.children) == 11_788
    _check(_validate(demo, schemas, demo.children))


def test_a_broken_reference_is_caught(demo: DemoData, schemas: dict[str, FormSchema]) -> None:
    """The check above would notice: a child pointing at no institution is refused."""
    child = demo.children[0]
    broken = {**child, "data": {**child["data"], "institution": child["record_id"]}}
    ((_, result),) = _validate(demo, schemas, [broken])
    assert [(e.path, e.code) for e in result.errors] == [("institution", "invalid_reference")]
    assert result.location is None
