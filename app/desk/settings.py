"""The desk's own settings (HOMEWARD_DESK_*), beside the server's one Settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class DeskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOMEWARD_DESK_", extra="ignore")

    # A session unused for this long is over: the supervisor signs in again.
    idle_minutes: int = 30
    # Rows on one page of the queue.
    page_size: int = 50


@lru_cache
def get_desk_settings() -> DeskSettings:
    return DeskSettings()
