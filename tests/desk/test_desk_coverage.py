"""The inspection coverage page over HTTP, on SQLite and PostgreSQL: the two halves of a year,
overdue institutions first, the latest inspection's figures linked to its record, and scope."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.auth.users import create_user
from app.db.session import session_scope
from app.demo.accounts import DEMO_PASSWORD
from app.desk.coverage import half_status
from app.models import Record
from tests.api.helpers import auth_headers
from tests.api.sync_helpers import change, inspection_data, push
from tests.desk.helpers import desk_sign_in

ROW = re.compile(r'<tr[^>]*>\s*<td><a href="/review/records/([0-9a-f-]{36})"')
YEAR = "2025"  # a year that is over: a half not inspected is overdue whatever today is


def _supervisor(username: str, province: str) -> None:
    with session_scope() as session:
        create_user(
            session,
            username=username,
            password=DEMO_PASSWORD,
            role="dosvy_supervisor",
            province=province,
        )


def _institutions_of_one_district(province: str, n: int) -> tuple[str, list[str]]:
    with session_scope() as session:
        rows = session.execute(
            select(Record.district, Record.record_id)
            .where(Record.form_id == "institution", Record.province == province)
            .order_by(Record.district, Record.record_id)
        ).all()
    by_district: dict[str, list[str]] = {}
    for district, record_id in rows:
        by_district.setdefault(district, []).append(record_id)
    district = next(d for d, ids in by_district.items() if len(ids) >= n)
    return district, by_district[district]


def _inspection(institution: str, day: str, half: str, **figures: Any) -> dict[str, Any]:
    return change(
        "institution_inspection",
        inspection_data(institution, inspection_date=day, inspection_round=half, **figures),
    )


def _rows(page: str) -> list[str]:
    return ROW.findall(page)


def test_a_half_is_overdue_once_over_due_while_it_runs_upcoming_before() -> None:
    today = date(2026, 12, 7)
    assert half_status(2026, "first_half", done=False, today=today) == "overdue"
    assert half_status(2026, "second_half", done=False, today=today) == "due"
    assert half_status(2027, "first_half", done=False, today=today) == "upcoming"
    assert half_status(2026, "first_half", done=True, today=today) == "done"
    assert half_status(2026, "second_half", done=False, today=date(2027, 1, 1)) == "overdue"


def test_coverage_shows_both_halves_overdue_first_and_the_latest_figures(
    demo_client: TestClient,
) -> None:
    _supervisor("supervisor.sr", "17")
    district, institutions = _institutions_of_one_district("17", 3)
    both, one, none = institutions[:3]
    inspector = auth_headers(demo_client, "inspector.sr")
    latest = _inspection(both, f"{YEAR}-09-15", "second_half", beds=999, abuse_allegation="no")
    results = push(
        demo_client,
        inspector,
        _inspection(both, f"{YEAR}-02-10", "first_half"),
        latest,
        _inspection(one, f"{YEAR}-03-20", "first_half"),
        # a follow-up visit counts for neither half; an inspection of another year not at all
        _inspection(none, f"{YEAR}-10-01", "follow_up"),
        _inspection(one, "2024-08-01", "second_half"),
    )
    assert {r["status"] for r in results} == {"applied"}, results
    desk_sign_in(demo_client, "supervisor.sr")
    page = demo_client.get("/review/coverage", params={"year": YEAR, "district": district})
    assert page.status_code == 200, page.text
    rows = _rows(page.text)
    assert set(rows) == set(institutions)
    # two halves overdue before one, one before none
    assert rows.index(none) < rows.index(one) < rows.index(both)
    # each done half and the latest inspection link to their records
    assert f'href="/review/records/{latest["record_id"]}"' in page.text
    row_of_both = page.text[page.text.index(f"/review/records/{both}") :]
    row_of_both = row_of_both[: row_of_both.index("</tr>")]
    assert row_of_both.count("coverage-done") == 2
    assert "999 of" in row_of_both and 'class="tag flag"' in row_of_both  # beds above baseline
    row_of_one = page.text[page.text.index(f"/review/records/{one}") :]
    row_of_one = row_of_one[: row_of_one.index("</tr>")]
    assert row_of_one.count("coverage-done") == 1 and "coverage-overdue" in row_of_one
    row_of_none = page.text[page.text.index(f"/review/records/{none}") :]
    row_of_none = row_of_none[: row_of_none.index("</tr>")]
    assert row_of_none.count("coverage-overdue") == 2


def test_a_kandal_supervisor_sees_no_siem_reap_institution(demo_client: TestClient) -> None:
    _supervisor("supervisor.kd", "08")
    _, siem_reap = _institutions_of_one_district("17", 1)
    inspector = auth_headers(demo_client, "inspector.sr")
    pushed = _inspection(siem_reap[0], f"{YEAR}-02-10", "first_half")
    push(demo_client, inspector, pushed)
    with session_scope() as session:
        everywhere_else = set(
            session.scalars(
                select(Record.record_id).where(
                    Record.form_id == "institution", Record.province != "08"
                )
            )
        )
    desk_sign_in(demo_client, "supervisor.kd")
    for params in ({}, {"year": YEAR}, {"province": "17"}, {"year": YEAR, "province": "17"}):
        page = demo_client.get("/review/coverage", params=params)
        assert page.status_code == 200
        listed = set(_rows(page.text))
        assert not listed & everywhere_else
        assert pushed["record_id"] not in page.text
        assert "Siem Reap" not in page.text
        if "province" not in params:
            assert len(listed) == 20  # Kandal's twenty institutions


def test_a_bad_year_is_a_422_with_an_error_summary(demo_client: TestClient) -> None:
    desk_sign_in(demo_client, "supervisor.pp")
    page = demo_client.get("/review/coverage", params={"year": "next year"})
    assert page.status_code == 422
    assert 'href="#year"' in page.text and "Enter a year between" in page.text
