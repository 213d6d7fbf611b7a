"""A change merges as validation normalises it: a field it left as it was in its base, in any
spelling the form treats alike (absent, null, empty text), never clashes (issue #15, point 1).

The same two steps as push: validate the change's data, then decide with the normalised data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.forms.definitions import load_builtin_form
from app.forms.validate import validate_submission
from app.sync.decide import ChangeIn, CurrentRecord, decide
from app.sync.merge import row_keys_for
from tests.unit.test_domain_forms import institution

SCHEMA = load_builtin_form("institution")
ROW_KEYS = row_keys_for(SCHEMA.fields)
TODAY, NOW = date(2026, 11, 24), datetime(2026, 11, 24, 3, tzinfo=UTC)
OPTIONAL_TEXT = ("notes", "address", "village", "institution_name_latin")
EMPTY = st.sampled_from(["", None, "absent"])


def _stored(data: dict[str, Any]) -> dict[str, Any]:
    result = validate_submission(SCHEMA, data, today=TODAY, now=NOW)
    assert result.ok, result.errors
    return result.data


def _with(data: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    out = dict(data)
    if value == "absent":
        out.pop(name, None)
    else:
        out[name] = value
    return out


@settings(max_examples=200, deadline=None)
@given(
    field=st.sampled_from(OPTIONAL_TEXT),
    base_empty=EMPTY,
    client_empty=EMPTY,
    server_value=st.text(min_size=1, max_size=8).filter(str.strip),
    client_children=st.integers(min_value=0, max_value=500),
)
def test_a_field_the_change_left_as_in_its_base_never_clashes(
    field: str, base_empty: Any, client_empty: Any, server_value: str, client_children: int
) -> None:
    created = _with(institution(), field, base_empty)
    base = _stored(created)
    current = _stored({**created, field: server_value})  # another tablet filled it in
    raw = _with({**created, "baseline_children": client_children}, field, client_empty)
    normalised = validate_submission(SCHEMA, raw, today=TODAY, now=NOW)
    assert normalised.ok
    change = ChangeIn("c", "r", "institution", SCHEMA.version, 1, raw)
    decision = decide(
        change,
        CurrentRecord("r", "institution", 2, current),
        base,
        None,
        row_keys=ROW_KEYS,
        normalised=normalised.data,
    )
    assert [c.path for c in decision.clashes] == []
    assert decision.status == "merged"
    assert decision.data is not None and decision.data.get("baseline_children") == client_children


def test_without_normalising_the_same_change_clashes() -> None:
    """The property above can fail: the raw data clashes where the normalised does not."""
    created = {**institution(), "notes": ""}
    base = _stored(created)
    current = _stored({**created, "notes": "from A"})
    raw = {**created, "baseline_children": 53}
    change = ChangeIn("c", "r", "institution", SCHEMA.version, 1, raw)
    decision = decide(change, CurrentRecord("r", "institution", 2, current), base, None)
    assert [c.path for c in decision.clashes] == ["notes"]
