"""Shapes of the auth routes' requests and responses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from app.web.responses import ResponseModel


class ScopeOut(ResponseModel):
    province: str | None
    district: str | None
    commune: str | None


class UserOut(ResponseModel):
    username: str
    role: str
    scope: ScopeOut


class TokenOut(ResponseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: UserOut


class RevokeIn(BaseModel):
    """No body, or ``{}``: revoke the caller's own token. ``username`` and/or ``device_id``
    (admin only): every token of that user or device. Any other key, or a key given as null or
    empty, is a 422: a misspelt key must never fall back to "my own token"."""

    model_config = ConfigDict(extra="forbid")

    # null is refused (below), so the document says "a string"
    username: Annotated[
        str | None, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 64})
    ] = Field(default=None, min_length=1, max_length=64)
    device_id: Annotated[
        str | None, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 128})
    ] = Field(default=None, min_length=1, max_length=128)

    @field_validator("username", "device_id", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("leave the key out instead of sending null")
        return value


class RevokeOut(ResponseModel):
    revoked: int
