"""Sync's shapes at the edge: what a push carries and what each change gets back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.web.responses import ResponseModel

Status = Literal["applied", "merged", "conflict", "duplicate", "rejected"]
SHA256 = r"^[0-9a-f]{64}$"


class ChangeModel(BaseModel):
    """One change as the tablet sends it (validated one by one: a bad one rejects only itself)."""

    model_config = ConfigDict(extra="forbid")

    change_id: uuid.UUID
    record_id: uuid.UUID
    form_id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    form_version: str = Field(min_length=1, max_length=32)
    base_rev: int | None = Field(default=None, ge=1)
    data: dict[str, Any]
    attachments: list[str] = Field(default_factory=list, max_length=100)
    captured_at: datetime | None = None


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


class PullOut(ResponseModel):
    records: list[PullRecord]
    cursor: str
    more: bool
