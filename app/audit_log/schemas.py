"""The audit log's query and answer at the edge."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from app.audit_log.queries import AuditFilters
from app.web.query_params import FormQuery
from app.web.responses import ResponseModel


class AuditQuery(FormQuery):
    """Filters of the audit log; an empty parameter counts as absent."""

    user: str | None = Field(default=None, max_length=64, description="who acted (username)")
    action: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[a-z_]+(\.[a-z_]+)*(\.\*)?$",
        description="an action (`review.approve`) or a family of actions (`review.*`)",
    )
    record: str | None = Field(default=None, max_length=128, description="a record's id")
    target: str | None = Field(
        default=None, max_length=128, description="any target's id: a record, user, form@version"
    )
    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")

    def filters(self) -> AuditFilters:
        return AuditFilters(
            user=self.user,
            action=self.action,
            record=self.record,
            target=self.target,
            date_from=self.date_from,
            date_to=self.date_to,
        )

    def described(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(by_alias=True, exclude_none=True).items()}


class AuditPageQuery(AuditQuery):
    after: int | None = Field(
        default=None,
        ge=1,
        le=2**63 - 1,
        description="the `next` of the previous page (an entry id)",
    )
    limit: int = Field(default=100, ge=1, le=1000)


class AuditEntryOut(ResponseModel):
    id: int
    at: datetime
    actor: str | None
    device_id: str | None
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]


class AuditPageOut(ResponseModel):
    entries: list[AuditEntryOut]
    next: str | None = Field(description="pass as `after` for the next (older) page; null: last")
