"""The one clock: "now" for every write and check, and the date forms see (``today()`` in
expressions: today in Cambodia)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CAMBODIA = ZoneInfo("Asia/Phnom_Penh")


def now_utc() -> datetime:
    return datetime.now(UTC)


def cambodia_today(now: datetime) -> date:
    return now.astimezone(CAMBODIA).date()
