"""Validate a submission's `data` against the exact form version it names.

One entry point, `validate_submission`: pure (no database, no clock: `today`/`now` are passed in;
records are looked up through the `lookup_record` callable). It

1. reads the data level by level: unknown keys, JSON types, static choices, lengths, ranges;
2. settles relevance and calculations together until they stop changing: values of
   non-relevant fields (and of everything inside a non-relevant group or repeat) are DROPPED,
   calculations are recomputed by the server (a client's value for them is ignored);
3. checks what remains: required-when-relevant, constraints, choice filters, repeat bounds,
   references, the location field;
4. applies the form's JSON rules and the action plan's rules (`app/forms/rules.py`).

Errors on a field that turns out not relevant are not reported: its value is dropped anyway
(an unknown key is always refused, wherever it is).

Modules, each importing only those above it
    `scope`       how expressions read a submission (the evaluation context, field getters)
    `readers`     step 1: a level's values read by type (`Reader`), one value at a time
    `plan`        what validating against one schema needs, worked out once (`plan_for`)
    `settle`      step 2: relevance and calculations until they stop changing (`Settler`)
    `checks`      steps 3 and 4: required, constraints, filters, bounds, references, location,
                  rules (`Checker`)
    `submission`  `validate_submission` and `ValidationResult`
"""

from __future__ import annotations

from app.forms.validate.submission import ValidationResult, validate_submission

__all__ = ["ValidationResult", "validate_submission"]
