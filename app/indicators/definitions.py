"""The seven indicators of the action plan's results framework: ids, targets, units, and the
form fields each reads (docs/indicators.md defines them in words; this module is the one
place the numbers live)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["children", "institutions", "families", "percent"]
Goal = Literal["at_least", "at_most"]

REINTEGRATED = "children_reintegrated"
IN_CARE = "children_in_residential_care"
WITH_CASE_PLAN = "children_in_care_with_case_plan"
UNDER_3 = "children_under_3_in_residential_care"
NEW_INSTITUTIONS = "new_institutions"
INSPECTED_TWICE = "institutions_inspected_twice"
PARENTING = "families_in_parenting_programmes"


@dataclass(frozen=True)
class Indicator:
    id: str
    unit: Unit
    target: float
    goal: Goal
    # the forms whose records stand behind the figure (the queue's links)
    forms: tuple[str, ...]
    # splits that make sense: institutions have no sex, age or disability
    splits: tuple[str, ...]


CHILD_SPLITS = ("province", "sex", "age_band", "disability")
INSTITUTION_SPLITS = ("province",)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(REINTEGRATED, "children", 3500, "at_least", ("case_closure",), CHILD_SPLITS),
    Indicator(IN_CARE, "children", 8000, "at_most", ("child_registration",), CHILD_SPLITS),
    Indicator(WITH_CASE_PLAN, "percent", 100, "at_least", ("case_plan",), CHILD_SPLITS),
    Indicator(UNDER_3, "children", 0, "at_most", ("child_registration",), CHILD_SPLITS),
    Indicator(NEW_INSTITUTIONS, "institutions", 0, "at_most", ("institution",), INSTITUTION_SPLITS),
    Indicator(
        INSPECTED_TWICE, "percent", 100, "at_least", ("institution_inspection",), INSTITUTION_SPLITS
    ),
    Indicator(PARENTING, "families", 3500, "at_least", ("follow_up_visit",), CHILD_SPLITS),
)
BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}
SPLITS = CHILD_SPLITS

# The plan's three years and its phased reintegration targets (seed 004: 800 in the first
# year, 1,200 in the second, 1,500 in the third; 3,500 in all). The plan itself ran
# 2016-2018; Homeward's demo data set places its three years at 2024-2026, beside the demo's
# records. A deployment for another plan period changes this one constant.
PLAN_FIRST_YEAR = 2024
PHASE_TARGETS: tuple[int, ...] = (800, 1200, 1500)
PLAN_YEARS: tuple[int, ...] = tuple(PLAN_FIRST_YEAR + i for i in range(len(PHASE_TARGETS)))


def phase_target(year: int) -> int | None:
    """The reintegration target of ``year`` if it is one of the plan's years."""
    if year in PLAN_YEARS:
        return PHASE_TARGETS[year - PLAN_FIRST_YEAR]
    return None


# Age bands (age in whole years on the indicator's date): the inspection form's 0-2, 3-5 and
# 6-11, with 12-17 cut at 15 (lower secondary age); 18+ for a young person past 18.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-2", 0, 2),
    ("3-5", 3, 5),
    ("6-11", 6, 11),
    ("12-14", 12, 14),
    ("15-17", 15, 17),
    ("18+", 18, 200),
)
UNKNOWN = "unknown"
SEXES = ("female", "male")
YES_NO = ("yes", "no")


def age_band(age: int | None) -> str:
    if age is None or age < 0:
        return UNKNOWN
    for name, low, high in AGE_BANDS:
        if low <= age <= high:
            return name
    return UNKNOWN


def split_keys(split: str) -> tuple[str, ...]:
    """The keys a split always shows (provinces come from the data), in order."""
    if split == "sex":
        return SEXES
    if split == "age_band":
        return tuple(name for name, _, _ in AGE_BANDS)
    if split == "disability":
        return YES_NO
    return ()


# Review states that take a record out of every figure (a supervisor rejected it).
EXCLUDED_REVIEW_STATES = ("rejected",)
# Years the API answers for.
FIRST_YEAR = 2000
