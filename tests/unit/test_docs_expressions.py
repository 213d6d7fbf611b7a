"""docs/expressions.md's under-3 check agrees with the server's rule, birthday by birthday.

The check is read from the page (the line starting "Under-3 check:") and evaluated by the
expression engine; `app.forms.rules.is_under` is the rule the server refuses a placement with.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.forms.expressions import Context, evaluate_bool
from app.forms.rules import add_years, is_under

DOCS = Path(__file__).resolve().parents[2] / "docs" / "expressions.md"
DAY = timedelta(days=1)
# a check counting days (365.25 a year), which disagrees with the rule: the test below shows it
DAYS_DIV_365_25 = (
    "(decimal-date-time(${recommendation_date}) - decimal-date-time(${date_of_birth}))"
    " div 365.25 < 3"
)


def documented_under_3_check() -> str:
    found = re.findall(r"^Under-3 check: `([^`]+)`$", DOCS.read_text(encoding="utf-8"), re.M)
    assert len(found) == 1, "docs/expressions.md has one line starting 'Under-3 check:'"
    return found[0]


def under_3(expression: str, date_of_birth: date, on: date) -> bool:
    values = {"date_of_birth": date_of_birth.isoformat(), "recommendation_date": on.isoformat()}
    context = Context(
        lookup=values.__getitem__, today=on, now=datetime(on.year, on.month, on.day, tzinfo=UTC)
    )
    return evaluate_bool(expression, context)


def around_third_birthdays(births: list[date]) -> list[tuple[date, date]]:
    """(birth, day) for the days from three before the third birthday to three after, and the
    last day of February and the first of March of that year."""
    cases = []
    for birth in births:
        birthday = add_years(birth, 3)
        days = {birthday + k * DAY for k in range(-3, 4)}
        days |= {date(birthday.year, 2, 28), date(birthday.year, 3, 1)}
        cases += [(birth, day) for day in sorted(days)]
    return cases


TABLE: list[tuple[str, str, bool]] = [  # (born, on, under 3 by the server's rule)
    ("2020-03-01", "2023-02-28", True),
    ("2020-03-01", "2023-03-01", False),  # the case: 1095 days, not 3 × 365.25
    ("2024-02-29", "2027-02-28", True),  # the protective reading of 29 February
    ("2024-02-29", "2027-03-01", False),
    ("2000-02-29", "2003-02-28", True),
    ("2000-02-29", "2003-03-01", False),
    ("2021-02-28", "2024-02-27", True),
    ("2021-02-28", "2024-02-28", False),
    ("2021-03-01", "2024-02-29", True),
    ("2021-03-01", "2024-03-01", False),
    ("2023-11-20", "2026-11-19", True),  # docs/forms.md's example
    ("2023-11-20", "2026-11-20", False),
    ("2023-12-31", "2026-12-31", False),
    ("2024-01-01", "2026-12-31", True),
    ("2026-11-24", "2026-11-24", True),  # born that day
]


def test_the_table_is_the_servers_rule() -> None:
    for born, on, expected in TABLE:
        assert is_under(date.fromisoformat(born), 3, date.fromisoformat(on)) == expected


def test_the_documented_check_agrees_with_the_server_around_every_third_birthday() -> None:
    check = documented_under_3_check()
    births = [date(2019, 1, 1) + k * DAY for k in range(366 * 6)]  # 2019 to 2024: 2 leap days
    births += [date(2000, 2, 29), date(1996, 2, 29), date(2096, 2, 29), date(2097, 2, 28)]
    cases = around_third_birthdays(births)
    cases += [(date.fromisoformat(born), date.fromisoformat(on)) for born, on, _ in TABLE]
    differ = [
        (born.isoformat(), on.isoformat())
        for born, on in cases
        if under_3(check, born, on) != is_under(born, 3, on)
    ]
    assert differ == []
    assert len(cases) > 15000


def test_counting_days_would_fail_that_table() -> None:
    born, on = date(2020, 3, 1), date(2023, 3, 1)
    assert under_3(DAYS_DIV_365_25, born, on) != is_under(born, 3, on)
    assert DAYS_DIV_365_25 not in documented_under_3_check()
