"""The one clock: "now" for every write and check, and the date forms see (``today()`` in
expressions: today in Cambodia)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CAMBODIA = ZoneInfo("Asia/Phnom_Penh")


def now_utc() -> datetime:
    return datetime.now(UTC)


def cambodia_today(now: datetime) -> date:
    return now.astimezone(CAMBODIA).date()


def cambodia_day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in Cambodia, in UTC. The first day of the calendar
    starts before any moment we hold (its midnight in UTC would fall before year 1)."""
    if day == date.min:
        return datetime.min.replace(tzinfo=UTC)
    return datetime.combine(day, time.min, tzinfo=CAMBODIA).astimezone(UTC)


def cambodia_day_end(day: date) -> datetime:
    """The first moment after ``day`` in Cambodia (midnight of the next day), in UTC."""
    if day == date.max:
        return datetime.max.replace(tzinfo=UTC)
    return cambodia_day_start(day + timedelta(days=1))
