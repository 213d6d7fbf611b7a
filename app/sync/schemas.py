"""Sync's shapes at the edge: what a push carries and what each change gets back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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


class ClashOut(BaseModel):
    conflict_id: str
    path: str
    server_value: Any
    client_value: Any


class ChangeResult(BaseModel):
    change_id: str | None
    record_id: str | None
    status: Status
    rev: int | None
    errors: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]


class PushOut(BaseModel):
    results: list[ChangeResult]
    server_time: datetime


class PullRecord(BaseModel):
    record_id: str
    form_id: str
    form_version: str
    rev: int
    data: dict[str, Any]
    review: dict[str, Any]
    open_conflicts: list[dict[str, Any]]
    updated_at: datetime


class PullOut(BaseModel):
    records: list[PullRecord]
    cursor: str
    more: bool
