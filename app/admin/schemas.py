"""Shapes of the administration routes' requests and responses."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.auth.roles import Role
from app.auth.schemas import ScopeOut
from app.forms.schema import LocalizedText
from app.web.responses import ResponseModel


class UserIn(BaseModel):
    """A new user: the same rules as ``homeward create-user`` (role and scope level agree, the
    codes are known locations, a password of at least 8 characters)."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=8, max_length=1024)
    role: Role
    province: str | None = Field(default=None, pattern=r"^\d{2}$")
    district: str | None = Field(default=None, pattern=r"^\d{4}$")
    commune: str | None = Field(default=None, pattern=r"^\d{6}$")


class PasswordIn(BaseModel):
    """``{}``: the server makes a temporary password and returns it once; ``{"password"}``:
    that one."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=8, max_length=1024)


class AdminUserOut(ResponseModel):
    username: str
    role: str
    scope: ScopeOut
    active: bool
    created_at: datetime
    last_sign_in_at: datetime | None
    last_sync_at: datetime | None


class UserListOut(ResponseModel):
    users: list[AdminUserOut]


class PasswordOut(ResponseModel):
    username: str
    temporary_password: str | None
    revoked: int


class DeviceOut(ResponseModel):
    device_id: str
    username: str
    role: str
    first_sign_in_at: datetime
    last_sign_in_at: datetime
    live_tokens: int
    revoked_at: datetime | None
    last_sync_at: datetime | None
    last_push_at: datetime | None
    last_pull_at: datetime | None


class DeviceListOut(ResponseModel):
    devices: list[DeviceOut]


class FormVersionOut(ResponseModel):
    form_id: str
    version: str
    title: LocalizedText
    hash: str
    roles: list[str]
    published: bool
    published_at: datetime | None
    created_at: datetime
    retired: bool
    retired_at: datetime | None


class FormVersionListOut(ResponseModel):
    versions: list[FormVersionOut]


class RetiredOut(ResponseModel):
    form_id: str
    retired: bool
    retired_at: datetime | None
