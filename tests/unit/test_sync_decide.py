"""The one sync decision (app/sync/decide.py): one row per contract status and every edge.

Each row of the table is a sentence: the situation, then what `decide` must answer.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from app.sync.decide import (
    ChangeIn,
    CurrentRecord,
    Decision,
    EarlierResult,
    change_digest,
    decide,
    legacy_change_digest,
)
from app.sync.results import accepted, duplicate, rejected

RID = "3f0e2d7a-8b1c-4d5e-9f60-718293a4b5c6"
CID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
FORM = "institution_inspection"
BASE = {"beds": 10, "children_under_3": 2, "abuse_allegation": "no"}


def change(base_rev: int | None = None, data: dict[str, Any] | None = None, **kw: Any) -> ChangeIn:
    return ChangeIn(
        change_id=kw.pop("change_id", CID),
        record_id=RID,
        form_id=kw.pop("form_id", FORM),
        form_version="2026.1",
        base_rev=base_rev,
        data=BASE if data is None else data,
        attachments=kw.pop("attachments", ()),
        captured_at=kw.pop("captured_at", "2026-11-20T08:15:00+07:00"),
    )


def record(rev: int, data: dict[str, Any], form_id: str = FORM) -> CurrentRecord:
    return CurrentRecord(record_id=RID, form_id=form_id, rev=rev, data=data)


EARLIER_RESULT = {
    "change_id": CID,
    "record_id": RID,
    "status": "applied",
    "rev": 1,
    "errors": [],
    "conflicts": [],
}
SAME_CONTENT = EarlierResult(digest=change_digest(change(None)), result=EARLIER_RESULT)
OTHER_CONTENT = EarlierResult(
    digest=change_digest(change(None, {**BASE, "beds": 99})), result=EARLIER_RESULT
)
MEMBERS = [{"mid": "m1", "age": 7}, {"mid": "m2", "age": 4}]


@dataclass(frozen=True)
class Row:
    name: str
    change: ChangeIn
    current: CurrentRecord | None
    base_data: dict[str, Any] | None
    earlier: EarlierResult | None
    status: str
    rev: int | None = None
    data: dict[str, Any] | None = None
    new_revision: bool = False
    clashes: list[tuple[str, Any, Any]] = field(default_factory=list)
    error: str | None = None
    row_keys: dict[str, str] | None = None


TABLE = [
    # applied
    Row(
        "a new record with a null base_rev is applied at rev 1 with the client's data",
        change(None),
        None,
        None,
        None,
        "applied",
        rev=1,
        data=BASE,
        new_revision=True,
    ),
    Row(
        "a change on the current revision is applied at the next rev with the client's data",
        change(3, {**BASE, "beds": 12}),
        record(3, BASE),
        BASE,
        None,
        "applied",
        rev=4,
        data={**BASE, "beds": 12},
        new_revision=True,
    ),
    Row(
        "a change on the current revision replaces the data whole, removals included",
        change(3, {"beds": 12}),
        record(3, BASE),
        BASE,
        None,
        "applied",
        rev=4,
        data={"beds": 12},
        new_revision=True,
    ),
    # merged
    Row(
        "an older base_rev whose fields the server did not alter since is merged at the next rev",
        change(1, {**BASE, "children_under_3": 0}),
        record(2, {**BASE, "beds": 14}),
        BASE,
        None,
        "merged",
        rev=3,
        data={**BASE, "beds": 14, "children_under_3": 0},
        new_revision=True,
    ),
    Row(
        "a merge that changes nothing keeps the current rev and data and writes no revision",
        change(1, {**BASE, "beds": 14}),
        record(2, {**BASE, "beds": 14}),
        BASE,
        None,
        "merged",
        rev=2,
        data={**BASE, "beds": 14},
    ),
    Row(
        "a merge where the client changed nothing keeps the current rev",
        change(1, BASE),
        record(5, {**BASE, "beds": 14}),
        BASE,
        None,
        "merged",
        rev=5,
        data={**BASE, "beds": 14},
    ),
    Row(
        "a null base_rev on an existing record merges against an empty base: new fields merge",
        change(None, {**BASE, "notes": "ok"}),
        record(2, BASE),
        None,
        None,
        "merged",
        rev=3,
        data={**BASE, "notes": "ok"},
        new_revision=True,
    ),
    Row(
        "a null base_rev with the record's exact data (a retry under a new change_id) is a no-op",
        change(None, BASE),
        record(2, BASE),
        None,
        None,
        "merged",
        rev=2,
        data=BASE,
    ),
    Row(
        "repeats merge by the row key the caller passes",
        change(1, {"members": [*MEMBERS, {"mid": "m3", "age": 1}]}),
        record(2, {"members": [{"mid": "m2", "age": 5}, MEMBERS[0]]}),
        {"members": MEMBERS},
        None,
        "merged",
        rev=3,
        data={"members": [{"mid": "m2", "age": 5}, MEMBERS[0], {"mid": "m3", "age": 1}]},
        new_revision=True,
        row_keys={"members": "mid"},
    ),
    # conflict
    Row(
        "a field altered on both sides to different values is a conflict: the server's value "
        "stays, the other fields merge",
        change(1, {**BASE, "beds": 11, "children_under_3": 3}),
        record(2, {**BASE, "beds": 9, "abuse_allegation": "yes"}),
        BASE,
        None,
        "conflict",
        rev=3,
        data={**BASE, "beds": 9, "abuse_allegation": "yes", "children_under_3": 3},
        new_revision=True,
        clashes=[("beds", 9, 11)],
    ),
    Row(
        "a conflict makes a revision even when only the clashing field was changed",
        change(1, {**BASE, "beds": 11}),
        record(2, {**BASE, "beds": 9}),
        BASE,
        None,
        "conflict",
        rev=3,
        data={**BASE, "beds": 9},
        new_revision=True,
        clashes=[("beds", 9, 11)],
    ),
    Row(
        "a null base_rev on an existing record: every field both hold differently is a clash",
        change(None, {"beds": 11, "children_under_3": 2}),
        record(2, BASE),
        None,
        None,
        "conflict",
        rev=3,
        data=BASE,
        new_revision=True,
        clashes=[("beds", 10, 11)],
    ),
    # duplicate
    Row(
        "the same change_id with the same content is a duplicate: the first result, no write",
        change(None),
        record(1, BASE),
        None,
        SAME_CONTENT,
        "duplicate",
        rev=1,
    ),
    Row(
        "a duplicate is recognised even after the record moved on",
        change(None),
        record(7, {**BASE, "beds": 1}),
        None,
        SAME_CONTENT,
        "duplicate",
        rev=1,
    ),
    # rejected
    Row(
        "the same change_id with different content is rejected as change_id_reused",
        change(None),
        record(1, BASE),
        None,
        OTHER_CONTENT,
        "rejected",
        error="change_id_reused",
    ),
    Row(
        "a base_rev for a record that does not exist (in the caller's scope) is unknown_record",
        change(2),
        None,
        None,
        None,
        "rejected",
        error="unknown_record",
    ),
    Row(
        "a change naming another form than the record's is rejected as form_mismatch",
        change(1, form_id="placement_recommendation"),
        record(1, BASE),
        BASE,
        None,
        "rejected",
        error="form_mismatch",
    ),
    Row(
        "a base_rev above the current rev is rejected as invalid_base_rev",
        change(4),
        record(3, BASE),
        None,
        None,
        "rejected",
        error="invalid_base_rev",
    ),
    Row(
        "an older base_rev whose data is unknown is rejected as invalid_base_rev",
        change(1),
        record(3, BASE),
        None,
        None,
        "rejected",
        error="invalid_base_rev",
    ),
    Row(
        "a base_rev of 0 is rejected as invalid_base_rev",
        change(0),
        record(3, BASE),
        BASE,
        None,
        "rejected",
        error="invalid_base_rev",
    ),
    Row(
        "a base_rev of 0 on a new record is rejected as invalid_base_rev",
        change(0),
        None,
        None,
        None,
        "rejected",
        error="invalid_base_rev",
    ),
]


def test_the_table_has_a_row_for_every_contract_status() -> None:
    assert {r.status for r in TABLE} == {"applied", "merged", "conflict", "duplicate", "rejected"}
    assert {r.error for r in TABLE} >= {
        "change_id_reused",
        "unknown_record",
        "form_mismatch",
        "invalid_base_rev",
    }


@pytest.mark.parametrize("row", TABLE, ids=[r.name for r in TABLE])
def test_decide(row: Row) -> None:
    inputs = copy.deepcopy((row.change, row.current, row.base_data))
    decision = decide(row.change, row.current, row.base_data, row.earlier, row_keys=row.row_keys)
    assert decision.status == row.status
    assert decision.rev == row.rev
    assert decision.data == row.data
    assert decision.new_revision is row.new_revision
    assert [(c.path, c.server_value, c.client_value) for c in decision.clashes] == row.clashes
    if row.error is None:
        assert decision.errors == []
    else:
        assert [e["code"] for e in decision.errors] == [row.error]
        (error,) = decision.errors
        assert error["path"] == ""
        assert error["message"] and error["message_km"]
    if row.status == "duplicate":
        assert decision.previous == EARLIER_RESULT
    else:
        assert decision.previous is None
    if row.status == "rejected":
        assert decision.data is None and decision.rev is None
    assert (row.change, row.current, row.base_data) == inputs, "decide mutates nothing"


def test_decided_data_shares_nothing_with_the_inputs() -> None:
    data = {"g": {"a": 1}}
    decision = decide(change(None, data), None, None, None)
    assert decision.data is not None
    decision.data["g"]["a"] = 2
    assert data == {"g": {"a": 1}}
    current = record(2, {"g": {"a": 1}})
    noop = decide(change(None, {"g": {"a": 1}}), current, None, None)
    assert noop.data is not None
    noop.data["g"]["a"] = 2
    assert current.data == {"g": {"a": 1}}


def test_a_caller_may_take_an_applied_changes_own_data_instead_of_a_copy() -> None:
    new = change(None, {"g": {"a": 1}})
    assert decide(new, None, None, None, copy_applied=False).data is new.data
    assert decide(new, None, None, None).data is not new.data
    update = change(2, {"g": {"a": 2}})
    assert decide(update, record(2, {"g": {"a": 1}}), None, None, copy_applied=False).data is (
        update.data
    )


def test_a_change_decided_twice_gets_the_same_decision() -> None:
    args = (change(1, {**BASE, "beds": 11}), record(2, {**BASE, "beds": 9}), BASE, None)
    assert decide(*args) == decide(*args)


def test_a_current_record_of_another_record_id_is_a_programming_error() -> None:
    other = CurrentRecord(record_id="another", form_id=FORM, rev=1, data={})
    with pytest.raises(ValueError):
        decide(change(1), other, BASE, None)


# --- the digest ------------------------------------------------------------------------------


def test_the_digest_ignores_the_change_id() -> None:
    assert change_digest(change(None)) == change_digest(change(None, change_id="another"))


@pytest.mark.parametrize(
    "altered",
    [
        {"base_rev": 1},
        {"data": {**BASE, "beds": 11}},
        {"data": {**BASE, "beds": True}},
        {"form_id": "placement_recommendation"},
        {"form_version": "2026.2"},
        {"record_id": "another"},
        {"attachments": ("a" * 64,)},
        {"captured_at": None},
    ],
    ids=lambda d: "a change of " + next(iter(d)) + " changes the digest",
)
def test_the_digest_covers_all_the_content(altered: dict[str, Any]) -> None:
    original = change(None)
    assert change_digest(replace(original, **altered)) != change_digest(original)


def test_the_digest_does_not_depend_on_key_or_attachment_order_or_number_spelling() -> None:
    a = change(None, {"beds": 10, "g": {"x": 1, "y": "ភូមិ"}}, attachments=("b" * 64, "a" * 64))
    b = change(None, {"g": {"y": "ភូមិ", "x": 1.0}, "beds": 10.0}, attachments=("a" * 64, "b" * 64))
    assert change_digest(a) == change_digest(b)
    assert len(change_digest(a)) == 64


@pytest.mark.parametrize(
    "data",
    [
        {"beds": 10, "gps": {"lat": 13.5, "accuracy": 12.0}, "note": "1.0, 2e+5}"},
        {"tiny": 1e-7, "huge": 1e22, "zero": -0.0, "list": [1.0, 2.5, 3]},
        {"big": 10**30, "beds": 1.0},  # beyond orjson's 64-bit integers
    ],
    ids=["integral floats and look-alike strings", "exponents and -0.0", "a huge integer"],
)
def test_the_digest_is_one_per_content_whatever_the_number_spelling(data: dict[str, Any]) -> None:
    def integral(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, dict):
            return {k: integral(v) for k, v in value.items()}
        if isinstance(value, list):
            return [integral(v) for v in value]
        return value

    assert change_digest(change(None, data)) == change_digest(change(None, integral(data)))


def test_a_change_stored_with_the_earlier_digest_spelling_is_still_a_duplicate() -> None:
    """Digests stored before the orjson spelling (1e-07, not 1e-7) still match a retry."""
    retried = change(None, {**BASE, "ratio": 1e-7})
    assert legacy_change_digest(retried) != change_digest(retried)
    stored = EarlierResult(digest=legacy_change_digest(retried), result=EARLIER_RESULT)
    assert decide(retried, None, None, stored).status == "duplicate"
    other = change(None, {**BASE, "ratio": 2e-7})
    assert decide(other, None, None, stored).status == "rejected"


# --- the push result -------------------------------------------------------------------------


def test_a_decision_renders_the_contracts_push_result() -> None:
    c = change(1, {**BASE, "beds": 11, "abuse_allegation": "yes"})
    decision = decide(c, record(2, {"beds": 9, "children_under_3": 2}), BASE, None)
    assert accepted(c, decision, ["k1", "k2"]).as_json() == {
        "change_id": CID,
        "record_id": RID,
        "status": "conflict",
        "rev": 3,
        "errors": [],
        "conflicts": [
            {"conflict_id": "k1", "path": "beds", "server_value": 9, "client_value": 11},
            {
                "conflict_id": "k2",
                "path": "abuse_allegation",
                "server_value": None,
                "client_value": "yes",
                "server_absent": True,
            },
        ],
    }


def test_a_duplicate_renders_the_first_result_again() -> None:
    decision = decide(change(None), record(1, BASE), None, SAME_CONTENT)
    assert decision.status == "duplicate" and decision.previous is not None
    assert duplicate(decision.previous).as_json() == {**EARLIER_RESULT, "status": "duplicate"}


def test_a_rejection_renders_its_errors_and_no_rev() -> None:
    c = change(2)
    decision = decide(c, None, None, None)
    result = rejected(c.change_id, c.record_id, decision.errors).as_json()
    assert result["status"] == "rejected" and result["rev"] is None
    assert result["errors"][0]["code"] == "unknown_record"
    assert result["conflicts"] == []


def test_a_decision_is_a_plain_frozen_value() -> None:
    decision = Decision(status="applied", data={}, rev=1, new_revision=True)
    with pytest.raises(AttributeError):
        decision.status = "merged"  # type: ignore[misc]
