"""The query an export takes: its language and the review queue's filters."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from app.desk.queries import QueueFilters
from app.web.query_params import FormQuery

ReviewState = Literal["received", "approved", "returned", "rejected"]
FlagFilter = Literal[
    "any",
    "abuse",
    "children_under_3",
    "beds_above_baseline",
    "abuse_allegation",
    "abuse_reported",
    "follow_up_under_2_years",
    "incomplete",
    "conflict",
]


class ExportQuery(FormQuery):
    """``lang`` absent: headers and choices by name; ``en``/``km``: by label. An empty
    parameter (as a plain HTML form sends for "any") counts as absent."""

    lang: Literal["en", "km"] | None = None
    state: ReviewState | None = None
    province: str | None = Field(default=None, pattern=r"^\d{2}$")
    district: str | None = Field(default=None, pattern=r"^\d{4}$")
    flag: FlagFilter | None = None
    q: str | None = Field(default=None, max_length=200)
    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")

    def filters(self, form_id: str) -> QueueFilters:
        return QueueFilters(
            form=form_id,
            state=self.state,
            province=self.province,
            district=self.district,
            flag=self.flag,
            q=(self.q or "").strip() or None,
            date_from=self.date_from,
            date_to=self.date_to,
        )

    def described(self) -> dict[str, str]:
        """The filters given, for the audit log."""
        return {
            k: str(v)
            for k, v in self.model_dump(by_alias=True, exclude_none=True).items()
            if v != ""
        }
