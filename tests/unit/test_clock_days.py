"""Days in Cambodia as UTC bounds, to the ends of the calendar (a filter `from=0001-01-01` or
`to=9999-12-31` overflowed into a 500)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.clock import cambodia_day_end, cambodia_day_start


def test_a_day_starts_at_midnight_in_cambodia() -> None:
    assert cambodia_day_start(date(2026, 12, 8)) == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    assert cambodia_day_end(date(2026, 12, 8)) == datetime(2026, 12, 8, 17, 0, tzinfo=UTC)


def test_the_ends_of_the_calendar_do_not_overflow() -> None:
    assert cambodia_day_start(date.min) == datetime.min.replace(tzinfo=UTC)
    assert cambodia_day_end(date.max) == datetime.max.replace(tzinfo=UTC)
    assert cambodia_day_start(date(1, 1, 2)) < cambodia_day_end(date(1, 1, 2))
    assert cambodia_day_end(date(9999, 12, 30)) == cambodia_day_start(date.max)
