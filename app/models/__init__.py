"""Every table, imported here so Alembic and the app see one metadata."""

from app.models.audit import AuditEntry
from app.models.base import Base
from app.models.desk import DeskSession
from app.models.forms import FormVersion, RetiredForm
from app.models.geography import Location
from app.models.identity import AuthToken, DeviceSync, LoginAttempt, User
from app.models.indicators import IndicatorFact
from app.models.openrosa import FormXForm, OpenRosaFile, OpenRosaInstance
from app.models.records import Meta, Record
from app.models.sync import (
    Attachment,
    AttachmentHolder,
    Conflict,
    PlacementStep,
    RecordAttachment,
    RecordDeparture,
    RecordRevision,
    SyncChange,
    SyncCounter,
)

__all__ = [
    "Attachment",
    "AttachmentHolder",
    "Conflict",
    "PlacementStep",
    "RecordAttachment",
    "RecordDeparture",
    "RecordRevision",
    "SyncChange",
    "SyncCounter",
    "AuditEntry",
    "AuthToken",
    "Base",
    "DeskSession",
    "DeviceSync",
    "FormVersion",
    "FormXForm",
    "IndicatorFact",
    "Location",
    "LoginAttempt",
    "Meta",
    "OpenRosaFile",
    "OpenRosaInstance",
    "Record",
    "RetiredForm",
    "User",
]
