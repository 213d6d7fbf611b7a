"""Every table, imported here so Alembic and the app see one metadata."""

from app.models.audit import AuditEntry
from app.models.base import Base
from app.models.geography import Location
from app.models.identity import AuthToken, LoginAttempt, User
from app.models.records import Meta, Record

__all__ = ["AuditEntry", "AuthToken", "Base", "Location", "LoginAttempt", "Meta", "Record", "User"]
