"""The server's per-change messages (issue #16 point 9): numbers in Khmer digits in Khmer, "1 row"
and not "1 rows" in English, for every catalog entry that takes a number."""

from __future__ import annotations

import re
import string

import pytest

from app.change_codes import MESSAGES, detail, texts
from app.forms.rules import beds_above_baseline, children_under_3_present

LATIN_DIGIT = re.compile(r"[0-9]")
KHMER_DIGIT = re.compile(r"[០-៩]")

# a value for each placeholder that carries a number or a date
NUMBERS = {
    "n": 1,
    "beds": 60,
    "baseline": 45,
    "base_rev": 7,
    "rev": 3,
    "version": "2026.1",
    "min_end": "2029-12-01",
    "reintegrated": "2025-06-30",
}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


ENTRIES_WITH_NUMBERS = sorted(
    entry for entry, (en, _) in MESSAGES.items() if placeholders(en) & set(NUMBERS)
)


def test_the_entries_with_numbers_are_the_ones_expected() -> None:
    assert {
        "too_many_rows", "too_few_rows", "too_long", "out_of_range.below_min",
        "out_of_range.above_max", "children_under_3", "beds_above_baseline",
        "unknown_form_version", "invalid_base_rev", "case_plan_under_3_years",
        "follow_up_under_2_years", "unknown_field",
    } <= set(ENTRIES_WITH_NUMBERS)  # fmt: skip


@pytest.mark.parametrize("entry", ENTRIES_WITH_NUMBERS)
def test_a_khmer_message_with_a_number_has_no_latin_digits(entry: str) -> None:
    en, km = MESSAGES[entry]
    params = {name: NUMBERS.get(name, "x") for name in placeholders(en) | placeholders(km)}
    english, khmer = texts(entry, **params)
    assert LATIN_DIGIT.search(english), english  # the English keeps its digits
    assert not LATIN_DIGIT.search(khmer), khmer
    assert KHMER_DIGIT.search(khmer), khmer


def test_one_row_one_character_one_child_are_singular_in_english() -> None:
    assert texts("too_few_rows", n=1)[0] == "At least 1 row is needed."
    assert texts("too_many_rows", n=1)[0] == "At most 1 row is allowed."
    assert texts("too_long", n=1)[0] == "At most 1 character is allowed."
    assert texts("too_few_rows", n=2)[0] == "At least 2 rows are needed."
    assert texts("too_few_rows", n=1)[1] == "ត្រូវការយ៉ាងតិច ១ ជួរ។"
    assert "1 child under 3" in texts("children_under_3", n=1)[0]
    assert "4 children under 3" in texts("children_under_3", n=4)[0]
    assert not re.search(r"\b1 (years|rows|characters)\b", " ".join(texts("too_long", n=1)))


def test_what_the_user_typed_and_identifiers_keep_their_characters() -> None:
    # a choice name or a form id is not a number to translate: the user must recognise it
    assert texts("invalid_choice", value="1201")[1] == "«1201» មិនមែនជាជម្រើសដែលមានទេ។"
    found = detail("duplicate_row_key", "rows.1._row_id", key="row2")
    assert found["message_km"].count("row2") == 1


def test_the_rules_flags_reach_the_device_in_khmer_digits() -> None:
    (beds,) = beds_above_baseline(
        {"beds": 60, "institution": "i"},
        lambda form_id, record_id: {"form_id": "institution", "data": {"baseline_beds": 45}},
    )
    assert beds.message_km.startswith("បានរាយការណ៍គ្រែចំនួន ៦០ លើសពីចំនួនគោល ៤៥")
    assert "60 beds reported" in beds.message
    (under_3,) = children_under_3_present({"children_under_3": 1}, None)
    assert "ចំនួន ១ នាក់" in under_3.message_km
    assert "counts 1 child under 3" in under_3.message
