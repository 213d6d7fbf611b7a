"""Query parameters as a plain HTML form sends them, read by a Pydantic model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator


class FormQuery(BaseModel):
    """A GET form's parameters: unknown ones refused, an empty one (a form's "any") absent,
    and no NUL character in any (PostgreSQL refuses it in a text parameter: a clear 422, never
    a 500)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v != ""}
        return data

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("a NUL character is not allowed")
        return value
