"""The one sync decision: what happens to one pushed change (docs/sync.md, CONTRACT "Sync").

`decide` is pure: from the change, the record as it stands (in the caller's scope), the data
at the change's ``base_rev`` and the result stored earlier for its ``change_id``, it returns
the status, the data to store, the new revision, the clashes and the errors. No session, no
request, no clock; the push service and the review page both call it and do the writing.

+------------------------------------------+-----------------------------------------------+
| situation                                | decision                                      |
+==========================================+===============================================+
| ``change_id`` seen, same content digest  | ``duplicate``: the earlier result, no write   |
| ``change_id`` seen, other content        | ``rejected`` ``change_id_reused``             |
| ``base_rev`` < 1                         | ``rejected`` ``invalid_base_rev``             |
| no record, ``base_rev`` null             | ``applied``, rev 1, the client's data         |
| no record, ``base_rev`` set              | ``rejected`` ``unknown_record``               |
| record of another form                   | ``rejected`` ``form_mismatch``                |
| ``base_rev`` == rev                      | ``applied``, rev + 1, the client's data       |
| ``base_rev`` > rev, or its data unknown  | ``rejected`` ``invalid_base_rev``             |
| ``base_rev`` < rev, merge without clash  | ``merged``, rev + 1, the merged data          |
| ... and the merge changes nothing        | ``merged``, rev and data as they are (no new  |
|                                          | revision: ``new_revision`` is False)          |
| ``base_rev`` < rev, clashes              | ``conflict``, rev + 1, merged data with the   |
|                                          | server's values at the clashes                |
| ``base_rev`` null, record exists         | merged as above against an empty base: every  |
|                                          | field both sides hold with different values   |
|                                          | is a clash (same UUID on two tablets, or a    |
|                                          | retry under a fresh ``change_id``)            |
+------------------------------------------+-----------------------------------------------+

"No record" means none in the caller's scope: push answers a change to a record out of scope
exactly as one to a record that does not exist. The decided data is not validated here: the
caller validates it against the form version and turns a failure into ``rejected`` with the
validation details.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from app.change_codes import detail
from app.sync.merge import Clash, merge3, same_value

Status = Literal["applied", "merged", "conflict", "duplicate", "rejected"]


@dataclass(frozen=True)
class ChangeIn:
    """One entry of a push's ``changes``."""

    change_id: str
    record_id: str
    form_id: str
    form_version: str
    base_rev: int | None
    data: dict[str, Any]
    attachments: tuple[str, ...] = ()
    captured_at: str | None = None


@dataclass(frozen=True)
class CurrentRecord:
    """The record as it stands, if it exists in the caller's scope."""

    record_id: str
    form_id: str
    rev: int
    data: dict[str, Any]


@dataclass(frozen=True)
class EarlierResult:
    """What was stored for a ``change_id`` already processed: its digest and its result."""

    digest: str
    result: dict[str, Any]


@dataclass(frozen=True)
class Decision:
    """What to do with one change.

    ``data``/``rev``: the record's data and revision after the change (None when rejected or
    duplicate). ``new_revision``: whether the caller writes revision ``rev``. ``clashes``:
    to list in the result and keep as open conflicts. ``errors``: why it was rejected.
    ``previous``: for ``duplicate``, the earlier result to return again.
    """

    status: Status
    data: dict[str, Any] | None = None
    rev: int | None = None
    new_revision: bool = False
    clashes: list[Clash] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    previous: dict[str, Any] | None = None


def _canonical(value: Any) -> Any:
    """Integral floats as ints: ``1.0`` and ``1`` are one JSON number, as on the tablet."""
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is dict:
        return {k: _canonical(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_canonical(v) for v in value]
    return value


def _content(change: ChangeIn, data: Any) -> dict[str, Any]:
    return {
        "record_id": change.record_id,
        "form_id": change.form_id,
        "form_version": change.form_version,
        "base_rev": change.base_rev,
        "data": data,
        "attachments": sorted(change.attachments),
        "captured_at": change.captured_at,
    }


def change_digest(change: ChangeIn) -> str:
    """SHA-256 (hex) of the change's content: everything but its ``change_id``.

    Canonical JSON: orjson with sorted keys, no spaces, UTF-8; attachments as a sorted list (a
    set of hashes); integral numbers written as integers (walked only when orjson wrote one:
    it writes an integral float as "12.0", "-0.0" or "1e+16"; a string that merely looks like
    one only costs the slower path, never a different digest).
    """
    try:
        text = orjson.dumps(_content(change, change.data), option=orjson.OPT_SORT_KEYS)
        if b".0," in text or b".0}" in text or b".0]" in text or b"e+" in text:
            text = orjson.dumps(
                _content(change, _canonical(change.data)), option=orjson.OPT_SORT_KEYS
            )
    except TypeError:  # an integer beyond 64 bits
        text = _stdlib_json(_content(change, _canonical(change.data)))
    return hashlib.sha256(text).hexdigest()


def legacy_change_digest(change: ChangeIn) -> str:
    """The digest as stored before 2026-11-24 (the standard library's JSON, which spells some
    floats otherwise): kept so that a retry of a change stored then is still a duplicate."""
    return hashlib.sha256(_stdlib_json(_content(change, _canonical(change.data)))).hexdigest()


def _stdlib_json(content: dict[str, Any]) -> bytes:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def same_content(digest: str, change: ChangeIn) -> bool:
    """Whether a stored ``digest`` is that of ``change``'s content (either spelling)."""
    return digest == change_digest(change) or digest == legacy_change_digest(change)


def _rejected(code: str, **params: Any) -> Decision:
    return Decision(status="rejected", errors=[detail(code, **params)])


def decide(
    change: ChangeIn,
    current: CurrentRecord | None,
    base_data: dict[str, Any] | None,
    earlier: EarlierResult | None,
    *,
    row_keys: Mapping[str, str] | None = None,
    copy_applied: bool = True,
    normalised: dict[str, Any] | None = None,
) -> Decision:
    """Decide one pushed change (see the module doc for the table).

    ``current``: the record in the caller's scope, or None. ``base_data``: the record's data
    at ``change.base_rev`` (None if there is no such revision). ``earlier``: the stored
    result for ``change.change_id``, or None. ``row_keys``: the form's repeat keys
    (`app.sync.merge.row_keys_for`). ``copy_applied``: False gives an ``applied`` decision the
    change's own data object instead of a copy (a caller that stores other data, and never
    changes it).
    """
    own = (lambda data: data) if not copy_applied else _copy
    incoming = change.data if normalised is None else normalised
    if current is not None and current.record_id != change.record_id:
        raise ValueError("decide: current record is not the change's record")

    if earlier is not None:
        if same_content(earlier.digest, change):
            return Decision(
                status="duplicate", rev=earlier.result.get("rev"), previous=earlier.result
            )
        return _rejected("change_id_reused")

    base_rev = change.base_rev
    if base_rev is not None and base_rev < 1:
        return _rejected(
            "invalid_base_rev", base_rev=base_rev, rev=current.rev if current else "none"
        )

    if current is None:
        if base_rev is not None:
            return _rejected("unknown_record")
        return Decision(status="applied", data=own(incoming), rev=1, new_revision=True)

    if current.form_id != change.form_id:
        return _rejected("form_mismatch", current=current.form_id, form=change.form_id)

    if base_rev == current.rev:
        return Decision(
            status="applied", data=own(incoming), rev=current.rev + 1, new_revision=True
        )

    if base_rev is None:
        base: dict[str, Any] = {}
    elif base_rev > current.rev or base_data is None:
        return _rejected("invalid_base_rev", base_rev=base_rev, rev=current.rev)
    else:
        base = base_data

    merged = merge3(base, current.data, incoming, row_keys=row_keys)
    if merged.clashes:
        return Decision(
            status="conflict",
            data=merged.data,
            rev=current.rev + 1,
            new_revision=True,
            clashes=merged.clashes,
        )
    if same_value(merged.data, current.data):
        return Decision(status="merged", data=_copy(current.data), rev=current.rev)
    return Decision(status="merged", data=merged.data, rev=current.rev + 1, new_revision=True)


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of JSON data (an orjson round trip: several times faster than deepcopy)."""
    try:
        copied: dict[str, Any] = orjson.loads(orjson.dumps(data))
    except TypeError:  # an integer beyond 64 bits
        return copy.deepcopy(data)
    return copied
