"""The desk's exports and audit pages: over HTTP on SQLite and PostgreSQL (scope, errors,
who may read the log), and in real headless Chromium (an XLSX downloaded from
/review/exports and read back; the page in Khmer, screenshotted)."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.db.session import session_scope
from app.models import AuditEntry, Record
from tests.desk.browser_helpers import desk_context, sign_in_on_desk
from tests.desk.helpers import desk_sign_in
from tests.live_server import LiveServer

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("HOMEWARD_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "homeward-screenshots"
)
PASSWORD = "homeward-demo"


def _institutions(province: str) -> set[str]:
    with session_scope() as session:
        return set(
            session.scalars(
                select(Record.record_id).where(
                    Record.form_id == "institution", Record.province == province
                )
            )
        )


def test_a_supervisor_downloads_their_provinces_records_only(demo_client: TestClient) -> None:
    desk_sign_in(demo_client, "supervisor.pp")
    page = demo_client.get("/review/exports")
    assert page.status_code == 200
    assert 'action="/review/exports/download"' in page.text and 'method="get"' in page.text
    assert "Residential care institution" in page.text

    response = demo_client.get(
        "/review/exports/download?form=institution&format=csv&lang=en"
        "&state=&province=&district=&flag=&q=&from=&to="
    )
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-disposition"] == 'attachment; filename="institution.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["Record ID"] for r in rows} == _institutions("12")  # Phnom Penh, nothing else
    # another province asked for by hand: nothing of it
    other = demo_client.get("/review/exports/download?form=institution&format=xlsx&province=17")
    book = openpyxl.load_workbook(io.BytesIO(other.content), read_only=True)
    assert list(book["records"].iter_rows(min_row=2, values_only=True)) == []
    with session_scope() as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.actor == "supervisor.pp", AuditEntry.action.like("export.%"))
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["export.csv", "export.xlsx"]


def test_bad_choices_show_the_page_again_with_an_error_summary(demo_client: TestClient) -> None:
    desk_sign_in(demo_client, "mosvy")
    missing = demo_client.get("/review/exports/download?format=csv&from=30/11/2026")
    assert missing.status_code == 422
    assert 'class="error-summary"' in missing.text
    assert "Choose the form to export." in missing.text and 'href="#from"' in missing.text
    unknown = demo_client.get("/review/exports/download?form=no_such_form&format=csv")
    assert unknown.status_code == 404
    wrong = demo_client.get("/review/exports/download?form=institution&format=pdf&state=bogus")
    assert (
        wrong.status_code == 422
        and 'href="#format"' in wrong.text
        and 'href="#state"' in wrong.text
    )
    with session_scope() as session:
        assert (
            session.scalar(select(func.count()).where(AuditEntry.action.like("export.%"))) == 0
        )  # nothing exported, nothing audited


def test_the_audit_page_is_for_mosvy_and_admin_with_filters_pages_and_csv(
    demo_client: TestClient,
) -> None:
    desk_sign_in(demo_client, "supervisor.pp")
    assert demo_client.get("/review/audit").status_code == 403
    assert demo_client.get("/review/audit/download.csv").status_code == 403
    demo_client.cookies.clear()

    desk_sign_in(demo_client, "admin")
    page = demo_client.get("/review/audit?user=admin")
    assert page.status_code == 200
    assert "desk.sign_in" in page.text and "supervisor.pp" not in page.text.split("<tbody>")[1]
    newest = demo_client.get("/review/audit?action=desk.*").text
    assert "desk.sign_in" in newest and "login.succeeded" not in newest.split("<tbody>")[1]
    with session_scope() as session:
        top = int(session.scalar(select(func.max(AuditEntry.id))) or 0)
    older = demo_client.get(f"/review/audit?user=admin&after={top}")  # keyset: below the top
    assert older.status_code == 200 and f"after={top}" not in older.text
    assert demo_client.get("/review/audit?action=Not An Action").status_code == 422
    assert demo_client.get("/review/audit?from=tomorrow").status_code == 422

    km = demo_client.get("/review/language/km?next=/review/audit", follow_redirects=True)
    assert "កំណត់ហេតុសវនកម្ម" in km.text and "ធ្នូ" in km.text  # the date in Khmer (December)
    link = 'href="/review/audit/download.csv?user=admin"'
    assert link in demo_client.get("/review/audit?user=admin").text.replace("&amp;", "&")
    download = demo_client.get("/review/audit/download.csv?user=admin")
    assert download.status_code == 200 and download.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows and {r["actor"] for r in rows} == {"admin"}
    with session_scope() as session:
        exported = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "audit.export")
        ).all()
    assert [(e.actor, e.details) for e in exported] == [("admin", {"filters": {"user": "admin"}})]


def test_an_xlsx_downloaded_from_the_exports_page_reads_back_as_the_records(
    browser: Any,
    server: LiveServer,
) -> None:
    context = desk_context(browser, bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    try:
        sign_in_on_desk(page, server.url, "supervisor.pp")
        page.get_by_role("link", name="Exports").click()
        expect(page.get_by_role("heading", name="Export records")).to_be_visible()
        page.get_by_label("Form").select_option(label="Residential care institution")
        page.get_by_label("English labels").check()
        page.get_by_label("Excel workbook (.xlsx)").check()
        with page.expect_download() as info:
            page.get_by_role("button", name="Download").click()
        download = info.value
        assert download.suggested_filename == "institution.xlsx"
        book = openpyxl.load_workbook(
            io.BytesIO(Path(download.path()).read_bytes()), read_only=True
        )
        rows = list(book["records"].iter_rows(values_only=True))
        header = rows[0]
        assert header[0] == "Record ID" and "Province" in header
        province = header.index("Province")
        body = rows[1:]
        assert body and {r[province] for r in body} == {"12"}
        listed = httpx_records(server, "institution")
        assert {r[0] for r in body} == listed

        page.get_by_role("link", name="ភាសាខ្មែរ").click()
        expect(page.get_by_role("heading", name="នាំចេញកំណត់ត្រា")).to_be_visible()
        expect(page.get_by_label("ស្លាកជាភាសាខ្មែរ")).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "desk-exports-km.png"), full_page=True)
    finally:
        context.close()


def httpx_records(server: LiveServer, form_id: str) -> set[str]:
    """The record ids of ``form_id`` in Phnom Penh, asked of the API's CSV export by mosvy
    (national) with a province filter: an independent path to the same answer."""
    import httpx

    token = httpx.post(
        f"{server.url}/api/v1/auth/token", data={"username": "mosvy", "password": PASSWORD}
    ).json()["access_token"]
    answer = httpx.get(
        f"{server.url}/api/v1/exports/{form_id}.csv?province=12",
        headers={"Authorization": f"Bearer {token}"},
    )
    answer.raise_for_status()
    return {r["record_id"] for r in csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")))}
