"""The built-in domain forms, one native JSON file per form (`<form_id>.json`)."""

from __future__ import annotations

from importlib import resources

from app.forms.schema import FormSchema

BUILTIN_FORM_IDS = (
    "institution",
    "institution_inspection",
    "placement_recommendation",
    "child_registration",
    "child_family_assessment",
    "case_plan",
    "follow_up_visit",
    "case_closure",
    "abuse_report",
    "partnership_agreement",
)


def load_builtin_form(form_id: str) -> FormSchema:
    """One built-in form, parsed and validated (pydantic.ValidationError if it is broken)."""
    if form_id not in BUILTIN_FORM_IDS:
        raise KeyError(form_id)
    text = resources.files(__name__).joinpath(f"{form_id}.json").read_text(encoding="utf-8")
    return FormSchema.model_validate_json(text)


def load_builtin_forms() -> list[FormSchema]:
    """Every built-in form, in a stable order (registries first, then by workflow)."""
    return [load_builtin_form(form_id) for form_id in BUILTIN_FORM_IDS]
