"""The synthetic demo data set matches the reference figures exactly and is deterministic."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from app.demo.generate import (
    CARE_DURATIONS,
    CHILD_FORM,
    CHILDREN_TOTAL,
    CHILDREN_UNDER_3,
    DISABILITY_TYPES,
    INSTITUTION_FORM,
    PLACEMENTS,
    REFERENCE_DATE,
    REGISTRATION_START,
    DemoData,
    age_on,
    care_duration,
    generate_demo,
    history_note,
)
from app.demo.geography import PRIORITY_PROVINCES, location_rows
from app.demo.people import child_name

KHMER = re.compile(r"[\u1780-\u17ff]")


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo()


def test_institutions_by_province_and_type(demo: DemoData) -> None:
    assert len(demo.institutions) == 267
    assert Counter(i["province"] for i in demo.institutions) == {
        "12": 117,
        "17": 80,
        "02": 35,
        "08": 20,
        "18": 15,
    }
    assert Counter(i["data"]["institution_type"] for i in demo.institutions) == {
        "long_term": 173,
        "short_term": 23,
        "unknown": 71,
    }


def test_children_totals_by_sex(demo: DemoData) -> None:
    assert len(demo.children) == 11_788
    assert Counter(c["data"]["sex"] for c in demo.children) == {"female": 5_607, "male": 6_181}


def test_all_children_under_18_with_a_handful_under_3(demo: DemoData) -> None:
    ages = [
        age_on(date.fromisoformat(c["data"]["date_of_birth"]), REFERENCE_DATE)
        for c in demo.children
    ]
    assert min(ages) >= 0
    assert max(ages) <= 17
    assert sum(a < 3 for a in ages) == CHILDREN_UNDER_3
    assert set(range(3, 18)) <= set(ages)


def test_disability_share_is_realistic(demo: DemoData) -> None:
    disabled = [c for c in demo.children if c["data"]["disability"] == "yes"]
    assert 0.05 <= len(disabled) / len(demo.children) <= 0.10
    for child in demo.children:
        types = child["data"].get("disability_types")
        if child["data"]["disability"] == "yes":
            assert types and set(types) <= set(DISABILITY_TYPES)
        else:
            assert types is None  # not relevant: left out, as the server stores it
    assert {c["data"]["disability"] for c in demo.children} == {"yes", "no"}


def test_ages_and_dates_agree(demo: DemoData) -> None:
    for child in demo.children:
        d = child["data"]
        born = date.fromisoformat(d["date_of_birth"])
        admitted = date.fromisoformat(d["admission_date"])
        registered = date.fromisoformat(d["registration_date"])
        assert born <= admitted <= registered <= REFERENCE_DATE
        assert registered >= REGISTRATION_START
        assert d["age_years"] == age_on(born, registered) < 18
        if d["education"]["attends_school"] == "yes":
            assert 0 <= d["education"]["school_grade"] <= 12
        else:
            assert "school_grade" not in d["education"]


def test_records_shape(demo: DemoData) -> None:
    for rec in demo.institutions + demo.children:
        assert rec["form_version"] == "2026.1"
        assert rec["rev"] == 1
        assert rec["review_state"] == "approved"
        assert rec["created_by"] == "demo"
    assert {r["form_id"] for r in demo.institutions} == {INSTITUTION_FORM}
    assert {r["form_id"] for r in demo.children} == {CHILD_FORM}


def test_codes_are_shaped_and_nested(demo: DemoData) -> None:
    rows = {r["code"]: r for r in demo.locations}
    assert len(rows) == len(demo.locations)
    width = {"province": 2, "district": 4, "commune": 6, "village": 8}
    for row in demo.locations:
        code, level = row["code"], row["level"]
        assert code.isdigit() and len(code) == width[level], row
        if level == "province":
            assert row["parent_code"] is None
            assert code in PRIORITY_PROVINCES
        else:
            assert row["parent_code"] == code[: width[level] - 2]
            assert rows[row["parent_code"]]["level"] != level
        assert row["name_en"] and KHMER.search(row["name_km"]), row
    # Parents come before their children (the loader relies on it for the foreign key).
    seen: set[str] = set()
    for row in demo.locations:
        assert row["parent_code"] is None or row["parent_code"] in seen
        seen.add(row["code"])
    assert {r["level"] for r in demo.locations} == set(width)

    for inst in demo.institutions:
        d = inst["data"]
        assert rows[inst["commune"]]["level"] == "commune"
        assert inst["commune"][:4] == inst["district"] and inst["district"][:2] == inst["province"]
        assert (d["province"], d["district"], d["commune"]) == (
            inst["province"],
            inst["district"],
            inst["commune"],
        )
        villages = {r["name_en"] for r in demo.locations if r["parent_code"] == inst["commune"]}
        assert d["village"] in villages
    by_id = {i["record_id"]: i for i in demo.institutions}
    for child in demo.children:
        inst = by_id[child["data"]["institution"]]
        assert (child["province"], child["district"], child["commune"]) == (
            inst["province"],
            inst["district"],
            inst["commune"],
        )


def test_institutions_spread_over_communes(demo: DemoData) -> None:
    communes = Counter(i["commune"] for i in demo.institutions)
    assert len(communes) >= 100
    assert max(communes.values()) <= 4


def test_beds_at_least_children(demo: DemoData) -> None:
    per_institution = Counter(c["data"]["institution"] for c in demo.children)
    assert set(per_institution) == {i["record_id"] for i in demo.institutions}
    for inst in demo.institutions:
        assert inst["data"]["baseline_beds"] >= per_institution[inst["record_id"]] > 0
        assert inst["data"]["baseline_children"] == per_institution[inst["record_id"]]
    assert sum(i["data"]["baseline_children"] for i in demo.institutions) == CHILDREN_TOTAL


def test_no_duplicate_ids(demo: DemoData) -> None:
    ids = [r["record_id"] for r in demo.institutions + demo.children]
    assert len(ids) == len(set(ids))
    row_ids = [p["_row_id"] for history in demo.placements.values() for p in history]
    assert len(row_ids) == len(set(row_ids))
    codes = [i["data"]["code"] for i in demo.institutions]
    assert len(codes) == len(set(codes))


def test_deterministic(demo: DemoData) -> None:
    again = generate_demo()
    assert again == demo
    assert location_rows() == demo.locations


def test_placement_history(demo: DemoData) -> None:
    institutions = {i["record_id"]: i for i in demo.institutions}
    codes = {rid: i["data"]["code"] for rid, i in institutions.items()}
    assert set(demo.placements) == {c["record_id"] for c in demo.children}
    for child in demo.children:
        d = child["data"]
        history = demo.placements[child["record_id"]]
        assert history, child
        current = history[-1]
        assert current == {
            **current,
            "from": d["admission_date"],
            "to": None,
            "placement": "residential_care",
            "institution": d["institution"],
        }
        born = date.fromisoformat(d["date_of_birth"])
        admitted = date.fromisoformat(d["admission_date"])
        assert born <= admitted <= REFERENCE_DATE
        assert d["admission_date"] >= institutions[d["institution"]]["data"]["opened_date"]
        # The record shows the history: who brought the child, and the earlier care in notes.
        assert d.get("notes") == history_note(history, codes)
        came_from = history[-2]["placement"] if len(history) > 1 else "birth_family"
        expected = {"kinship_care": "relative", "foster_care": "dosvy", "residential_care": "ngo"}
        if came_from in expected:
            assert d["admitted_by"] == expected[came_from]
        if len(history) > 1:
            assert history[0]["from"] == d["date_of_birth"]
            assert history[0]["placement"] == "birth_family"
        for earlier, later in zip(history, history[1:], strict=False):
            assert earlier["to"] == later["from"]
            assert earlier["from"] <= earlier["to"]
        for row in history:
            assert row["placement"] in PLACEMENTS
            assert (row["institution"] is not None) == (row["placement"] == "residential_care")
            if row["institution"] is not None:
                assert row["institution"] in institutions
    assert {len(history) for history in demo.placements.values()} >= {2, 3, 4}
    durations = {
        care_duration(date.fromisoformat(c["data"]["admission_date"])) for c in demo.children
    }
    assert durations == set(CARE_DURATIONS)


def test_names_are_khmer_and_latin(demo: DemoData) -> None:
    for child in demo.children[:500]:
        d = child["data"]
        assert KHMER.search(d["child_name"]) and not KHMER.search(d["child_name_latin"])
        assert len(d["child_name_latin"].split()) == 2
        assert len(d["child_name"].split()) == 2
    names = Counter(c["data"]["child_name_latin"] for c in demo.children)
    assert len(names) > 1000
    for inst in demo.institutions:
        assert KHMER.search(inst["data"]["institution_name"])
        assert not KHMER.search(inst["data"]["institution_name_latin"])
        assert KHMER.search(inst["data"]["director"]["director_name"])


def test_care_duration_classes() -> None:
    assert care_duration(date(2026, 11, 1)) == "under_6_months"
    assert care_duration(date(2026, 3, 1)) == "6_to_12_months"
    assert care_duration(date(2024, 1, 1)) == "1_to_3_years"
    assert care_duration(date(2020, 1, 1)) == "over_3_years"


def test_child_name_is_seeded() -> None:
    import random

    assert child_name(random.Random(1), "female") == child_name(random.Random(1), "female")
