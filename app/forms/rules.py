"""The action plan's rules, checked on a submission's cleaned data (pure functions).

`check_domain_rules(form_id, data, lookup_record=...)` returns (errors, flags); errors refuse the
submission, flags travel with it for a supervisor. `validate_submission` calls it, so the server
has one entry point. Ages and durations are exact calendar years; a date of 29 February plus N
years is 1 March when the target year has no 29 February (the protective reading: a child born on
29 February 2024 is still under 3 on 28 February 2027).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from app.forms.validate import Issue, LookupRecord

Check = Callable[[dict[str, Any], "LookupRecord | None"], list[Issue]]

FAMILY_BASED_CARE = ("kinship_care", "foster_care", "family_support")


def add_years(day: date, years: int) -> date:
    """`day` moved by whole calendar years; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def is_under(date_of_birth: date, years: int, on: date) -> bool:
    """True when the person has not yet had their `years`-th birthday on `on`."""
    return add_years(date_of_birth, years) > on


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


# --- placement_recommendation -------------------------------------------------------------------


def under_3_residential_care(data: dict[str, Any], _lookup: LookupRecord | None) -> list[Issue]:
    """No child under 3 on the recommendation date may be recommended for residential care."""
    dob, on = _date(data.get("date_of_birth")), _date(data.get("recommendation_date"))
    if data.get("recommended_placement") != "residential_care" or dob is None or on is None:
        return []
    if not is_under(dob, 3, on):
        return []
    return [
        Issue(
            "recommended_placement",
            "under_3_residential_care",
            "Residential care is not allowed for a child under 3 years old on the "
            "recommendation date. Family-based care must be considered: kinship care, "
            "foster care or family support.",
            "មិនអនុញ្ញាតឱ្យដាក់កុមារអាយុក្រោម ៣ ឆ្នាំ (គិតត្រឹមថ្ងៃផ្ដល់អនុសាសន៍) "
            "ក្នុងការថែទាំតាមមណ្ឌលទេ។ ត្រូវពិចារណាការថែទាំផ្អែកលើគ្រួសារ៖ "
            "ការថែទាំដោយសាច់ញាតិ ការថែទាំដោយគ្រួសារចិញ្ចឹមបណ្ដោះអាសន្ន ឬការគាំទ្រគ្រួសារ។",
        )
    ]


# --- institution_inspection ---------------------------------------------------------------------


def children_under_3_present(data: dict[str, Any], _lookup: LookupRecord | None) -> list[Issue]:
    count = _number(data.get("children_under_3"))
    if count is None or count <= 0:
        return []
    n = int(count)
    return [
        Issue(
            "children_under_3",
            "children_under_3",
            f"The inspection counts {n} child(ren) under 3 in residential care. No child under 3 "
            "may live in residential care: refer them for family-based care.",
            f"ការអធិការកិច្ចរាប់ឃើញកុមារអាយុក្រោម ៣ ឆ្នាំ ចំនួន {n} នាក់ ក្នុងមណ្ឌល។ "
            "មិនត្រូវមានកុមារអាយុក្រោម ៣ ឆ្នាំ រស់នៅក្នុងការថែទាំតាមមណ្ឌលទេ៖ "
            "សូមបញ្ជូនពួកគេទៅការថែទាំផ្អែកលើគ្រួសារ។",
        )
    ]


def beds_above_baseline(data: dict[str, Any], lookup: LookupRecord | None) -> list[Issue]:
    """More beds than the institution's registered baseline: the plan allows no new beds."""
    beds, institution_id = _number(data.get("beds")), data.get("institution")
    if lookup is None or beds is None or not isinstance(institution_id, str):
        return []
    record = lookup("institution", institution_id)
    if not record or record.get("form_id") != "institution":
        return []
    baseline = _number((record.get("data") or {}).get("baseline_beds"))
    if baseline is None or beds <= baseline:
        return []
    b, base = int(beds), int(baseline)
    return [
        Issue(
            "beds",
            "beds_above_baseline",
            f"{b} beds reported, above the institution's baseline of {base}: "
            "no new beds may be added.",
            f"បានរាយការណ៍គ្រែចំនួន {b} លើសពីចំនួនគោល {base} របស់មណ្ឌល៖ មិនអនុញ្ញាតឱ្យបន្ថែមគ្រែថ្មីទេ។",
        )
    ]


def abuse_allegation(data: dict[str, Any], _lookup: LookupRecord | None) -> list[Issue]:
    if data.get("abuse_allegation") != "yes":
        return []
    return [
        Issue(
            "abuse_allegation",
            "abuse_allegation",
            "Abuse allegation reported: refer it to the provincial rapid response team now.",
            "មានការចោទប្រកាន់អំពីការរំលោភបំពាន៖ សូមបញ្ជូនទៅក្រុមឆ្លើយតបរហ័សថ្នាក់ខេត្តភ្លាមៗ។",
            urgent=True,
        )
    ]


# --- case management ----------------------------------------------------------------------------


def case_plan_covers_3_years(data: dict[str, Any], _lookup: LookupRecord | None) -> list[Issue]:
    start, end = _date(data.get("start_date")), _date(data.get("end_date"))
    if start is None or end is None:
        return []
    min_end = add_years(start, 3)
    if end >= min_end:
        return []
    return [
        Issue(
            "end_date",
            "case_plan_under_3_years",
            f"A case plan must cover at least 3 years: the end date must be on or after "
            f"{min_end.isoformat()}.",
            f"ផែនការករណីត្រូវគ្របដណ្ដប់រយៈពេលយ៉ាងតិច ៣ ឆ្នាំ៖ "
            f"កាលបរិច្ឆេទបញ្ចប់ត្រូវតែនៅថ្ងៃ {min_end.isoformat()} ឬក្រោយនោះ។",
        )
    ]


def follow_up_under_2_years(data: dict[str, Any], _lookup: LookupRecord | None) -> list[Issue]:
    reintegrated, closed = _date(data.get("reintegration_date")), _date(data.get("closure_date"))
    if reintegrated is None or closed is None:
        return []
    min_close = add_years(reintegrated, 2)
    if closed >= min_close:
        return []
    return [
        Issue(
            "closure_date",
            "follow_up_under_2_years",
            f"Follow-up after reintegration (on {reintegrated.isoformat()}) has lasted less than "
            f"2 years: closing before {min_close.isoformat()} needs a supervisor's review.",
            f"ការតាមដានក្រោយសមាហរណកម្ម (នៅថ្ងៃ {reintegrated.isoformat()}) មានរយៈពេល"
            f"តិចជាង ២ ឆ្នាំ៖ ការបិទករណីមុនថ្ងៃ {min_close.isoformat()} "
            "ត្រូវការការពិនិត្យពីអ្នកគ្រប់គ្រង។",
        )
    ]


def abuse_reported(data: dict[str, Any], _lookup: LookupRecord | None) -> list[Issue]:
    return [
        Issue(
            "",
            "abuse_reported",
            "Abuse report: urgent, for the provincial rapid response team.",
            "របាយការណ៍អំពីការរំលោភបំពាន៖ បន្ទាន់ សម្រាប់ក្រុមឆ្លើយតបរហ័សថ្នាក់ខេត្ត។",
            urgent=True,
        )
    ]


# form_id -> (refusing checks, flagging checks)
DOMAIN_RULES: dict[str, tuple[tuple[Check, ...], tuple[Check, ...]]] = {
    "placement_recommendation": ((under_3_residential_care,), ()),
    "institution_inspection": (
        (),
        (children_under_3_present, beds_above_baseline, abuse_allegation),
    ),
    "case_plan": ((case_plan_covers_3_years,), ()),
    "case_closure": ((), (follow_up_under_2_years,)),
    "abuse_report": ((), (abuse_reported,)),
}


def check_domain_rules(
    form_id: str, data: dict[str, Any], *, lookup_record: LookupRecord | None = None
) -> tuple[list[Issue], list[Issue]]:
    """(errors, flags) of the action plan's rules for a form's cleaned data."""
    refusing, flagging = DOMAIN_RULES.get(form_id, ((), ()))
    errors = [found for check in refusing for found in check(data, lookup_record)]
    flags = [found for check in flagging for found in check(data, lookup_record)]
    return errors, flags
