"""The built-in domain forms: they load, realistic submissions pass, realistic mistakes fail
where they should, and the action plan's rules refuse or flag exactly at their boundaries."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

import pytest

from app.forms.definitions import BUILTIN_FORM_IDS, load_builtin_form, load_builtin_forms
from app.forms.schema import FormSchema, LocalizedText, content_hash, walk
from app.forms.validate import ValidationResult, validate_submission

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
KHMER = re.compile(r"[\u1780-\u17ff]")

INSTITUTION = "0b7f6f3e-52a1-4f0e-9d43-6a3c8e1f2a10"
CHILD = "5d2c9e71-8f4b-4c1a-b3e6-0a9d7c2e4f58"
OTHER_RECORD = "e3a1b2c4-d5f6-4a7b-8c9d-0e1f2a3b4c5d"
SIG = "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b"
PHOTO = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

RECORDS: dict[str, dict[str, Any]] = {
    INSTITUTION: {
        "form_id": "institution",
        "data": {"institution_name": "Mondul Kumar Sangkat", "baseline_beds": 60},
        "location": "120203",
    },
    CHILD: {"form_id": "child_registration", "data": {"child_name": "Sok Dara"},
            "location": "120203"},
}  # fmt: skip


def lookup_record(form_id: str, record_id: str) -> dict[str, Any] | None:
    return RECORDS.get(record_id)


def row(n: int, **values: Any) -> dict[str, Any]:
    return {"_row_id": f"00000000-0000-4000-8000-{n:012d}", **values}


# --- one realistic, complete submission per form ------------------------------------------------


def institution() -> dict[str, Any]:
    return {
        "institution_name": "មណ្ឌលកុមារក្ដីសង្ឃឹម",
        "institution_name_latin": "Kdey Sangkhum Children's Centre",
        "code": "PP-0117",
        "institution_type": "long_term",
        "operator": "ngo",
        "has_mou": "yes",
        "province": "12",
        "district": "1202",
        "commune": "120203",
        "village": "Phum 4",
        "gps": {"lat": 11.5564, "lon": 104.9282, "accuracy": 12.0},
        "opened_date": "2009-06-01",
        "baseline_beds": 60,
        "baseline_children": 52,
        "director": {"director_name": "Chan Sopheap", "director_sex": "female",
                     "director_phone": "012 345 678"},
        "principal_donor": "Helping Hands Foundation",
        "status": "transitioning",
    }  # fmt: skip


def institution_inspection() -> dict[str, Any]:
    return {
        "institution": INSTITUTION,
        "inspection_date": "2026-11-20",
        "inspection_round": "second_half",
        "inspectors": [
            row(1, inspector_name="Keo Vanna", inspector_agency="dosvy"),
            row(2, inspector_name="Ly Sreymom", inspector_agency="district"),
        ],
        "children": {
            "girls_0_2": 0, "boys_0_2": 0, "girls_3_5": 3, "boys_3_5": 2,
            "girls_6_11": 11, "boys_6_11": 13, "girls_12_17": 9, "boys_12_17": 10,
            "young_women_18_plus": 2, "young_men_18_plus": 1,
            "girls_with_disability": 1, "boys_with_disability": 2,
            "children_with_case_plan": 41,
        },
        "beds": 55,
        "staff": {"staff_total": 14, "carers": 8, "social_workers": 1},
        "standards": {
            "child_protection_policy": "yes", "every_child_registered": "yes",
            "case_files": "yes", "safe_water": "yes", "sleeping_space": "yes",
            "school_attendance": "yes", "health_care": "yes", "no_voluntourism": "no",
            "standards_comments": "Tour groups visit on weekends.",
        },
        "abuse_allegation": "no",
        "institution_intention": "transition",
        "recommended_follow_up": "transition",
        "follow_up_actions": "Stop tour group visits by January; DoSVY to start case reviews.",
        "photos": [row(3, photo=PHOTO, photo_caption="Dormitory, girls' side")],
        "gps": {"lat": 11.5564, "lon": 104.9282, "accuracy": 8.0, "altitude": 11.0},
        "inspector_signature": SIG,
    }  # fmt: skip


def placement_recommendation() -> dict[str, Any]:
    return {
        "commune": "020105",
        "village": "Ou Ta Ki",
        "recommendation_date": "2026-11-18",
        "child_name": "ស្រីនាង",
        "date_of_birth": "2019-04-02",
        "date_of_birth_estimated": "no",
        "sex": "female",
        "disability": "yes",
        "disability_types": ["hearing"],
        "child_currently_with": "relatives",
        "reasons_for_separation": ["poverty", "parent_migration"],
        "reasons_description": "Mother works in Thailand; grandmother is ill and cannot cope.",
        "family": {"mother_alive": "yes", "father_alive": "unknown",
                   "main_carer_name": "Yim Sokha", "main_carer_relationship": "grandparent",
                   "household_size": 5, "monthly_income_riel": 600000, "id_poor": "level_1"},
        "alternatives_considered": ["kinship_care", "services_referred"],
        "services_referred": ["health", "social_protection"],
        "recommended_placement": "kinship_care",
        "kinship_carer": {"kinship_carer_name": "Yim Chanthou",
                          "kinship_carer_relationship": "Aunt (mother's sister)",
                          "kinship_carer_commune": "020107"},
        "best_interests": "The aunt knows sign language basics and lives near a school.",
        "ccwc_members": [
            row(1, member_name="Hem Sarun", member_position="chief", member_signature=SIG),
            row(2, member_name="Touch Bopha", member_position="focal_point",
                member_signature=PHOTO),
        ],
    }  # fmt: skip


def child_registration() -> dict[str, Any]:
    return {
        "institution": INSTITUTION,
        "registration_date": "2026-11-20",
        "child_name": "សុខ ដារ៉ា",
        "child_name_latin": "Sok Dara",
        "sex": "male",
        "date_of_birth": "2014-08-15",
        "date_of_birth_estimated": "yes",
        "disability": "no",
        "admission_date": "2019-01-10",
        "admitted_by": "relative",
        "has_placement_recommendation": "no",
        "reasons_for_admission": ["education", "poverty"],
        "documents": {"birth_certificate": "yes", "family_book": "no", "case_file_exists": "yes"},
        "education": {"attends_school": "yes", "school_grade": 6},
        "family": {"mother_name": "Kim Sreyneang", "mother_alive": "yes", "father_alive": "no",
                   "family_contact_known": "yes", "family_commune": "170302",
                   "family_phone": "097 765 4321", "family_visits_last_year": 1},
        "related_to_director": "no",
    }  # fmt: skip


def child_family_assessment() -> dict[str, Any]:
    return {
        "child": CHILD,
        "assessment_date": "2026-11-21",
        "assessment_type": "initial",
        "child_situation": {"child_health": "good", "emotional_wellbeing": "fair",
                            "education_status": "in_school",
                            "child_wishes": "To live with his mother and keep studying.",
                            "wants_to_return": "yes"},
        "tracing": {"tracing_status": "found", "relatives": [
            row(1, relative_name="Kim Sreyneang", relative_relationship="mother",
                relative_phone="097 765 4321", relative_commune="170302", willing_to_care="yes"),
        ]},
        "household": {"caregiver_name": "Kim Sreyneang", "household_members": 4,
                      "children_in_household": 2, "monthly_income_riel": 900000,
                      "income_sources": ["farming", "daily_labour"], "id_poor": "level_2",
                      "housing_safe": "yes", "family_risks": ["debt"],
                      "family_strengths": "Close to grandparents; mother visits yearly."},
        "safe_to_return": "with_support",
        "risk_level": "low",
        "recommendation": "reunify",
        "summary": "Reunify with support for school costs and a parenting programme.",
        "assessor_name": "Nhem Rathana",
        "assessor_signature": SIG,
    }  # fmt: skip


def case_plan() -> dict[str, Any]:
    return {
        "child": CHILD,
        "plan_date": "2026-11-22",
        "start_date": "2026-12-01",
        "end_date": "2029-12-01",
        "case_worker_name": "Nhem Rathana",
        "case_worker_agency": "ngo",
        "permanency_goal": "parents",
        "goals": [
            row(1, goal_area="family_relationships", goal_description="Return home to his mother",
                goal_actions="Holiday visits, then a trial stay", goal_responsible="Case worker",
                goal_target_date="2027-06-30", goal_status="not_started"),
            row(2, goal_area="education", goal_description="Stay in school through grade 9",
                goal_actions="Enrol at the local school; pay fees", goal_responsible="NGO",
                goal_target_date="2029-06-30", goal_status="not_started"),
        ],
        "support_to_child": {"school_support": "yes", "school_support_details": "Grade 7",
                             "health_support": "no", "psychosocial_support": "yes",
                             "vocational_training": "no"},
        "support_to_family": {"parenting_programme": "yes",
                              "parenting_programme_provider": "Commune parenting group",
                              "livelihood_support": "yes", "livelihood_types": ["savings_group"],
                              "social_protection": "yes"},
        "reviews": [row(3, review_date="2027-03-01", review_type="home_visit"),
                    row(4, review_date="2027-09-01", review_type="case_conference")],
        "child_participated": "yes",
        "family_participated": "yes",
        "case_worker_signature": SIG,
    }  # fmt: skip


def follow_up_visit() -> dict[str, Any]:
    return {
        "child": CHILD,
        "visit_date": "2026-11-23",
        "reintegration_date": "2026-02-10",
        "visit_type": "home",
        "met_child": "yes",
        "child_living_with": "one_parent",
        "wellbeing": {"child_health": "good", "emotional_wellbeing": "good",
                      "attends_school": "yes", "school_attendance": "regular",
                      "feels_safe": "yes", "signs_of_harm": "no"},
        "family_situation": {"income_stable": "no", "attended_parenting": "yes",
                             "support_received": ["school", "cash"]},
        "risk_level": "low",
        "actions_agreed": "Help the mother apply for IDPoor renewal.",
        "next_visit_date": "2027-02-20",
        "visitor_name": "Nhem Rathana",
        "visitor_signature": SIG,
    }  # fmt: skip


def case_closure() -> dict[str, Any]:
    return {
        "child": CHILD,
        "closure_date": "2026-11-20",
        "closure_reason": "reintegration_complete",
        "reason_details": "Two years of follow-up; the family is stable and the child in school.",
        "reintegration_date": "2024-09-15",
        "follow_up_visits": 9,
        "final_living_arrangement": "parents",
        "final_wellbeing": "Healthy, attends grade 8, lives with mother and sister.",
        "case_worker_name": "Nhem Rathana",
        "supervisor": {"supervisor_name": "Pich Sokunthea", "supervisor_decision": "approved",
                       "signoff_date": "2026-11-23", "supervisor_signature": SIG},
    }  # fmt: skip


def abuse_report() -> dict[str, Any]:
    return {
        "reported_at": "2026-11-23T16:40:00+07:00",
        "incident_date": "2026-11-22",
        "setting": "residential_care",
        "institution": INSTITUTION,
        "commune": "120203",
        "victims": [row(1, victim_name="Girl, about 12", victim_sex="female", victim_age=12,
                        victim_disability="no")],
        "abuse_types": ["physical"],
        "description": "Bruises on both arms; the girl says a carer beat her with a stick.",
        "source": "child_disclosed",
        "alleged_perpetrator": "staff",
        "perpetrator_has_access": "no",
        "child_safe_now": "yes",
        "medical_care_needed": "yes",
        "police_informed": "no",
        "reporter": {"reporter_name": "Keo Vanna", "reporter_role": "inspector",
                     "reporter_phone": "+855 12 555 123"},
    }  # fmt: skip


def partnership_agreement() -> dict[str, Any]:
    schema = load_builtin_form("partnership_agreement")

    def every(name: str) -> list[str]:
        found = schema.field_at(name)
        assert found is not None
        return [c.name for c in schema.choices_for(found)]

    signed = {"signature": SIG, "signed_on": "2026-11-20"}
    return {
        "institution": INSTITUTION,
        "agreement_date": "2026-11-20",
        "review_date": "2027-05-20",
        "children_in_care": 48,
        "children_related_to_director": 2,
        "other_donors": "Church group in Seoul (contact via director)",
        "agency_commitments": every("agency_commitments"),
        "director_commitments": every("director_commitments"),
        "donor_commitments": every("donor_commitments"),
        "agency_signatory": {"agency_name": "Meas Kolab", "agency_position": "Country Director",
                             "agency_organisation": "Family First Cambodia",
                             **{f"agency_{k}": v for k, v in signed.items()}},
        "director_signatory": {"director_name": "Chan Sopheap",
                               **{f"director_{k}": v for k, v in signed.items()}},
        "donor_signatory": {"donor_name": "Lee Min-ji", "donor_position": "Programme officer",
                            "donor_organisation": "Helping Hands Foundation",
                            **{f"donor_{k}": v for k, v in signed.items()}},
    }  # fmt: skip


GOOD: dict[str, Callable[[], dict[str, Any]]] = {
    "institution": institution,
    "institution_inspection": institution_inspection,
    "placement_recommendation": placement_recommendation,
    "child_registration": child_registration,
    "child_family_assessment": child_family_assessment,
    "case_plan": case_plan,
    "follow_up_visit": follow_up_visit,
    "case_closure": case_closure,
    "abuse_report": abuse_report,
    "partnership_agreement": partnership_agreement,
}


def validate(
    form_id: str, data: dict[str, Any], *, today: date = TODAY, **kwargs: Any
) -> ValidationResult:
    kwargs.setdefault("lookup_record", lookup_record)
    return validate_submission(load_builtin_form(form_id), data, today=today, now=NOW, **kwargs)


def edit(data: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy with dotted paths set (`...` deletes; digits index rows)."""
    data = copy.deepcopy(data)
    for path, value in changes.items():
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        index: Any = int(last) if isinstance(target, list) else last
        if value is ...:
            del target[index]
        else:
            target[index] = value
    return data


def errors(result: ValidationResult) -> set[tuple[str, str]]:
    return {(e.path, e.code) for e in result.errors}


def flags(result: ValidationResult) -> set[tuple[str, str]]:
    return {(f.path, f.code) for f in result.flags}


# --- the forms themselves ------------------------------------------------------------------------


def test_every_builtin_form_loads_in_order() -> None:
    forms = load_builtin_forms()
    assert [f.form_id for f in forms] == list(BUILTIN_FORM_IDS)
    assert set(GOOD) == set(BUILTIN_FORM_IDS)
    assert all(f.version == "2026.1" for f in forms)


def test_each_file_is_named_after_its_form_and_has_a_stable_hash() -> None:
    folder = resources.files("app.forms.definitions")
    for form_id in BUILTIN_FORM_IDS:
        raw = json.loads(folder.joinpath(f"{form_id}.json").read_text(encoding="utf-8"))
        assert raw["form_id"] == form_id
        assert content_hash(FormSchema.model_validate(raw)) == content_hash(
            load_builtin_form(form_id)
        )


def _texts(schema: FormSchema) -> list[tuple[str, LocalizedText]]:
    found = [("title", schema.title)]
    if schema.description:
        found.append(("description", schema.description))
    for info in walk(schema.fields):
        f = info.field
        for attr in ("label", "hint", "constraint_message"):
            text = getattr(f, attr)
            if text is not None:
                found.append((f"{info.path}.{attr}", text))
        found += [(f"{info.path}:{c.name}", c.label) for c in f.choices or []]
    for name, choices in schema.choice_lists.items():
        found += [(f"{name}:{c.name}", c.label) for c in choices]
    found += [(f"rule {r.id}", r.message) for r in schema.rules]
    return found


@pytest.mark.parametrize("form_id", BUILTIN_FORM_IDS)
def test_every_text_of_a_form_is_written_in_english_and_khmer(form_id: str) -> None:
    schema = load_builtin_form(form_id)
    for where, text in _texts(schema):
        assert KHMER.search(text.km), f"{form_id} {where}: no Khmer in {text.km!r}"
        assert not KHMER.search(text.en), f"{form_id} {where}: Khmer in the English text"


@pytest.mark.parametrize("form_id", BUILTIN_FORM_IDS)
def test_every_form_is_substantial(form_id: str) -> None:
    values = [i for i in walk(load_builtin_form(form_id).fields) if i.field.type != "note"]
    assert len(values) >= 15


def test_child_forms_are_located_by_their_child() -> None:
    for form_id in ("child_family_assessment", "case_plan", "follow_up_visit", "case_closure"):
        schema = load_builtin_form(form_id)
        assert schema.location_field == "child"
        child = schema.field_at("child")
        assert child is not None and child.reference is not None
        assert child.reference.form_id == "child_registration"


@pytest.mark.parametrize(
    ("form_id", "name", "type_"),
    [
        ("placement_recommendation", "date_of_birth", "date"),
        ("placement_recommendation", "sex", "select_one"),
        ("placement_recommendation", "disability", "yes_no"),
        ("placement_recommendation", "recommendation_date", "date"),
        ("placement_recommendation", "recommended_placement", "select_one"),
        ("placement_recommendation", "commune", "text"),
        ("institution_inspection", "institution", "reference"),
        ("institution_inspection", "inspection_date", "date"),
        ("institution_inspection", "children_under_3", "integer"),
        ("institution_inspection", "beds", "integer"),
        ("institution_inspection", "abuse_allegation", "yes_no"),
    ],
)
def test_the_contracts_fields_sit_at_the_top_level(form_id: str, name: str, type_: str) -> None:
    schema = load_builtin_form(form_id)
    top = {f.name: f for f in schema.fields}
    assert top[name].type == type_


def test_the_contracts_choices_are_offered() -> None:
    schema = load_builtin_form("placement_recommendation")
    placement, sex = schema.field_at("recommended_placement"), schema.field_at("sex")
    assert placement is not None and sex is not None
    assert {"residential_care", "kinship_care", "foster_care", "family_support"} <= {
        c.name for c in schema.choices_for(placement)
    }
    assert [c.name for c in schema.choices_for(sex)] == ["female", "male"]
    assert schema.location_field == "commune"
    inspection = load_builtin_form("institution_inspection")
    institution = inspection.field_at("institution")
    assert inspection.location_field == "institution"
    assert institution is not None and institution.reference is not None
    assert institution.reference.form_id == "institution"


def test_the_abuse_report_is_urgent() -> None:
    schema = load_builtin_form("abuse_report")
    assert schema.settings is not None and schema.settings.priority == "urgent"


# --- good submissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("form_id", BUILTIN_FORM_IDS)
def test_a_realistic_submission_is_accepted(form_id: str) -> None:
    result = validate(form_id, GOOD[form_id]())
    assert result.errors == [], [e.as_detail() for e in result.errors]


def test_an_inspection_is_cleaned_and_computed_by_the_server() -> None:
    result = validate("institution_inspection", institution_inspection())
    data = result.data
    assert data["children_under_3"] == 0
    assert data["children"]["children_total"] == 48
    assert data["children"]["girls_under_18"] == 23
    assert data["staff"]["carer_child_ratio"] == 6.4  # (48 + 3) / 8 rounded
    assert data["standards"]["standards_met"] == 7
    assert data["next_inspection_due"] == "2027-05-21"
    assert "abuse" not in data
    assert result.location == "120203"  # the institution's
    assert result.attachments == sorted([PHOTO, SIG])
    assert result.flags == []


def test_children_under_3_is_the_total_of_the_0_2_band_whatever_the_tablet_says() -> None:
    data = edit(institution_inspection(), {"children.girls_0_2": 1, "children.boys_0_2": 2,
                                           "children_under_3": 0})  # fmt: skip
    result = validate("institution_inspection", data)
    assert result.data["children_under_3"] == 3


def test_the_placement_age_is_computed_in_whole_years() -> None:
    result = validate("placement_recommendation", placement_recommendation())
    assert result.data["age_years"] == 7  # born 2019-04-02, recommended 2026-11-18
    assert result.location == "020105"


def test_a_child_form_is_located_where_its_child_is() -> None:
    assert validate("case_plan", case_plan()).location == "120203"
    assert validate("case_plan", case_plan(), lookup_record=None).location is None


# --- realistic mistakes --------------------------------------------------------------------------

BAD: list[tuple[str, dict[str, Any], str, str]] = [
    # institution
    ("institution", {"code": "pp 117"}, "code", "constraint_failed"),
    ("institution", {"district": "0202", "commune": "020201"}, "district", "constraint_failed"),
    ("institution", {"commune": "120303"}, "commune", "constraint_failed"),
    ("institution", {"province": "26"}, "province", "invalid_choice"),
    ("institution", {"baseline_beds": -5}, "baseline_beds", "out_of_range"),
    ("institution", {"status": "closed"}, "closed_date", "required"),
    ("institution", {"status": "closed", "closed_date": "2008-01-01"}, "closed_date",
     "constraint_failed"),
    ("institution", {"director.director_name": ...}, "director.director_name", "required"),
    ("institution", {"institution_type": "long"}, "institution_type", "invalid_choice"),
    # institution_inspection
    ("institution_inspection", {"institution": ...}, "institution", "required"),
    ("institution_inspection", {"institution": OTHER_RECORD}, "institution", "invalid_reference"),
    ("institution_inspection", {"institution": CHILD}, "institution", "invalid_reference"),
    ("institution_inspection", {"inspection_date": "2026-12-01"}, "inspection_date",
     "constraint_failed"),
    ("institution_inspection", {"beds": "55"}, "beds", "wrong_type"),
    ("institution_inspection", {"abuse_allegation": True}, "abuse_allegation", "wrong_type"),
    ("institution_inspection", {"children.girls_3_5": ...}, "children.girls_3_5", "required"),
    ("institution_inspection", {"children.girls_with_disability": 30},
     "children.girls_with_disability", "constraint_failed"),
    ("institution_inspection", {"staff.carers": 20}, "staff.carers", "constraint_failed"),
    ("institution_inspection", {"inspectors": []}, "inspectors", "too_few_rows"),
    ("institution_inspection", {"inspectors.1.inspector_name": ...},
     "inspectors.1.inspector_name", "required"),
    ("institution_inspection", {"abuse_allegation": "yes",
                                "abuse": {"referred_to_rrt": "yes",
                                          "rrt_referral_date": "2026-11-20"}},
     "abuse.abuse_description", "required"),
    ("institution_inspection", {"abuse_allegation": "yes",
                                "abuse": {"abuse_description": "Carer hits children",
                                          "referred_to_rrt": "no"}},
     "abuse.not_referred_reason", "required"),
    ("institution_inspection", {"photos.0.photo": "IMG_0042.jpg"}, "photos.0.photo", "wrong_type"),
    ("institution_inspection", {"gps": {"lat": 11.5, "lon": 204.9, "accuracy": 5}}, "gps",
     "wrong_type"),
    ("institution_inspection", {"inspector_signature": ...}, "inspector_signature", "required"),
    ("institution_inspection", {"recommended_follow_up": "reintegrate"}, "recommended_follow_up",
     "invalid_choice"),
    ("institution_inspection", {"overall_score": 7}, "overall_score", "unknown_field"),
    # placement_recommendation
    ("placement_recommendation", {"commune": "0201"}, "commune", "constraint_failed"),
    ("placement_recommendation", {"sex": "f"}, "sex", "invalid_choice"),
    ("placement_recommendation", {"disability": "no", "disability_types": ["hearing"],
                                  "disability_detail": "x"}, "disability_detail", "unknown_field"),
    ("placement_recommendation", {"date_of_birth": "2026-11-19"}, "date_of_birth",
     "constraint_failed"),
    ("placement_recommendation", {"reasons_for_separation": ["poverty", "other"]}, "reasons_other",
     "required"),
    ("placement_recommendation", {"alternatives_considered": ["none", "kinship_care"]},
     "alternatives_considered", "constraint_failed"),
    ("placement_recommendation", {"alternatives_considered": ["kinship_care", "services_referred"],
                                  "services_referred": ...}, "services_referred", "required"),
    ("placement_recommendation", {"recommended_placement": "residential_care",
                                  "residential_care": {"residential_institution": INSTITUTION,
                                                       "planned_duration_months": 4}},
     "residential_care.why_not_family_based", "required"),
    ("placement_recommendation", {"recommended_placement": "orphanage"}, "recommended_placement",
     "invalid_choice"),
    ("placement_recommendation", {"ccwc_members": [row(1, member_name="Hem Sarun",
                                                        member_position="chief",
                                                        member_signature=SIG)]},
     "ccwc_members", "too_few_rows"),
    ("placement_recommendation", {"ccwc_members.1.member_signature": ...},
     "ccwc_members.1.member_signature", "required"),
    ("placement_recommendation", {"ccwc_members.1._row_id": "00000000-0000-4000-8000-000000000001"},
     "ccwc_members.1._row_id", "duplicate_row_key"),
    # child_registration
    ("child_registration", {"admission_date": "2013-01-01"}, "admission_date",
     "constraint_failed"),
    ("child_registration", {"education.school_grade": ...}, "education.school_grade", "required"),
    ("child_registration", {"education.school_grade": 13}, "education.school_grade",
     "out_of_range"),
    ("child_registration", {"family.family_phone": "call the village chief"},
     "family.family_phone", "constraint_failed"),
    ("child_registration", {"sex": ...}, "sex", "required"),
    ("child_registration", {"institution": "PP-0117"}, "institution", "wrong_type"),
    # child_family_assessment
    ("child_family_assessment", {"child": ...}, "child", "required"),
    ("child_family_assessment", {"child": INSTITUTION}, "child", "invalid_reference"),
    ("child_family_assessment", {"child_situation.child_health": "poor"},
     "child_situation.health_needs", "required"),
    ("child_family_assessment", {"household.children_in_household": 4},
     "household.children_in_household", "constraint_failed"),
    ("child_family_assessment", {"tracing.relatives.0.willing_to_care": "maybe"},
     "tracing.relatives.0.willing_to_care", "invalid_choice"),
    ("child_family_assessment", {"household.family_risks": ["none", "debt"]},
     "household.family_risks", "constraint_failed"),
    # case_plan
    ("case_plan", {"goals": []}, "goals", "too_few_rows"),
    ("case_plan", {"goals.1.goal_target_date": "2030-01-01"}, "goals.1.goal_target_date",
     "constraint_failed"),
    ("case_plan", {"support_to_family.parenting_programme": "yes",
                   "support_to_family.parenting_programme_provider": ...},
     "support_to_family.parenting_programme_provider", "required"),
    ("case_plan", {"support_to_family.parenting_programme": ...},
     "support_to_family.parenting_programme", "required"),
    ("case_plan", {"reviews.0.review_date": "2026-11-30"}, "reviews.0.review_date",
     "constraint_failed"),
    # follow_up_visit
    ("follow_up_visit", {"next_visit_date": "2026-11-23"}, "next_visit_date", "constraint_failed"),
    ("follow_up_visit", {"reintegration_date": "2026-11-24"}, "reintegration_date",
     "constraint_failed"),
    ("follow_up_visit", {"met_child": "no"}, "not_met_reason", "required"),
    ("follow_up_visit", {"wellbeing.signs_of_harm": "yes"}, "wellbeing.harm_details", "required"),
    # case_closure
    ("case_closure", {"closure_reason": "graduated"}, "closure_reason", "invalid_choice"),
    ("case_closure", {"reintegration_date": ...}, "reintegration_date", "required"),
    ("case_closure", {"supervisor.signoff_date": "2026-11-19"}, "supervisor.signoff_date",
     "constraint_failed"),
    ("case_closure", {"supervisor.supervisor_decision": "not_approved"},
     "supervisor.supervisor_comment", "required"),
    ("case_closure", {"supervisor.supervisor_signature": ...}, "supervisor.supervisor_signature",
     "required"),
    # abuse_report
    ("abuse_report", {"reported_at": "2026-11-23 16:40"}, "reported_at", "wrong_type"),
    ("abuse_report", {"institution": ...}, "institution", "required"),
    ("abuse_report", {"victims": []}, "victims", "too_few_rows"),
    ("abuse_report", {"victims.0.victim_age": 19}, "victims.0.victim_age", "out_of_range"),
    ("abuse_report", {"abuse_types": []}, "abuse_types", "required"),
    ("abuse_report", {"reporter.reporter_phone": "none"}, "reporter.reporter_phone",
     "constraint_failed"),
    # partnership_agreement
    ("partnership_agreement", {"director_commitments": ["no_new_admissions"]},
     "director_commitments", "constraint_failed"),
    ("partnership_agreement", {"review_date": "2026-11-20"}, "review_date", "constraint_failed"),
    ("partnership_agreement", {"children_related_to_director": 50},
     "children_related_to_director", "constraint_failed"),
    ("partnership_agreement", {"donor_signatory.donor_signature": ...},
     "donor_signatory.donor_signature", "required"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("form_id", "changes", "path", "code"),
    BAD,
    ids=[f"{case[0]}:{case[2]}:{case[3]}:{i}" for i, case in enumerate(BAD)],
)
def test_a_realistic_mistake_is_refused_at_its_path(
    form_id: str, changes: dict[str, Any], path: str, code: str
) -> None:
    result = validate(form_id, edit(GOOD[form_id](), changes))
    assert errors(result) == {(path, code)}, [e.as_detail() for e in result.errors]
    for found in result.errors:
        assert found.message and KHMER.search(found.message_km)


# --- no child under 3 in residential care --------------------------------------------------------


def placement(dob: str, on: str, placement: str = "residential_care") -> ValidationResult:
    changes: dict[str, Any] = {
        "date_of_birth": dob,
        "recommendation_date": on,
        "recommended_placement": placement,
        "kinship_carer": ...,
    }
    if placement == "residential_care":
        changes["residential_care"] = {
            "why_not_family_based": "Needs specialised care for a severe hearing impairment.",
            "residential_institution": INSTITUTION,
            "planned_duration_months": 6,
        }
    elif placement == "kinship_care":
        del changes["kinship_carer"]
    data = edit(placement_recommendation(), changes)
    return validate("placement_recommendation", data, today=max(TODAY, date.fromisoformat(on)))


@pytest.mark.parametrize(
    ("dob", "on", "refused"),
    [
        ("2023-11-20", "2026-11-19", True),  # the day before the third birthday
        ("2023-11-20", "2026-11-20", False),  # the third birthday
        ("2023-11-20", "2026-11-21", False),
        ("2026-01-01", "2026-11-18", True),  # a baby
        ("2024-02-29", "2027-02-28", True),  # born on a leap day: not 3 until 1 March
        ("2024-02-29", "2027-03-01", False),
        ("2020-02-29", "2023-03-01", False),
        ("2016-02-29", "2019-02-28", True),
        ("2016-02-29", "2020-02-29", False),  # 4 on a leap year's 29 February
    ],
)
def test_residential_care_is_refused_for_a_child_under_3_on_the_recommendation_date(
    dob: str, on: str, refused: bool
) -> None:
    result = placement(dob, on)
    if refused:
        assert errors(result) == {("recommended_placement", "under_3_residential_care")}
    else:
        assert result.errors == [], [e.as_detail() for e in result.errors]


def test_the_under_3_refusal_points_to_family_based_care_in_both_languages() -> None:
    (found,) = placement("2025-05-01", "2026-11-18").errors
    assert "under 3" in found.message and "Family-based care" in found.message
    for word in ("kinship care", "foster care", "family support"):
        assert word in found.message
    assert "ក្រោម ៣ ឆ្នាំ" in found.message_km and "ការថែទាំផ្អែកលើគ្រួសារ" in found.message_km


@pytest.mark.parametrize("choice", ["kinship_care", "foster_care", "family_support"])
def test_family_based_care_is_accepted_for_a_baby(choice: str) -> None:
    assert placement("2026-06-01", "2026-11-18", choice).errors == []


def test_the_under_3_rule_holds_without_the_forms_own_constraint() -> None:
    """The tablet shows the form's constraint; the server's rule does not depend on it."""
    schema = load_builtin_form("placement_recommendation")
    fields = [
        f.model_copy(update={"constraint": None, "constraint_message": None})
        if f.name == "recommended_placement"
        else f
        for f in schema.fields
    ]
    bare = schema.model_copy(update={"fields": fields})
    data = edit(placement_recommendation(), {
        "date_of_birth": "2025-01-01", "recommended_placement": "residential_care",
        "kinship_carer": ..., "residential_care": {
            "why_not_family_based": "x", "residential_institution": INSTITUTION,
            "planned_duration_months": 3}})  # fmt: skip
    result = validate_submission(bare, data, today=TODAY, now=NOW, lookup_record=lookup_record)
    assert errors(result) == {("recommended_placement", "under_3_residential_care")}


# --- inspection flags ----------------------------------------------------------------------------


def test_a_clean_inspection_raises_no_flag() -> None:
    assert validate("institution_inspection", institution_inspection()).flags == []


def test_children_under_3_in_an_institution_raise_a_flag() -> None:
    data = edit(institution_inspection(), {"children.boys_0_2": 2})
    result = validate("institution_inspection", data)
    assert result.errors == []
    assert flags(result) == {("children_under_3", "children_under_3")}
    (flag,) = result.flags
    assert "2 child" in flag.message and KHMER.search(flag.message_km)


@pytest.mark.parametrize(("beds", "flagged"), [(59, False), (60, False), (61, True)])
def test_beds_above_the_institutions_baseline_raise_a_flag(beds: int, flagged: bool) -> None:
    result = validate("institution_inspection", edit(institution_inspection(), {"beds": beds}))
    assert (("beds", "beds_above_baseline") in flags(result)) is flagged
    if flagged:
        assert "61" in result.flags[0].message and "60" in result.flags[0].message


def test_beds_are_not_compared_without_the_institution_record() -> None:
    data = edit(institution_inspection(), {"beds": 500})
    assert validate("institution_inspection", data, lookup_record=None).flags == []


def test_an_abuse_allegation_raises_an_urgent_flag() -> None:
    data = edit(institution_inspection(), {
        "abuse_allegation": "yes",
        "abuse": {"abuse_description": "Older boys report beatings by a night carer.",
                  "referred_to_rrt": "yes", "rrt_referral_date": "2026-11-21"}})  # fmt: skip
    result = validate("institution_inspection", data)
    assert result.errors == []
    assert flags(result) == {("abuse_allegation", "abuse_allegation")}
    assert result.urgent and result.flags[0].urgent
    assert "rapid response team" in result.flags[0].message


# --- case management durations -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [
        ("2026-12-01", "2029-11-30", True),
        ("2026-12-01", "2029-12-01", False),
        ("2028-02-29", "2031-02-28", True),
        ("2028-02-29", "2031-03-01", False),
    ],
)
def test_a_case_plan_covers_at_least_3_years(start: str, end: str, refused: bool) -> None:
    data = edit(case_plan(), {"start_date": start, "end_date": end,
                              "goals.0.goal_target_date": "2029-01-01",
                              "goals.1.goal_target_date": "2029-01-02",
                              "reviews.0.review_date": "2029-01-03",
                              "reviews.1.review_date": "2029-01-04"})  # fmt: skip
    result = validate("case_plan", data)
    if refused:
        assert errors(result) == {("end_date", "case_plan_under_3_years")}
        assert "3 years" in result.errors[0].message and "៣ ឆ្នាំ" in result.errors[0].message_km
    else:
        assert result.errors == []


@pytest.mark.parametrize(
    ("reintegrated", "closed", "flagged"),
    [("2024-11-21", "2026-11-20", True), ("2024-11-20", "2026-11-20", False)],
)
def test_closing_before_2_years_of_follow_up_is_flagged_for_the_supervisor(
    reintegrated: str, closed: str, flagged: bool
) -> None:
    data = edit(case_closure(), {"reintegration_date": reintegrated, "closure_date": closed})
    result = validate("case_closure", data)
    assert result.errors == []
    assert flags(result) == ({("closure_date", "follow_up_under_2_years")} if flagged else set())


def test_a_closure_for_another_reason_has_no_reintegration_date_to_check() -> None:
    data = edit(case_closure(), {"closure_reason": "turned_18"})
    result = validate("case_closure", data)
    assert result.errors == [] and result.flags == []
    assert "reintegration_date" not in result.data  # not relevant: dropped


# --- urgent reports ------------------------------------------------------------------------------


def test_an_abuse_report_is_always_urgent() -> None:
    result = validate("abuse_report", abuse_report())
    assert result.errors == [] and result.urgent
    assert flags(result) == {("", "abuse_reported")}


def test_a_child_in_danger_adds_the_forms_own_urgent_flag() -> None:
    result = validate("abuse_report", edit(abuse_report(), {"child_safe_now": "no"}))
    assert ("child_safe_now", "rule_flagged") in flags(result)


def test_signs_of_harm_at_a_follow_up_visit_are_flagged_urgent() -> None:
    data = edit(
        follow_up_visit(),
        {"wellbeing.signs_of_harm": "yes", "wellbeing.harm_details": "Burn marks on the hands."},
    )
    result = validate("follow_up_visit", data)
    assert result.errors == []
    assert flags(result) == {("wellbeing.signs_of_harm", "rule_flagged")} and result.urgent
