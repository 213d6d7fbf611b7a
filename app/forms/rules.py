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

from app.forms.issues import Issue, LookupRecord, issue

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
    return [issue("recommended_placement", "under_3_residential_care")]


# --- institution_inspection ---------------------------------------------------------------------


def children_under_3_present(data: dict[str, Any], _lookup: LookupRecord | None) -> list[Issue]:
    count = _number(data.get("children_under_3"))
    if count is None or count <= 0:
        return []
    n = int(count)
    return [issue("children_under_3", "children_under_3", n=n)]


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
    return [issue("beds", "beds_above_baseline", beds=b, baseline=base)]


def abuse_allegation(data: dict[str, Any], _lookup: LookupRecord | None) -> list[Issue]:
    if data.get("abuse_allegation") != "yes":
        return []
    return [issue("abuse_allegation", "abuse_allegation", urgent=True)]


# --- case management ----------------------------------------------------------------------------


def case_plan_covers_3_years(data: dict[str, Any], _lookup: LookupRecord | None) -> list[Issue]:
    start, end = _date(data.get("start_date")), _date(data.get("end_date"))
    if start is None or end is None:
        return []
    min_end = add_years(start, 3)
    if end >= min_end:
        return []
    return [issue("end_date", "case_plan_under_3_years", min_end=min_end.isoformat())]


def follow_up_under_2_years(data: dict[str, Any], _lookup: LookupRecord | None) -> list[Issue]:
    reintegrated, closed = _date(data.get("reintegration_date")), _date(data.get("closure_date"))
    if reintegrated is None or closed is None:
        return []
    min_close = add_years(reintegrated, 2)
    if closed >= min_close:
        return []
    return [
        issue(
            "closure_date",
            "follow_up_under_2_years",
            reintegrated=reintegrated.isoformat(),
            min_close=min_close.isoformat(),
        )
    ]


def abuse_reported(data: dict[str, Any], _lookup: LookupRecord | None) -> list[Issue]:
    return [issue("", "abuse_reported", urgent=True)]


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
