"""One Settings object for the whole server, read from HOMEWARD_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "homeward-development-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOMEWARD_", extra="ignore")

    database_url: str = "sqlite:///./data/homeward.db"
    data_dir: Path = Path("./data")
    secret_key: str = DEV_SECRET
    environment: str = "development"
    # Tokens must last a week in the field without signal; two weeks leaves a margin.
    token_ttl_hours: int = 24 * 14
    # Failed sign-ins for one username before each further attempt must wait.
    login_free_failures: int = 3
    # Failed sign-ins for one username from every address together before attempts from an
    # address or device not known for that user must wait (docs/security.md, "Sign-in").
    login_free_failures_per_account: int = 30
    login_max_delay_seconds: int = 900
    max_body_bytes: int = 16 * 1024 * 1024
    max_changes_per_push: int = 1000
    # One attachment (a photo, a signature) may be at most this large; uploads resume.
    max_attachment_bytes: int = 20 * 1024 * 1024
    # An upload whose body sends nothing for this long is cut: what arrived is kept to resume
    # from, and the file's upload lock is free again (a tablet that lost its link mid-upload
    # may leave a connection the server would otherwise wait on for hours).
    upload_idle_seconds: float = 60.0
    # A file that no record names is removed this many days after its upload (app.attachments.
    # collect): long enough for a tablet that uploaded a photo to push its record after weeks.
    unnamed_upload_days: int = 30

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key.strip() in {DEV_SECRET, ""}:
            raise ValueError(
                "HOMEWARD_SECRET_KEY must be set to a secret of your own when "
                "HOMEWARD_ENVIRONMENT=production (the default one is public)"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
