"""Sync's shapes at the edge: what a push carries and what each change gets back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.web.responses import ResponseModel

Status = Literal["applied", "merged", "conflict", "duplicate", "rejected"]
SHA256 = r"^[0-9a-f]{64}$"
# Bounds of a change (docs/sync.md, "Limits"; issue #14 item 9): a revision is a 32-bit integer
# column on both databases, and a change's data nests objects and arrays at most this deep (the
# data object itself is level 1). Checked here, without recursion, before anything walks the data
# recursively (the content digest, validation, the merge): a change beyond either is `rejected`
# `invalid_change` on its own, and the other changes of the push are decided as usual.
MAX_BASE_REV = 2**31 - 1
MAX_DATA_DEPTH = 32


class ChangeModel(BaseModel):
    """One change as the tablet sends it (validated one by one: a bad one rejects only itself)."""

    model_config = ConfigDict(extra="forbid")

    change_id: uuid.UUID
    record_id: uuid.UUID
    form_id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    form_version: str = Field(min_length=1, max_length=32)
    base_rev: int | None = Field(default=None, ge=1, le=MAX_BASE_REV)
    data: dict[str, Any]
    attachments: list[str] = Field(default_factory=list, max_length=100)
    captured_at: datetime | None = None

    @field_validator("data", mode="before")
    @classmethod
    def _not_too_deep(cls, value: Any) -> Any:
        if nesting_depth(value, stop_after=MAX_DATA_DEPTH) > MAX_DATA_DEPTH:
            raise ValueError(
                f"data nests objects and arrays more than {MAX_DATA_DEPTH} levels deep"
            )
        return value


def nesting_depth(value: Any, *, stop_after: int) -> int:
    """How deep `value` nests dicts and lists (a scalar is 0, `{}` is 1), counted without
    recursion; the count stops at the first level beyond `stop_after`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > stop_after:
            break
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


class PushIn(BaseModel):
    device_id: str = Field(min_length=1, max_length=128)
    changes: list[dict[str, Any]]


class DetailOut(BaseModel):
    """A change's error or a record's flag (``app.change_codes``): where, which code, and the
    message in English and Khmer; a flag may be ``urgent``."""

    model_config = ConfigDict(extra="allow")

    path: str
    code: str
    message: str
    message_km: str | None = None
    urgent: bool = False


class ClashOut(ResponseModel):
    """A field both sides changed: the server's value stayed. ``*_absent`` (only when true):
    that side removed the field, so its value ``null`` is not a null."""

    conflict_id: str
    path: str
    server_value: Any
    client_value: Any
    server_absent: bool = False
    client_absent: bool = False


class ChangeResult(ResponseModel):
    change_id: str | None
    record_id: str | None
    status: Status
    rev: int | None
    errors: list[DetailOut]
    conflicts: list[ClashOut]


class PushOut(ResponseModel):
    results: list[ChangeResult]
    server_time: datetime


class ReviewOut(ResponseModel):
    state: Literal["received", "approved", "returned", "rejected"]
    comment: str | None


class PlacementOut(ResponseModel):
    state: Literal["recommended", "authorized", "certified", "declined"]


class OpenConflictOut(ResponseModel):
    """A clash kept for a supervisor: both values, the revision, who, which device, when."""

    conflict_id: str
    path: str
    server_value: Any
    client_value: Any
    rev: int
    by: str | None
    device_id: str | None
    at: datetime


class PullRecord(ResponseModel):
    """A record as pull, ``GET /records/{record_id}`` and the review steps show it."""

    record_id: str
    form_id: str
    form_version: str
    rev: int
    data: dict[str, Any]
    review: ReviewOut
    placement: PlacementOut | None = Field(
        description="A placement recommendation's step; null for every other form"
    )
    flags: list[DetailOut]
    incomplete: bool = Field(description="An attachment it names has not arrived yet")
    open_conflicts: list[OpenConflictOut]
    updated_at: datetime


class RemovedOut(ResponseModel):
    """A record the device holds that left the caller's scope: drop it."""

    record_id: str
    reason: Literal["out_of_scope"]


class PullOut(ResponseModel):
    records: list[PullRecord]
    removed: list[RemovedOut]
    cursor: str
    more: bool
