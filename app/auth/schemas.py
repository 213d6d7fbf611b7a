"""Shapes of the auth routes' requests and responses."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ScopeOut(BaseModel):
    province: str | None
    district: str | None
    commune: str | None


class UserOut(BaseModel):
    username: str
    role: str
    scope: ScopeOut


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: UserOut


class RevokeIn(BaseModel):
    """Empty: revoke the caller's own token. ``username`` or ``device_id``: admin only."""

    username: str | None = Field(default=None, max_length=64)
    device_id: str | None = Field(default=None, max_length=128)


class RevokeOut(BaseModel):
    revoked: int
