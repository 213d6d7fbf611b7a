"""What the placements worklists show of a recommendation, and which steps a role may take.
Pure functions: no session, no request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.auth.roles import may
from app.desk.i18n import localized
from app.desk.present import show_value
from app.forms.schema import FormSchema
from app.records.workflow import PLACEMENT_STEPS

# The two worklists of the chain (DOMAIN.md): the state a recommendation waits in.
WORKLISTS: dict[str, str] = {"authorization": "recommended", "certification": "authorized"}
# The fields a row shows (CONTRACT.md fixes their names), after the child's age.
SHOWN_FIELDS = (
    "sex",
    "disability",
    "reasons_for_separation",
    "alternatives_considered",
    "recommended_placement",
)


def allowed_steps(role: str, state: str | None) -> list[str]:
    """The placement steps (``authorize``, ``certify``, ``decline``) ``role`` may take on a
    recommendation in ``state``: the workflow's own table, so the desk never disagrees with
    the API."""
    if state is None:
        return []
    return [
        action
        for action, steps in PLACEMENT_STEPS.items()
        if state in steps and may(role, steps[state][1])
    ]


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def age_on(date_of_birth: Any, on: Any) -> int | None:
    """Full years between two ISO dates, or None when either is missing or not a date."""
    born, day = _day(date_of_birth), _day(on)
    if born is None or day is None or day < born:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class PlacementFacts:
    age: int | None
    answers: dict[str, str]  # field name -> the answer as text in the reader's language
    labels: dict[str, str]  # field name -> the field's label in the reader's language


def facts_of(schema: FormSchema | None, data: dict[str, Any], lang: str) -> PlacementFacts:
    """The child's age on the recommendation date and the row's answers, labelled."""
    answers: dict[str, str] = {}
    labels: dict[str, str] = {}
    for name in SHOWN_FIELDS:
        field = schema.field_at(name) if schema is not None else None
        labels[name] = localized(field.label, lang) if field is not None else name
        answers[name] = show_value(schema, field, data.get(name), lang)
    return PlacementFacts(
        age=age_on(data.get("date_of_birth"), data.get("recommendation_date")),
        answers=answers,
        labels=labels,
    )
