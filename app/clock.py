"""The date forms see: today in Cambodia (``today()`` in expressions), from the server's clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CAMBODIA = ZoneInfo("Asia/Phnom_Penh")


def cambodia_today(now: datetime) -> date:
    return now.astimezone(CAMBODIA).date()
