"""The desk's pure helpers for placements and conflicts: the child's age, the steps a role
may take, a typed value read as its field's type, and who set the server's value."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.desk.conflict_values import (
    BadValue,
    RevisionAuthor,
    field_of,
    parse_typed,
    server_author,
)
from app.desk.placements import age_on, allowed_steps
from app.forms.schema import FormSchema

DEFINITIONS = Path(__file__).resolve().parents[2] / "app" / "forms" / "definitions"
PLACEMENT = FormSchema.model_validate(
    json.loads((DEFINITIONS / "placement_recommendation.json").read_text())
)


def test_age_is_in_full_years_on_the_recommendation_date() -> None:
    assert age_on("2019-04-02", "2026-11-18") == 7
    assert age_on("2019-11-19", "2026-11-18") == 6  # the birthday is tomorrow
    assert age_on("2019-11-18", "2026-11-18") == 7
    assert age_on(None, "2026-11-18") is None
    assert age_on("soon", "2026-11-18") is None
    assert age_on("2027-01-01", "2026-11-18") is None


@pytest.mark.parametrize(
    ("role", "state", "steps"),
    [
        ("dosvy_supervisor", "recommended", ["authorize", "decline"]),
        ("dosvy_supervisor", "authorized", []),
        ("mosvy", "recommended", []),
        ("mosvy", "authorized", ["certify", "decline"]),
        ("admin", "recommended", []),
        ("mosvy", "certified", []),
        ("dosvy_supervisor", None, []),
    ],
)
def test_the_steps_a_role_may_take_follow_the_workflow(
    role: str, state: str | None, steps: list[str]
) -> None:
    assert allowed_steps(role, state) == steps


def _typed(path: str, raw: str) -> object:
    field = field_of(PLACEMENT, path)
    assert field is not None
    return parse_typed(PLACEMENT, field, raw)


def test_a_typed_value_is_read_as_its_fields_type() -> None:
    assert _typed("family.household_size", " 8 ") == 8
    assert _typed("recommendation_date", "2026-11-30") == "2026-11-30"
    assert _typed("disability", "No") == "no"
    assert _typed("sex", "Female") == "female"
    assert _typed("sex", "ប្រុស") == "male"
    assert _typed("reasons_for_separation", "poverty abandonment") == ["poverty", "abandonment"]
    assert _typed("reasons_for_separation", "Poverty, Death of one or both parents") == [
        "poverty",
        "parent_death",
    ]
    assert _typed("village", "  Phum Thmei ") == "Phum Thmei"
    for path, raw, key in (
        ("family.household_size", "seven", "conflicts_bad_integer"),
        ("family.household_size", "", "conflicts_value_required"),
        ("recommendation_date", "30/11/2026", "conflicts_bad_date"),
        ("disability", "maybe", "conflicts_bad_yes_no"),
        ("sex", "unknown", "conflicts_bad_choice"),
    ):
        with pytest.raises(BadValue) as caught:
            _typed(path, raw)
        assert caught.value.key == key, (path, raw)


def test_a_repeat_rows_key_is_no_obstacle_to_finding_its_field() -> None:
    found = field_of(PLACEMENT, "ccwc_members[k1].member_name")
    assert found is not None and found.name == "member_name"


def test_the_server_value_was_set_by_the_first_revision_of_its_last_run() -> None:
    def rev(n: int, by: str) -> RevisionAuthor:
        return RevisionAuthor(
            rev=n, by=by, device_id=f"tab-{by}", at=datetime(2026, 11, n, tzinfo=UTC)
        )

    history = [
        (rev(3, "c"), {"beds": 12, "staff": 4}),
        (rev(1, "a"), {"beds": 10}),
        (rev(2, "b"), {"beds": 12}),
        (rev(4, "d"), {"beds": 14}),  # the clash's own revision and later: not counted
    ]
    found = server_author(history, "beds", before_rev=4)
    assert found is not None and found.by == "b"
    first = server_author(history, "staff", before_rev=4)
    assert first is not None and first.by == "c"
    assert server_author([], "beds", before_rev=2) is None
