"""The server's validator against the shared vectors in tests/vectors/validation.json.

The tablet's copy of the form logic (static/pwa/js/form-model.js) passes the same file
(static/pwa/tests/form-model.test.mjs), so a submission the tablet accepts offline is accepted
here, and one it refuses is refused here with the same (path, code) pairs.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.forms.definitions import load_builtin_form
from app.forms.schema import FormSchema
from app.forms.validate import validate_submission

VECTORS_PATH = Path(__file__).resolve().parents[1] / "vectors" / "validation.json"
VECTORS: dict[str, Any] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = VECTORS["cases"]


def lookup_record(form_id: str, record_id: str) -> dict[str, Any] | None:
    record: dict[str, Any] | None = VECTORS["records"].get(record_id)
    return record


def schema_of(case: dict[str, Any]) -> FormSchema:
    if "schema" in case:
        return FormSchema.model_validate(case["schema"])
    return load_builtin_form(case["form_id"])


def test_the_vectors_cover_enough_cases() -> None:
    assert len(CASES) >= 60
    assert len({c["name"] for c in CASES}) == len(CASES), "case names are unique"
    codes = {code for c in CASES for _, code in c["expected_errors"]}
    assert {
        "required", "wrong_type", "invalid_choice", "constraint_failed", "unknown_field",
        "too_long", "out_of_range", "too_few_rows", "too_many_rows", "duplicate_row_key",
        "invalid_reference", "invalid_location", "under_3_residential_care",
        "case_plan_under_3_years", "rule_refused",
    } <= codes  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_server_gives_the_expected_errors(case: dict[str, Any]) -> None:
    result = validate_submission(
        schema_of(case),
        case["data"],
        today=date.fromisoformat(case["today"]),
        now=datetime.fromisoformat(case.get("now", VECTORS["now"])),
        lookup_record=lookup_record,
    )
    assert {(e.path, e.code) for e in result.errors} == {tuple(e) for e in case["expected_errors"]}
    if "expected_messages" in case:
        got = sorted([e.path, e.code, e.message, e.message_km] for e in result.errors)
        assert got == sorted(case["expected_messages"])
    if "expected_data" in case:
        assert result.data == case["expected_data"]
